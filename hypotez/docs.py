"""A reference of a spec's commands, generated from the spec itself, as Markdown or as one HTML page.

Both renderings read the same :func:`reference` data, so they always say the same things.
"""

from __future__ import annotations

import html
from typing import Any

from hypotez.builtin_commands import command_data
from hypotez.declaration.model import ArgumentSpec, CommandSpec, PermissionSpec, Spec
from hypotez.docs_events import events_html, events_markdown, expected_examples


def _rules(argument: ArgumentSpec) -> str:
    rules = ", ".join(f"{k}: {v}" for k, v in argument.rules.items())
    if argument.choices:
        rules = ", ".join(filter(None, [rules, "one of " + " / ".join(map(str, argument.choices))]))
    if argument.type == "path":
        rules = ", ".join(filter(None, [rules, f"inside the data folder ({argument.kind})"]))
    if argument.permissions.restricted:
        rules = ", ".join(filter(None, [rules, "given only by " + _allowed(argument.permissions)]))
    return rules


def _allowed(permissions: PermissionSpec) -> str:
    who = []
    if permissions.roles:
        who.append("roles " + ", ".join(permissions.roles))
    if permissions.discord:
        who.append("permissions " + ", ".join(permissions.discord))
    if permissions.users:
        who.append("users " + ", ".join(permissions.users))
    return " or ".join(who) if who else "everyone"


def _who(command: CommandSpec) -> str:
    return _allowed(command.permissions) + \
        {"guild": " (servers only)", "dm": " (direct messages only)"}.get(command.where, "")


def reference(spec: Spec) -> dict[str, Any]:
    """Everything the reference shows, as plain data."""
    settings = spec.settings
    prefix = settings.prefix
    commands = []
    for command in spec.commands:
        if command.hidden:
            continue
        entry = command_data(command, prefix)
        commands.append({
            "name": command.name, "description": entry["description"], "help": entry["help"],
            "usage": entry["usage"], "slash": f"/{command.name}" if command.slash else None,
            "aliases": [f"{prefix}{a}" for a in entry["aliases"]],
            "arguments": [{"name": a.name, "type": a.type, "required": a.required,
                           "default": str(a.default) if a.has_default else "", "rules": _rules(a),
                           "description": a.description} for a in command.arguments],
            "who": _who(command),
            "cooldown": f"{command.cooldown.rate} per {command.cooldown.per:g} s per {command.cooldown.scope}"
            if command.cooldown else None,
            "examples": expected_examples(spec, f"command {command.name}", list(entry["examples"])),
        })
    return {"name": settings.name, "description": settings.description, "prefix": prefix,
            "language": settings.language, "languages": list(settings.languages),
            "slash": settings.slash, "commands": commands}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_reference(spec: Spec) -> str:
    ref = reference(spec)
    prefix = ref["prefix"]
    out = [f"# {ref['name']} — commands", ""]
    if ref["description"]:
        out += [ref["description"], ""]
    out += [f"Prefix: `{prefix}` · language: `{ref['language']}` · slash commands: "
            f"{'yes' if ref['slash'] else 'no'} by default", ""]
    out += ["| command | what it does |", "|---|---|"]
    out += [f"| [`{prefix}{c['name']}`](#{c['name']}) | {_cell(c['description'])} |" for c in ref["commands"]]
    out.append("")
    for c in ref["commands"]:
        out += [f"## {c['name']}", "", c["description"], ""]
        if c["help"]:
            out += [c["help"], ""]
        out += [f"Usage: `{c['usage']}`" + (f" (also `{c['slash']}`)" if c["slash"] else ""), ""]
        if c["aliases"]:
            out += ["Aliases: " + ", ".join(f"`{a}`" for a in c["aliases"]), ""]
        if c["arguments"]:
            out += ["| argument | type | required | default | rules | description |", "|---|---|---|---|---|---|"]
            for a in c["arguments"]:
                default = f"`{a['default']}`" if a["default"] else ""
                out.append(f"| `{a['name']}` | {a['type']} | {'yes' if a['required'] else 'no'} | "
                           f"{_cell(default)} | {_cell(a['rules'])} | {_cell(a['description'])} |")
            out.append("")
        out.append("Who may use it: " + c["who"])
        if c["cooldown"]:
            out.append(f"Cooldown: {c['cooldown']}")
        if c["examples"]:
            out += ["", "Examples:", ""] + [f"    {e}" for e in c["examples"]]
        out.append("")
    out += events_markdown(spec)
    return "\n".join(out).rstrip() + "\n"


_STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code{background:#f2f3f5;padding:0 .25em;border-radius:3px}table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#f7f7f9}
section{border-top:1px solid #eee;margin-top:1.5rem}pre{background:#f2f3f5;padding:.5rem;border-radius:4px}"""


def html_reference(spec: Spec) -> str:
    """The same reference as one self-contained HTML page (everything from the spec is escaped)."""
    ref = reference(spec)
    e = html.escape
    prefix = ref["prefix"]
    out = ["<!doctype html>", f'<html lang="{e(ref["language"])}">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(ref['name'])} — commands</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
           f"<h1>{e(ref['name'])} — commands</h1>"]
    if ref["description"]:
        out.append(f"<p>{e(ref['description'])}</p>")
    out.append(f"<p>Prefix: <code>{e(prefix)}</code> · language: <code>{e(ref['language'])}</code> · slash "
               f"commands: {'yes' if ref['slash'] else 'no'} by default</p>")
    out += ["<table>", "<tr><th>command</th><th>what it does</th></tr>"]
    out += [f'<tr><td><a href="#{e(c["name"])}"><code>{e(prefix + c["name"])}</code></a></td>'
            f"<td>{e(c['description'])}</td></tr>" for c in ref["commands"]]
    out.append("</table>")
    for c in ref["commands"]:
        out += [f'<section id="{e(c["name"])}">', f"<h2>{e(c['name'])}</h2>", f"<p>{e(c['description'])}</p>"]
        if c["help"]:
            out.append(f"<p>{e(c['help'])}</p>")
        also = f" (also <code>{e(c['slash'])}</code>)" if c["slash"] else ""
        out.append(f"<p>Usage: <code>{e(c['usage'])}</code>{also}</p>")
        if c["aliases"]:
            out.append("<p>Aliases: " + ", ".join(f"<code>{e(a)}</code>" for a in c["aliases"]) + "</p>")
        if c["arguments"]:
            out += ["<table>", "<tr><th>argument</th><th>type</th><th>required</th><th>default</th><th>rules</th>"
                               "<th>description</th></tr>"]
            for a in c["arguments"]:
                default = f"<code>{e(a['default'])}</code>" if a["default"] else ""
                out.append(f"<tr><td><code>{e(a['name'])}</code></td><td>{e(a['type'])}</td>"
                           f"<td>{'yes' if a['required'] else 'no'}</td><td>{default}</td><td>{e(a['rules'])}</td>"
                           f"<td>{e(a['description'])}</td></tr>")
            out.append("</table>")
        out.append(f"<p>Who may use it: {e(c['who'])}</p>")
        if c["cooldown"]:
            out.append(f"<p>Cooldown: {e(c['cooldown'])}</p>")
        if c["examples"]:
            out.append("<p>Examples:</p><pre>" + "\n".join(e(x) for x in c["examples"]) + "</pre>")
        out.append("</section>")
    out += events_html(spec)
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
