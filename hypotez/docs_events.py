"""The events part of ``hypotez docs``: triggers, member events, reactions, schedules and state, and the
expected replies of examples, as plain data read by both the Markdown and the HTML rendering."""

from __future__ import annotations

import html
from typing import Callable

from hypotez.declaration.events_model import EventsSpec, ResponseSpec
from hypotez.declaration.model import Spec, pick_language


Words = Callable[..., str]
# (section title, [(name, what it does)]) for each section the spec has.
EventSections = list[tuple[str, list[tuple[str, str]]]]


def _answer(response: ResponseSpec | None, language: str, words: Words) -> str:
    if response is None:
        return ""
    parts = []
    if response.texts:
        parts.append(f"“{pick_language(response.texts, language, language)}”")
    if response.template:
        parts.append(words("template", name=response.template))
    if response.dm:
        parts.append(words("by_dm"))
    elif response.channel:
        parts.append(words("in_channel", channel=response.channel))
    for action in response.actions:
        target = action.target if isinstance(action.target, str) else ""
        parts.append(f"{action.kind} {target}".strip())
    return "; ".join(parts)


def expected_examples(spec: Spec, owner: str, examples: list[str], words: Words) -> list[str]:
    """A command's examples, each with the reply it is expected to contain (``→ ...``) when it says."""
    events: EventsSpec | None = spec.events
    expected = {e.say: e for e in events.examples if e.owner == owner} if events is not None else {}
    out = []
    for say in examples:
        example = expected.get(say)
        if example is not None and example.nothing:
            out.append(f"{say}  → {words('no_reply')}")
        elif example is not None and example.expect is not None:
            out.append(f"{say}  → {example.expect}")
        else:
            out.append(say)
    return out


def events_reference(spec: Spec, words: Words) -> EventSections:
    """(section title, [(name, what it does)]) for each section the spec has, worded by ``words``."""
    events: EventsSpec | None = spec.events
    if events is None or events.empty:
        return []
    language = spec.settings.language
    sections = []
    if events.triggers:
        rows = []
        for t in events.triggers:
            where = []
            if t.channels:
                where.append(words("in_channels", channels=", ".join(f"#{c}" for c in t.channels)))
            if t.roles:
                where.append(words("for_roles", names=", ".join(t.roles)))
            if t.cooldown:
                where.append(words("at_most", rate=t.cooldown.rate, per=f"{t.cooldown.per:g}",
                                   scope=words(f"scope_{t.cooldown.scope}")))
            examples = [f"“{e.say}” → {e.expect}" for e in events.examples
                        if e.owner == f"trigger {t.name}" and e.expect]
            what = f"{words('mode_' + t.mode)} “{t.pattern}”: {_answer(t.response, language, words)}"
            rows.append((t.name, "; ".join([what, *where, *([words("examples_inline", examples=", ".join(examples))]
                                                             if examples else [])])))
        sections.append((words("triggers_title"), rows))
    members = [(kind, _answer(r, language, words))
               for kind, r in (("member_join", events.member_join), ("member_leave", events.member_leave)) if r]
    members += [(words("role_given" if kind == "role_added" else "role_taken", role=role), _answer(r, language, words))
                for kind in ("role_added", "role_removed") for role, r in getattr(events, kind)]
    if members:
        sections.append((words("members_title"), members))
    if events.reactions:
        sections.append((words("reactions_title"), [
            (r.name, (words("on_message", emoji=r.emoji, message=r.message) if r.message
                      else words("on_any_message", emoji=r.emoji, channel=r.channel))
             + (": " + words("reaction_role", role=r.role) if r.role else "")
             + ("; " + words("added", what=_answer(r.added, language, words)) if r.added else "")
             + ("; " + words("removed", what=_answer(r.removed, language, words)) if r.removed else ""))
            for r in events.reactions]))
    if events.schedules:
        sections.append((words("schedules_title"), [
            (s.name, (words("cron", cron=s.cron) if s.cron else words("every", seconds=f"{s.every:g}"))
             + " " + words("missed", timezone=s.timezone, policy=s.missed) + "; "
             + (words("runs_in", command=s.command, channel=s.response.channel) if s.command
                else _answer(s.response, language, words)))
            for s in events.schedules]))
    if events.state:
        sections.append((words("state_title"), [
            (k.key, words("counter_per" if k.counter else "value_per", scope=words(f"state_{k.scope}"))
             + (", " + words("leaderboard", n=k.leaderboard) if k.counter else ""))
            for k in events.state.values()]))
    return sections


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def events_markdown(sections: EventSections, name: str, does: str) -> list[str]:
    out: list[str] = []
    for title, rows in sections:
        out += [f"## {title}", "", f"| {name} | {does} |", "|---|---|"]
        out += [f"| `{row}` | {_cell(what)} |" for row, what in rows]
        out.append("")
    return out


def events_html(sections: EventSections, name: str, does: str) -> list[str]:
    e = html.escape
    out: list[str] = []
    for title, rows in sections:
        out += ["<section class=\"events\">", f"<h2>{e(title)}</h2>", "<table>", f"<tr><th>{name}</th><th>{does}</th></tr>"]
        out += [f"<tr><td><code>{e(row)}</code></td><td>{e(what)}</td></tr>" for row, what in rows]
        out += ["</table>", "</section>"]
    return out
