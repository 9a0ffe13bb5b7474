"""The spec model of what a bot does besides answering commands: message triggers, member events,
reactions, schedules and its memory (state). Frozen dataclasses built by
:mod:`hypotez.declaration.events_building`; ``Spec.events`` holds an :class:`EventsSpec`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from hypotez.declaration.model import Location, frozen_mapping

# Every action there is (the schema's names, hypotez.declaration.schema_events.ACTION).
ACTION_KINDS = ("add_role", "remove_role", "delete_message", "react", "dm", "set", "increment")
# What each action needs of the bot on Discord (its own permissions, not the user's).
ACTION_PERMISSIONS = {"add_role": "manage_roles", "remove_role": "manage_roles",
                      "delete_message": "manage_messages", "react": "add_reactions"}


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One action: ``kind`` (add_role, remove_role, delete_message, react, dm, set, increment) and its
    argument (a role name, an emoji, a text, a state key); ``value`` for set, ``by`` for increment."""

    kind: str
    target: Any = None
    value: Any = None
    by: int = 1
    path: tuple[Any, ...] = ()

    @property
    def permission(self) -> str | None:
        return ACTION_PERMISSIONS.get(self.kind)


@dataclass(frozen=True, slots=True)
class ResponseSpec:
    """What a trigger, an event, a reaction or a schedule does: post a text (``text``, per language) or
    a template (``template``) in ``channel`` (None: where it happened) or by DM, and take actions."""

    texts: Mapping[str, str] = field(default_factory=frozen_mapping)
    template: str | None = None
    channel: str | None = None
    dm: bool = False
    actions: tuple[ActionSpec, ...] = ()
    permissions: tuple[str, ...] = ()
    path: tuple[Any, ...] = ()

    @property
    def says_something(self) -> bool:
        return bool(self.texts) or self.template is not None


@dataclass(frozen=True, slots=True)
class ExampleSpec:
    """``say`` this; the reply must contain ``expect`` (None: anything), or be nothing at all."""

    say: str
    expect: str | None = None
    nothing: bool = False
    owner: str = ""  # "command hi", "trigger hello"
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class CooldownRule:
    rate: int
    per: float
    scope: str = "user"


@dataclass(frozen=True, slots=True)
class TriggerSpec:
    name: str
    mode: str  # contains | starts_with | exact | regex
    pattern: str
    response: ResponseSpec
    ignore_case: bool = True
    ignore_accents: bool = True
    channels: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    priority: int = 0
    stop: bool = True
    cooldown: CooldownRule | None = None
    location: Location | None = None
    modes: tuple[str, ...] = ()  # every match mode written (exactly one is right)


@dataclass(frozen=True, slots=True)
class ReactionSpec:
    name: str
    emoji: str
    message: str | None = None
    channel: str | None = None
    role: str | None = None
    added: ResponseSpec | None = None
    removed: ResponseSpec | None = None
    permissions: tuple[str, ...] = ()
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    name: str
    response: ResponseSpec
    cron: str | None = None
    every: float | None = None
    timezone: str = "UTC"
    missed: str = "skip"
    command: str | None = None
    location: Location | None = None

    @property
    def fingerprint(self) -> str:
        """Changes when the timing changes: a stored next run made for other timing is recomputed."""
        return f"{self.cron}|{self.every}|{self.timezone}"


@dataclass(frozen=True, slots=True)
class StateKeySpec:
    key: str
    scope: str
    counter: bool = False
    default: Any = None
    leaderboard: int = 10
    max_length: int | None = None

    @property
    def initial(self) -> Any:
        return self.default if self.default is not None else (0 if self.counter else "")


@dataclass(frozen=True, slots=True)
class StateLimits:
    max_keys: int = 50
    max_value_length: int = 1000
    max_rows: int = 100_000


@dataclass(frozen=True, slots=True)
class EventsSpec:
    triggers: tuple[TriggerSpec, ...] = ()
    member_join: ResponseSpec | None = None
    member_leave: ResponseSpec | None = None
    # (role name, what to do) when a member is given (role_added) or loses (role_removed) a role
    role_added: tuple[tuple[str, ResponseSpec], ...] = ()
    role_removed: tuple[tuple[str, ResponseSpec], ...] = ()
    reactions: tuple[ReactionSpec, ...] = ()
    schedules: tuple[ScheduleSpec, ...] = ()
    state: Mapping[str, StateKeySpec] = field(default_factory=frozen_mapping)
    limits: StateLimits = StateLimits()
    examples: tuple[ExampleSpec, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.triggers or self.member_join or self.member_leave or self.reactions
                    or self.schedules or self.state or self.role_added or self.role_removed)

    @property
    def needs_members(self) -> bool:
        """Member events need Discord's members intent."""
        return self.member_join is not None or self.member_leave is not None or bool(self.role_added
                                                                                     or self.role_removed)

    def responses(self) -> list[ResponseSpec]:
        out = [t.response for t in self.triggers] + [s.response for s in self.schedules]
        out += [r for r in (self.member_join, self.member_leave) if r is not None]
        out += [r for _, r in self.role_added + self.role_removed]
        out += [r for reaction in self.reactions for r in (reaction.added, reaction.removed) if r is not None]
        return out
