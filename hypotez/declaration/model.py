"""The validated spec as small frozen dataclasses. Built once by the loader; nothing mutates them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from hypotez.declaration.model_groups import AutocompleteSpec, DiscordSideSpec, GroupSpec, LocalizedSpec

DEFAULT_REPLY = "default"


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


def frozen_mapping(data: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(data or {}))


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class PermissionSpec:
    roles: tuple[str, ...] = ()
    discord: tuple[str, ...] = ()
    users: tuple[str, ...] = ()

    @property
    def restricted(self) -> bool:
        return bool(self.roles or self.discord or self.users)


@dataclass(frozen=True, slots=True)
class ArgumentSpec:
    name: str
    type: str
    description: str = ""
    required: bool = True
    default: Any = MISSING
    choices: tuple[Any, ...] = ()
    greedy: bool = False
    kind: str = "any"  # path arguments: "file", "folder" or "any"
    must_exist: bool = True
    # JSON Schema keywords (minimum, maxLength, pattern, enum, ...) the converted value must satisfy.
    rules: Mapping[str, Any] = field(default_factory=frozen_mapping)
    # json arguments: a whole JSON Schema for the value.
    schema: Mapping[str, Any] | None = None
    # Who may give a value for it (a default is the spec's own value: always allowed).
    permissions: PermissionSpec = PermissionSpec()
    location: Location | None = None
    # Suggestions as it is typed (hypotez.autocomplete); None: none.
    autocomplete: AutocompleteSpec | None = None
    # Its name, description and choice names per language, for Discord (hypotez.adapters.discord_translator).
    localized: LocalizedSpec | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not MISSING

    def usage(self) -> str:
        if self.type == "attachment":
            text = f"{self.name}: attached file"
        elif self.type == "boolean" and not self.required:
            return f"[{self.name}=yes|no]"
        else:
            text = self.name
        return f"<{text}>" if self.required else f"[{text}]"


@dataclass(frozen=True, slots=True)
class CooldownSpec:
    rate: int
    per: float
    scope: str = "user"


# Text written in the spec, per language: language code → Jinja source. ANY_LANGUAGE marks text given
# without a language (it answers in every language).
ANY_LANGUAGE = "*"
Localized = Mapping[str, str]


def pick_language(texts: Mapping[str, Any], language: str, default: str) -> Any:
    """The value for ``language``, else the default language's, else the language-neutral one."""
    for key in (language, default, ANY_LANGUAGE):
        if key in texts:
            return texts[key]
    return next(iter(texts.values()))


@dataclass(frozen=True, slots=True)
class EmbedFieldSpec:
    name: Localized
    value: Localized
    inline: bool = False


@dataclass(frozen=True, slots=True)
class EmbedSpec:
    """An embed declared in YAML; every text is a template rendered at send time."""

    title: Localized | None = None
    description: Localized | None = None
    url: Localized | None = None
    color: Any = None  # as written in the spec (a name, #hex or a number): see embeds.parse_color
    fields: tuple[EmbedFieldSpec, ...] = ()
    footer: Localized | None = None
    image: Localized | None = None
    thumbnail: Localized | None = None


