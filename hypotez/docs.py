"""A reference of a spec's commands, generated from the spec itself, as Markdown or as one HTML page.

Both renderings read the same :func:`reference` data, so they always say the same things.
"""

from __future__ import annotations

import html
import json
from typing import Any

from hypotez.builtin_commands import command_data
from hypotez.declaration.model import ArgumentSpec, CommandSpec, PermissionSpec, Spec
from hypotez.reasons import builtin_catalog
from hypotez.docs_discord import anchor, autocomplete_note, discord_notes
from hypotez.docs_components import html_sections, markdown_sections, reply_parts, spec_parts
from hypotez.docs_events import events_html, events_markdown, events_reference, expected_examples


class _Words:
    """The reference's labels in one language (the ``docs.`` block of the reasons catalogs)."""

    def __init__(self, language: str):
        self.catalog = builtin_catalog(language)

    def __call__(self, key: str, **params: Any) -> str:
        return self.catalog.format(f"docs.{key}", params)

    def answer(self, value: bool) -> str:
        return self("yes") if value else self("no")


def _typed(value: Any, words: _Words) -> str:
    """A default as a user would type it: yes/no, not True/False; a list as a, b; 2, not 2.0."""
    if isinstance(value, bool):
        return words.answer(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(_typed(item, words) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _rules(argument: ArgumentSpec, words: _Words) -> str:
    rules = ", ".join(f"{k}: {_typed(v, words)}" for k, v in argument.rules.items() if k != "items")
    if isinstance(argument.rules.get("items"), dict):
        each = ", ".join(f"{k}: {_typed(v, words)}" for k, v in argument.rules["items"].items())
        rules = ", ".join(filter(None, [rules, words("items", rules=each)]))
    if argument.choices:
        rules = ", ".join(filter(None, [rules, words("one_of", choices=" / ".join(map(str, argument.choices)))]))
    if argument.type == "path":
        kind = words(f"kind_{argument.kind}") if argument.kind in ("file", "dir", "any") else argument.kind
        rules = ", ".join(filter(None, [rules, words("data_folder", kind=kind)]))
    if argument.permissions.restricted:
        rules = ", ".join(filter(None, [rules, words("given_only_by", who=_allowed(argument.permissions, words))]))
    return ", ".join(filter(None, [rules, autocomplete_note(argument, words)]))


def _allowed(permissions: PermissionSpec, words: _Words) -> str:
    who = []
    if permissions.roles:
        who.append(words("roles", names=", ".join(permissions.roles)))
    if permissions.discord:
        who.append(words("permissions", names=", ".join(permissions.discord)))
    if permissions.users:
        who.append(words("users", names=", ".join(permissions.users)))
    if not who:
        return words("everyone")
    text = who[0]
    for other in who[1:]:
        text = words("either", first=text, second=other)
    return text


def _who(command: CommandSpec, words: _Words) -> str:
    place = {"guild": " " + words("servers_only"), "dm": " " + words("dm_only")}.get(command.where, "")
    return _allowed(command.permissions, words) + place


def reference(spec: Spec, language: str | None = None) -> dict[str, Any]:
    """Everything the reference shows, as plain data, worded in ``language`` (the bot's by default)."""
    settings = spec.settings
    language = language or settings.language
    words = _Words(language)
    prefix = settings.prefix
    commands = []
    for command in spec.commands:
        if command.hidden:
            continue
        entry = command_data(command, prefix)
        cooldown = command.cooldown
        commands.append({
            "name": command.name, "description": entry["description"], "help": entry["help"],
            "usage": entry["usage"], "slash": f"/{command.name}" if command.slash else None,
            "aliases": [f"{prefix}{a}" for a in entry["aliases"]],
            "arguments": [{"name": a.name, "type": words(f"type_{a.type}"), "required": words.answer(a.required),
                           "default": _typed(a.default, words) if a.has_default else "",
                           "rules": _rules(a, words), "description": a.description} for a in command.arguments],
            "who": _who(command, words) + discord_notes(spec, command, words),
            "cooldown": words("cooldown_value", rate=cooldown.rate, per=f"{cooldown.per:g}",
                              scope=words(f"scope_{cooldown.scope}")) if cooldown else None,
            "examples": expected_examples(spec, f"command {command.name}", list(entry["examples"]), words),
            "interactive": reply_parts(spec, command.name, words),
        })
    labels = {key: words(key) for key in ("prefix", "language", "command", "does", "usage", "aliases", "argument",
                                          "type", "required", "default", "rules", "description", "who",
                                          "cooldown", "examples", "name")}
    labels["title"] = words("title", name=settings.name)
    labels["slash_default"] = words("slash_default", answer=words.answer(settings.slash))
    return {"name": settings.name, "description": settings.description, "prefix": prefix,
            "language": language, "languages": list(settings.languages),
            "slash": settings.slash, "commands": commands, "labels": labels, "also": words("also", slash="{slash}"),
            "interactions": spec_parts(spec, words), "events": events_reference(spec, words)}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_reference(spec: Spec) -> str:
    ref = reference(spec)
    words = ref["labels"]
    prefix = ref["prefix"]
    out = [f"# {words['title']}", ""]
    if ref["description"]:
        out += [ref["description"], ""]
    out += [f"{words['prefix']}: `{prefix}` · {words['language']}: `{ref['language']}` · {words['slash_default']}",
            ""]
    out += [f"| {words['command']} | {words['does']} |", "|---|---|"]
    out += [f"| [`{prefix}{c['name']}`](#{anchor(c['name'])}) | {_cell(c['description'])} |" for c in ref["commands"]]
    out.append("")
    for c in ref["commands"]:
        out += [f"## {c['name']}", "", c["description"], ""]
        if c["help"]:
            out += [c["help"], ""]
        also = " (" + ref["also"].format(slash=f"`{c['slash']}`") + ")" if c["slash"] else ""
        out += [f"{words['usage']}: `{c['usage']}`" + also, ""]
        if c["aliases"]:
            out += [f"{words['aliases']}: " + ", ".join(f"`{a}`" for a in c["aliases"]), ""]
        if c["arguments"]:
            out += ["| " + " | ".join(words[k] for k in ("argument", "type", "required", "default", "rules",
                                                         "description")) + " |", "|---|---|---|---|---|---|"]
            for a in c["arguments"]:
                default = f"`{a['default']}`" if a["default"] else ""
                out.append(f"| `{a['name']}` | {a['type']} | {a['required']} | "
                           f"{_cell(default)} | {_cell(a['rules'])} | {_cell(a['description'])} |")
            out.append("")
        out.append(f"{words['who']}: " + c["who"])
        if c["cooldown"]:
            out.append(f"{words['cooldown']}: {c['cooldown']}")
        if c["interactive"]:  # who sees the answer, its buttons and select menus
            out += [""] + [f"* {line}" for line in c["interactive"]]
        if c["examples"]:
            out += ["", f"{words['examples']}:", ""] + [f"    {e}" for e in c["examples"]]
        out.append("")
    out += markdown_sections(ref["interactions"])
    out += events_markdown(ref["events"], words["name"], words["does"])
    return "\n".join(out).rstrip() + "\n"


_STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code{background:#f2f3f5;padding:0 .25em;border-radius:3px}table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#f7f7f9}
section{border-top:1px solid #eee;margin-top:1.5rem}pre{background:#f2f3f5;padding:.5rem;border-radius:4px}"""


def html_reference(spec: Spec) -> str:
    """The same reference as one self-contained HTML page (everything from the spec is escaped)."""
    ref = reference(spec)
    words = {k: html.escape(v) for k, v in ref["labels"].items()}
    e = html.escape
    prefix = ref["prefix"]
    out = ["<!doctype html>", f'<html lang="{e(ref["language"])}">', "<head>", '<meta charset="utf-8">',
           f"<title>{words['title']}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
           f"<h1>{words['title']}</h1>"]
    if ref["description"]:
        out.append(f"<p>{e(ref['description'])}</p>")
    out.append(f"<p>{words['prefix']}: <code>{e(prefix)}</code> · {words['language']}: "
               f"<code>{e(ref['language'])}</code> · {words['slash_default']}</p>")
    out += ["<table>", f"<tr><th>{words['command']}</th><th>{words['does']}</th></tr>"]
    out += [f'<tr><td><a href="#{e(anchor(c["name"]))}"><code>{e(prefix + c["name"])}</code></a></td>'
            f"<td>{e(c['description'])}</td></tr>" for c in ref["commands"]]
    out.append("</table>")
    for c in ref["commands"]:
        out += [f'<section id="{e(anchor(c["name"]))}">', f"<h2>{e(c['name'])}</h2>", f"<p>{e(c['description'])}</p>"]
        if c["help"]:
            out.append(f"<p>{e(c['help'])}</p>")
        also = " (" + e(ref["also"]).format(slash=f"<code>{e(c['slash'])}</code>") + ")" if c["slash"] else ""
        out.append(f"<p>{words['usage']}: <code>{e(c['usage'])}</code>{also}</p>")
        if c["aliases"]:
            out.append(f"<p>{words['aliases']}: " + ", ".join(f"<code>{e(a)}</code>" for a in c["aliases"]) + "</p>")
        if c["arguments"]:
            out += ["<table>", "<tr>" + "".join(f"<th>{words[k]}</th>" for k in (
                "argument", "type", "required", "default", "rules", "description")) + "</tr>"]
            for a in c["arguments"]:
                default = f"<code>{e(a['default'])}</code>" if a["default"] else ""
                out.append(f"<tr><td><code>{e(a['name'])}</code></td><td>{e(a['type'])}</td>"
                           f"<td>{e(a['required'])}</td><td>{default}</td><td>{e(a['rules'])}</td>"
                           f"<td>{e(a['description'])}</td></tr>")
            out.append("</table>")
        out.append(f"<p>{words['who']}: {e(c['who'])}</p>")
        if c["cooldown"]:
            out.append(f"<p>{words['cooldown']}: {e(c['cooldown'])}</p>")
        out += [f"<p>{e(line)}</p>" for line in c["interactive"]]
        if c["examples"]:
            out.append(f"<p>{words['examples']}:</p><pre>" + "\n".join(e(x) for x in c["examples"]) + "</pre>")
        out.append("</section>")
    out += html_sections(ref["interactions"])
    out += events_html(ref["events"], words["name"], words["does"])
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
