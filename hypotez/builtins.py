"""Handlers hypotez provides itself: the generated help."""

from __future__ import annotations

from typing import Any

from hypotez.errors import NotFound
from hypotez.invocation import Invocation, Response
from hypotez.spec.model import CommandSpec


def command_data(command: CommandSpec, prefix: str) -> dict[str, Any]:
    return {
        "name": command.name,
        "aliases": list(command.aliases),
        "description": command.description,
        "help": command.help,
        "usage": command.usage(prefix),
        "restricted": command.permissions.restricted,
        "roles": list(command.permissions.roles),
        "permissions": list(command.permissions.discord),
        "where": command.where,
        "cooldown": {"rate": command.cooldown.rate, "per": command.cooldown.per} if command.cooldown else None,
        "examples": list(command.examples),
        "arguments": [
            {"name": a.name, "type": a.type, "required": a.required, "description": a.description,
             "default": a.default if a.has_default else None, "choices": list(a.choices), "usage": a.usage()}
            for a in command.arguments
        ],
    }


async def help_command(invocation: Invocation, command: str | None = None) -> Response:
    spec = invocation.spec
    assert spec is not None, "the pipeline always passes the spec"
    prefix = spec.settings.prefix
    if command:
        name = command.strip().removeprefix(prefix).lower()
        found = next((c for c in spec.commands if name in (n.lower() for n in c.names)), None)
        if found is None or found.hidden:
            raise NotFound(command, f"there is no command {command!r}; {prefix}help lists them all")
        return Response(data={"entry": command_data(found, prefix)}, template="command")
    visible = [command_data(c, prefix) for c in spec.commands if not c.hidden]
    return Response(data={"commands": visible, "description": spec.settings.description})