@dataclass(frozen=True, slots=True)
class InlineReply:
    """The answer written in the spec itself (``text:`` and/or ``embed:``), instead of a template file.
    ``texts`` maps a language to the texts to choose from (one is picked at random)."""

    texts: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_mapping)
    embed: EmbedSpec | None = None


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    description: str
    aliases: tuple[str, ...] = ()
    help: str = ""
    handler: str | None = None
    # outcome key → template name; DEFAULT_REPLY is used when the handler names no outcome.
    reply_templates: Mapping[str, str] = field(default_factory=frozen_mapping)
    arguments: tuple[ArgumentSpec, ...] = ()
    permissions: PermissionSpec = PermissionSpec()
    cooldown: CooldownSpec | None = None
    where: str = "any"
    slash: bool = True
    hidden: bool = False
    examples: tuple[str, ...] = ()
    builtin: bool = False
    location: Location | None = None
    # The answer written in the spec (text / embed); None when it comes from template files.
    inline: InlineReply | None = None
    # Where it is in the YAML when it is a subcommand ("commands", "tag", "subcommands", "add"); see path.
    yaml_path: tuple[str, ...] = ()
    # Discord's own settings of its slash form (hypotez.declaration.model_groups).
    discord: DiscordSideSpec | None = None
    # Permissions the bot itself needs for it (attach_files to send files, ...): hypotez.declaration.needs.
    bot_permissions: tuple[str, ...] = ()
    # Its name and description per language, for Discord (hypotez.adapters.discord_translator).
    localized: LocalizedSpec | None = None

    @property
    def path(self) -> tuple[str, ...]:
        return self.yaml_path or ("commands", self.name)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def unrestricted(self) -> bool:
        """Anyone may run it anywhere, as often as they like: the checks would have nothing to check."""
        return self.where == "any" and self.cooldown is None and not self.permissions.restricted

    @property
    def static(self) -> bool:
        """It may answer the same to everyone: unrestricted, no handler, no arguments, and an answer that
        is a text or a template (whether that is plain text is the renderers' to say)."""
        return (self.handler is None and not self.arguments and self.unrestricted
                and (self.inline is not None or DEFAULT_REPLY in self.reply_templates))

    def argument(self, name: str) -> ArgumentSpec | None:
        return next((a for a in self.arguments if a.name == name), None)

    def usage(self, prefix: str) -> str:
        parts = [f"{prefix}{self.name}", *(a.usage() for a in self.arguments)]
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class MessagesSpec:
    """How the bot answers messages that are not commands (conversational replies)."""

    handler: str
    reply_templates: Mapping[str, str] = field(default_factory=frozen_mapping)
    channels: tuple[str, ...] = ()
    mention_only: bool = False


@dataclass(frozen=True, slots=True)
class Settings:
    name: str = "hypotez"
    description: str = ""
    prefix: str = "!"
    language: str = "en"
    languages: tuple[str, ...] = ("en",)
    slash: bool = True
    case_insensitive: bool = True
    errors: Mapping[str, str] = field(default_factory=frozen_mapping)
    messages: MessagesSpec | None = None
    model: Mapping[str, Any] = field(default_factory=frozen_mapping)
    voice: Mapping[str, Any] = field(default_factory=frozen_mapping)
    storage: Mapping[str, Any] = field(default_factory=frozen_mapping)
    # A channel (name or id) where the bot reports problems to its admins (e.g. a rejected reload).
    admin_channel: str | None = None
    # Where attachments may be downloaded from, and how big they may be (hypotez.attachments).
    attachments: Mapping[str, Any] = field(default_factory=frozen_mapping)
    # Whether each server keeps its own data ("isolated") or all share one ("shared"); see hypotez.tenancy.
    tenancy: str = "isolated"
    # The server whose model answers direct messages (isolated bots); None: direct messages get no model.
    home_server: str | None = None
    # Where hypotez run serves metrics and health (hypotez.declaration.schema_metrics); empty: nowhere.
    metrics: Mapping[str, Any] = field(default_factory=frozen_mapping)
    # Servers the slash commands are synced to instead of globally (hypotez.adapters.discord_sync_plan).
    slash_servers: tuple[str, ...] = ()
    # Slash commands answered in the user's Discord locale when it is one of the languages.
    locale_replies: bool = False


ERROR_KINDS = ("unknown_command", "missing_argument", "bad_argument", "not_allowed", "on_cooldown",
               "wrong_place", "path_refused", "not_found", "bad_input", "bad_dataset", "bad_audio",
               "bad_reply", "internal_error")


@dataclass(frozen=True, slots=True)
class Spec:
    settings: Settings
    commands: tuple[CommandSpec, ...]
    path: Path
    templates_dir: Path
    warnings: tuple[Any, ...] = ()
    # Command groups by their whole name ("tag", "config role"); their leaves are in ``commands``.
    groups: Mapping[str, GroupSpec] = field(default_factory=frozen_mapping)
    # Ephemeral replies, components, modals, context menus (hypotez.declaration.model_components).
    interactions: Any = None
    # Triggers, member events, reactions, schedules, state (hypotez.declaration.events_model.EventsSpec).
    events: Any = None

    def error_template(self, kind: str) -> str:
        return self.settings.errors.get(kind) or f"errors/{kind}"

    def command_index(self) -> dict[str, CommandSpec]:
        """Every name and alias → its command (lower-case keys when the bot is case-insensitive)."""
        index: dict[str, CommandSpec] = {}
        for command in self.commands:
            for name in command.names:
                index[name.lower() if self.settings.case_insensitive else name] = command
        return index
