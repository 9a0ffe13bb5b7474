"""The interactive parts of a spec in the generated reference (hypotez.docs): who sees a command's
answer, the buttons and select menus under it and what they do, the forms and the context menus.
Worded by ``words`` (the ``docs.`` block of the reasons catalogs, in the reference's language)."""

from __future__ import annotations

import html
from typing import Any, Callable

from hypotez.declaration.model import PermissionSpec, Spec, pick_language
from hypotez.declaration.model_components import MESSAGES_OWNER, ONLY_ACTIONS, ActionSpec, ComponentSpec, Interactions

Words = Callable[..., str]
# (section title, its lines): what the reference shows after the commands.
Sections = list[tuple[str, list[str]]]


def _text(texts: Any, language: str) -> str:
    return str(pick_language(texts, language, language)) if texts else ""


def _who(permissions: PermissionSpec, words: Words) -> str:
    who = [words("roles", names=", ".join(permissions.roles)) if permissions.roles else "",
           words("permissions", names=", ".join(permissions.discord)) if permissions.discord else ""]
    found = [w for w in who if w]
    return words("either", first=found[0], second=found[1]) if len(found) == 2 else "".join(found)


def _action(action: ActionSpec | None, words: Words) -> str:
    if action is None:
        return words("opens_link")
    if not action.steps:
        return _answer(action, words)
    # the actions as the events' reference writes them (hypotez.docs_events): "increment presses, add_role Member"
    steps = ", ".join(f"{s.kind} {s.target if isinstance(s.target, str) else ''}".strip() for s in action.steps)
    if action.kind == ONLY_ACTIONS:
        return words("acts", actions=steps)
    return words("acts_then", actions=steps, then=_answer(action, words))


def _answer(action: ActionSpec, words: Words) -> str:
    if action.kind == "reply":
        return words("answers_privately" if action.ephemeral else "answers")
    if action.kind == "edit":
        return words("edits_message")
    if action.kind == "run":
        return words("runs", command=action.command)
    if action.kind == "toggle_role":
        return words("toggles_role", role=action.role)
    return words("opens_form", form=action.modal)


def _component(component: ComponentSpec, language: str, words: Words) -> str:
    name = " ".join(p for p in (component.emoji or "", _text(component.label, language)
                                or _text(component.placeholder, language) or component.id) if p)
    kind = words(f"component_{component.type}") if component.type in (
        "button", "link", "select", "user_select", "role_select", "channel_select") else component.type
    extra = [words("for_who", who=_who(component.permissions, words)) if component.permissions.restricted else "",
             words("for_seconds", seconds=f"{component.expires:g}") if component.expires else ""]
    return f"{kind} “{name}”: {_action(component.action, words)}" + "".join(f", {e}" for e in extra if e)


def _parts(spec: Spec, owner: str, words: Words) -> tuple[list[str], list[str]]:
    """(who sees the answers, their components) of one command's (or the conversation's) answers."""
    interactions: Interactions | None = spec.interactions
    if interactions is None or owner not in interactions.replies:
        return [], []
    parts = interactions.of(owner)
    seen = []
    if parts.ephemeral is True:
        seen.append(words("ephemeral_always"))
    elif parts.ephemeral:
        seen.append(words("ephemeral_when", outcomes=", ".join(sorted(parts.ephemeral))))
    return seen, [_component(c, spec.settings.language, words) for c in parts.components]


def reply_parts(spec: Spec, owner: str, words: Words) -> list[str]:
    """Lines about one command's answers: who sees them, and their components."""
    seen, components = _parts(spec, owner, words)
    return seen + [words("under_answer", part=c) for c in components]


def spec_parts(spec: Spec, words: Words) -> Sections:
    """The context menus with the conversational answers' components, and the forms."""
    interactions: Interactions | None = spec.interactions
    if interactions is None:
        return []
    language = spec.settings.language
    menus = [words("menu_on", name=m.name, target=words(f"target_{m.target}") if m.target in ("message", "user")
                   else m.target, action=_action(m.action, words))
             + (", " + words("for_who", who=_who(m.permissions, words)) if m.permissions.restricted else "")
             for m in interactions.context_menus]
    menus += [words("under_every_answer", part=c) for c in _parts(spec, MESSAGES_OWNER, words)[1]]
    forms = [f"`{f.name}` “{_text(f.title, language)}”: " + ", ".join(
        f"{i.argument.name} ({words(f'type_{i.argument.type}')}{'' if i.argument.required else ', ' + words('optional')})"
        for i in f.inputs) + "; " + words("then", action=_action(f.action, words)) for f in interactions.modals.values()]
    return [(title, lines) for title, lines in ((words("menus_title"), menus), (words("forms_title"), forms)) if lines]


def markdown_sections(sections: Sections) -> list[str]:
    out: list[str] = []
    for title, lines in sections:
        out += [f"## {title}", ""] + [f"* {line}" for line in lines] + [""]
    return out


def html_sections(sections: Sections) -> list[str]:
    out: list[str] = []
    for title, lines in sections:
        out += [f"<section class=\"interactions\"><h2>{html.escape(title)}</h2><ul>"] + [f"<li>{html.escape(line)}</li>" for line in lines] + \
            ["</ul></section>"]
    return out
