"""Handlers hypotez provides itself: the generated help."""

from __future__ import annotations

from typing import Any, TypedDict

from hypotez.errors import BadArgument, NotFound, WrongPlace
from hypotez.reasons import Reason
from hypotez.invocation import Invocation, Response
from hypotez.declaration.model import CommandSpec


def command_data(command: CommandSpec, prefix: str, language: str | None = None) -> dict[str, Any]:
    """What help and docs show of ``command`` (its description in ``language`` when the spec gives one)."""
    words = command.localized.descriptions if command.localized else {}
    return {
        "name": command.name,
        "aliases": list(command.aliases),
        "description": words.get(language or "", command.description),
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
        group = next((g for g in spec.groups.values() if g.name.lower() == name and not g.hidden), None)
        if found is None and group is not None:  # a group: its subcommands, listed as help lists commands
            inside = [command_data(c, prefix, invocation.language) for c in spec.commands
                      if c.name.startswith(group.name + " ") and not c.hidden]
            words = group.localized.descriptions if group.localized else {}
            return Response(data={"commands": inside, "description": words.get(invocation.language, group.description)})
        if found is None or found.hidden:
            raise NotFound(command, Reason("help.no_command", name=command, prefix=prefix))
        return Response(data={"entry": command_data(found, prefix, invocation.language)}, template="command")
    visible = [command_data(c, prefix, invocation.language) for c in spec.commands if not c.hidden]
    return Response(data={"commands": visible, "description": spec.settings.description})


LANGUAGE_NAMES = {"ru": "русский", "en": "English", "de": "Deutsch", "fr": "français", "es": "español",
                  "uk": "українська", "it": "italiano", "pt": "português", "pl": "polski"}
RESET_WORDS = ("default", "reset", "по-умолчанию", "сброс")


class LanguageEntry(TypedDict):
    code: str
    name: str


class LanguageData(TypedDict, total=False):
    """What the language command's templates are given (checked by `hypotez validate`)."""

    default: str
    available: list[LanguageEntry]
    current: str
    chosen: bool


async def language(invocation: Invocation, language: str | None = None) -> Response[LanguageData]:
    """`!language` shows the server's reply language; `!language ru` sets it (admins, by the spec's
    permissions); `!language default` goes back to the spec's default. Stored, so it survives restarts."""
    spec = invocation.spec
    assert spec is not None, "the pipeline always passes the spec"
    settings = spec.settings
    storage = invocation.services.storage
    guild = invocation.place.guild_id
    if guild is None:
        raise WrongPlace("servers", Reason("place.servers"))
    available = [{"code": code, "name": LANGUAGE_NAMES.get(code, code)} for code in settings.languages]
    data = {"default": settings.language, "available": available}
    if not language:
        stored = await storage.guild_language(guild)
        current = stored if stored in settings.languages else settings.language
        return Response(data={**data, "current": current, "chosen": current == stored}, template="current")
    code = language.strip().lower()
    if code in RESET_WORDS:
        await storage.set_guild_language(guild, None)
        code = settings.language
    elif code not in settings.languages:
        raise BadArgument("language", Reason("language.unknown", given=language.strip(),
                                             languages=list(settings.languages)))
    else:
        await storage.set_guild_language(guild, code)
    invocation.language = code  # this very reply already speaks the new language
    return Response(data={**data, "current": code}, template="set")
