"""The interactive parts of a spec in the generated reference (hypotez.docs): who sees a command's
answer, the buttons and select menus under it and what they do, the forms and the context menus."""

from __future__ import annotations

import html
from typing import Any

from hypotez.declaration.model import ANY_LANGUAGE, PermissionSpec, Spec
from hypotez.declaration.model_components import MESSAGES_OWNER, ActionSpec, ComponentSpec, Interactions


def _text(texts: Any, language: str) -> str:
    if not texts:
        return ""
    return str(texts.get(language) or texts.get(ANY_LANGUAGE) or next(iter(texts.values())))


def _who(permissions: PermissionSpec) -> str:
    who = [("roles " + ", ".join(permissions.roles)) if permissions.roles else "",
           ("permissions " + ", ".join(permissions.discord)) if permissions.discord else ""]
    return " or ".join(w for w in who if w)


def _action(action: ActionSpec | None, language: str) -> str:
    if action is None:
        return "opens a link"
    if action.kind == "reply":
        return "answers" + (" (only to whoever used it)" if action.ephemeral else "")
    if action.kind == "edit":
        return "changes the message"
    if action.kind == "run":
        return f"runs `{action.command}`"
    if action.kind == "toggle_role":
        return f"gives or takes the role {action.role}"
    return f"opens the form `{action.modal}`"


def _component(component: ComponentSpec, language: str) -> str:
    name = " ".join(p for p in (component.emoji or "", _text(component.label, language)
                                or _text(component.placeholder, language) or component.id) if p)
    kind = {"button": "button", "link": "link"}.get(component.type, component.type.replace("_", " "))
    extra = [f"for {_who(component.permissions)}" if component.permissions.restricted else "",
             f"for {component.expires:g} s" if component.expires else ""]
    return f"{kind} “{name}”: {_action(component.action, language)}" + \
        "".join(f", {e}" for e in extra if e)


def reply_parts(spec: Spec, owner: str) -> list[str]:
    """Lines about one command's answers: who sees them, and their components."""
    interactions: Interactions | None = spec.interactions
    if interactions is None or owner not in interactions.replies:
        return []
    parts = interactions.of(owner)
    language = spec.settings.language
    lines = []
    if parts.ephemeral is True:
        lines.append("Only the person who asked sees the answer (slash command).")
    elif parts.ephemeral:
        lines.append("Only the person who asked sees the answer when it is: " + ", ".join(sorted(parts.ephemeral)))
    lines += ["Under the answer: " + _component(c, language) for c in parts.components]
    return lines


def spec_parts(spec: Spec) -> dict[str, list[str]]:
    """Lines about the context menus, the forms and the conversational answers' components."""
    interactions: Interactions | None = spec.interactions
    if interactions is None:
        return {"context_menus": [], "forms": []}
    language = spec.settings.language
    menus = [f"“{m.name}” (on a {m.target}): {_action(m.action, language)}"
             + (f", for {_who(m.permissions)}" if m.permissions.restricted else "") for m in interactions.context_menus]
    forms = [f"`{f.name}` “{_text(f.title, language)}”: " + ", ".join(
        f"{i.argument.name} ({i.argument.type}{'' if i.argument.required else ', optional'})" for i in f.inputs)
        + f"; then {_action(f.action, language)}" for f in interactions.modals.values()]
    menus += ["Under every conversational answer: " + line.split(": ", 1)[1]
              for line in reply_parts(spec, MESSAGES_OWNER) if line.startswith("Under")]
    return {"context_menus": menus, "forms": forms}


def markdown_sections(parts: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for key, title in (("context_menus", "Context menus and conversational answers"), ("forms", "Forms")):
        if parts.get(key):
            out += [f"## {title}", ""] + [f"* {line}" for line in parts[key]] + [""]
    return out


def html_sections(parts: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for key, title in (("context_menus", "Context menus and conversational answers"), ("forms", "Forms")):
        if parts.get(key):
            out += [f"<section id=\"{key}\"><h2>{title}</h2><ul>"] + [f"<li>{html.escape(line)}</li>" for line in parts[key]] + \
                ["</ul></section>"]
    return out
