"""A Markdown reference of a spec's commands, generated from the spec itself."""

from __future__ import annotations

from hypotez.builtins import command_data
from hypotez.spec.model import Spec


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_reference(spec: Spec) -> str:
    settings = spec.settings
    prefix = settings.prefix
    out = [f"# {settings.name} — commands", ""]
    if settings.description:
        out += [settings.description, ""]
    out += [f"Prefix: `{prefix}` · language: `{settings.language}` · slash commands: "
            f"{'yes' if settings.slash else 'no'} by default", ""]
    out += ["| command | what it does |", "|---|---|"]
    for command in spec.commands:
        if not command.hidden:
            out.append(f"| [`{prefix}{command.name}`](#{command.name}) | {_cell(command.description)} |")
    out.append("")
    for command in spec.commands:
        if command.hidden:
            continue
        entry = command_data(command, prefix)
        out += [f"## {command.name}", "", entry["description"], ""]
        if entry["help"]:
            out += [entry["help"], ""]
        out += [f"Usage: `{entry['usage']}`" + (" (also `/" + command.name + "`)" if command.slash else ""), ""]
        if entry["aliases"]:
            out += ["Aliases: " + ", ".join(f"`{prefix}{a}`" for a in entry["aliases"]), ""]
        if command.arguments:
            out += ["| argument | type | required | default | rules | description |", "|---|---|---|---|---|---|"]
            for argument in command.arguments:
                rules = ", ".join(f"{k}: {v}" for k, v in argument.rules.items())
                if argument.choices:
                    rules = ", ".join(filter(None, [rules, "one of " + " / ".join(map(str, argument.choices))]))
                if argument.type == "path":
                    rules = ", ".join(filter(None, [rules, f"inside the data folder ({argument.kind})"]))
                default = f"`{argument.default}`" if argument.has_default else ""
                out.append(f"| `{argument.name}` | {argument.type} | {'yes' if argument.required else 'no'} | "
                           f"{_cell(default)} | {_cell(rules)} | {_cell(argument.description)} |")
            out.append("")
        who = []
        if command.permissions.roles:
            who.append("roles " + ", ".join(command.permissions.roles))
        if command.permissions.discord:
            who.append("permissions " + ", ".join(command.permissions.discord))
        out.append("Who may use it: " + (" or ".join(who) if who else "everyone") +
                   {"guild": " (servers only)", "dm": " (direct messages only)"}.get(command.where, ""))
        if command.cooldown:
            out.append(f"Cooldown: {command.cooldown.rate} per {command.cooldown.per:g} s per {command.cooldown.scope}")
        if entry["examples"]:
            out += ["", "Examples:", ""] + [f"    {e}" for e in entry["examples"]]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
