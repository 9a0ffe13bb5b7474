"""The events part of ``hypotez docs``: triggers, member events, reactions, schedules and state, and the
expected replies of examples, as plain data read by both the Markdown and the HTML rendering."""

from __future__ import annotations

import html

from hypotez.declaration.events_model import EventsSpec, ResponseSpec
from hypotez.declaration.model import Spec, pick_language


def _answer(response: ResponseSpec | None, language: str) -> str:
    if response is None:
        return ""
    parts = []
    if response.texts:
        parts.append(f"“{pick_language(response.texts, language, language)}”")
    if response.template:
        parts.append(f"template {response.template}")
    if response.dm:
        parts.append("by DM")
    elif response.channel:
        parts.append(f"in #{response.channel}")
    for action in response.actions:
        target = action.target if isinstance(action.target, str) else ""
        parts.append(f"{action.kind.replace('_', ' ')} {target}".strip())
    return "; ".join(parts)


def expected_examples(spec: Spec, owner: str, examples: list[str]) -> list[str]:
    """A command's examples, each with the reply it is expected to contain (``→ ...``) when it says."""
    events: EventsSpec | None = spec.events
    expected = {e.say: e for e in events.examples if e.owner == owner} if events is not None else {}
    out = []
    for say in examples:
        example = expected.get(say)
        if example is not None and example.nothing:
            out.append(f"{say}  → (no reply)")
        elif example is not None and example.expect is not None:
            out.append(f"{say}  → {example.expect}")
        else:
            out.append(say)
    return out


def events_reference(spec: Spec) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section title, [(name, what it does)]) for each section the spec has."""
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
                where.append("in " + ", ".join(f"#{c}" for c in t.channels))
            if t.roles:
                where.append("for roles " + ", ".join(t.roles))
            if t.cooldown:
                where.append(f"at most {t.cooldown.rate} per {t.cooldown.per:g} s per {t.cooldown.scope}")
            examples = [f"“{e.say}” → {e.expect}" for e in events.examples
                        if e.owner == f"trigger {t.name}" and e.expect]
            what = f"{t.mode.replace('_', ' ')} “{t.pattern}”: {_answer(t.response, language)}"
            rows.append((t.name, "; ".join([what, *where, *(["examples: " + ", ".join(examples)] if examples else [])])))
        sections.append(("Message triggers (in priority order)", rows))
    members = [(kind.replace("_", " "), _answer(r, language))
               for kind, r in (("member_join", events.member_join), ("member_leave", events.member_leave)) if r]
    members += [(f"role {role} {'given' if kind == 'role_added' else 'taken'}", _answer(r, language))
                for kind in ("role_added", "role_removed") for role, r in getattr(events, kind)]
    if members:
        sections.append(("Member events", members))
    if events.reactions:
        sections.append(("Reactions", [(r.name, f"{r.emoji} on " + (f"message {r.message}" if r.message else
                                                                     f"any message in #{r.channel}")
                                        + (f": reaction role {r.role}" if r.role else "")
                                        + (f"; added: {_answer(r.added, language)}" if r.added else "")
                                        + (f"; removed: {_answer(r.removed, language)}" if r.removed else ""))
                                       for r in events.reactions]))
    if events.schedules:
        sections.append(("Schedules", [(s.name, (f"cron {s.cron}" if s.cron else f"every {s.every:g} s")
                                        + f" ({s.timezone}), missed runs: {s.missed}; "
                                        + (f"runs {s.command} in #{s.response.channel}" if s.command
                                           else _answer(s.response, language)))
                                       for s in events.schedules]))
    if events.state:
        sections.append(("State", [(k.key, f"{'counter' if k.counter else 'value'} per {k.scope}"
                                    + (f", leaderboard top {k.leaderboard}" if k.counter else ""))
                                   for k in events.state.values()]))
    return sections


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def events_markdown(spec: Spec) -> list[str]:
    out: list[str] = []
    for title, rows in events_reference(spec):
        out += [f"## {title}", "", "| name | what it does |", "|---|---|"]
        out += [f"| `{name}` | {_cell(what)} |" for name, what in rows]
        out.append("")
    return out


def events_html(spec: Spec) -> list[str]:
    e = html.escape
    out: list[str] = []
    for title, rows in events_reference(spec):
        out += ["<section>", f"<h2>{e(title)}</h2>", "<table>", "<tr><th>name</th><th>what it does</th></tr>"]
        out += [f"<tr><td><code>{e(name)}</code></td><td>{e(what)}</td></tr>" for name, what in rows]
        out += ["</table>", "</section>"]
    return out
