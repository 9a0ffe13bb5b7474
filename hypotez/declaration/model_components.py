"""The interactive parts of a spec as frozen dataclasses: ephemeral replies, components (buttons and
select menus) attached to a reply and what pressing them does, modals (forms), context-menu commands.

They sit beside the commands (:attr:`hypotez.declaration.model.Spec.interactions`) rather than inside
them: a command's interactive parts are looked up by its name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from hypotez.declaration.events_model import ActionSpec as StepSpec
from hypotez.declaration.events_model import ResponseSpec
from hypotez.declaration.model import ArgumentSpec, Localized, Location, PermissionSpec, frozen_mapping

# What owns the components of the conversational answers (bot.messages) in custom ids and lookups.
MESSAGES_OWNER = "~"

BUTTON_TYPES = ("button", "link")
SELECT_TYPES = ("select", "user_select", "role_select", "channel_select")
ACTION_KINDS = ("reply", "edit", "run", "toggle_role", "modal")
# A component is always on one of the bot's own messages: deleting it needs no Manage Messages.
OWN_MESSAGE_PERMISSIONS = ("manage_messages",)
# A button or a select menu that only takes actions (``actions:`` without reply, edit or run).
ONLY_ACTIONS = "actions"


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """What a press, a pick, a form or a context menu does: exactly one ``kind`` of ACTION_KINDS, or, for
    a button or a select menu, ONLY_ACTIONS. ``steps``: the actions taken first (those of triggers and
    events: roles, reactions, DMs, state), with the bot permissions they may use."""

    kind: str
    text: Localized | None = None  # reply / edit: a Jinja text (per language)
    command: str | None = None  # run: the command's name
    # run: argument name → a Jinja text rendered at press time (the values picked, the form's inputs...)
    arguments: Mapping[str, str] | None = None
    role: str | None = None  # toggle_role: the role's name
    modal: str | None = None  # modal: the modal's name
    ephemeral: bool = True  # reply / run / toggle_role: only the presser sees the answer
    steps: tuple[StepSpec, ...] = ()
    permissions: tuple[str, ...] = ()  # the bot's permissions the steps may use
    location: Location | None = None

    def as_response(self) -> ResponseSpec:
        """The steps as the events' runner takes them (hypotez.actions.runner)."""
        return ResponseSpec(actions=self.steps, permissions=self.permissions)


@dataclass(frozen=True, slots=True)
class OptionSpec:
    label: Localized
    value: str
    description: Localized | None = None
    emoji: str | None = None


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    id: str
    type: str  # BUTTON_TYPES or SELECT_TYPES
    label: Localized | None = None
    style: str = "secondary"
    emoji: str | None = None
    url: Localized | None = None
    row: int | None = None
    placeholder: Localized | None = None
    options: tuple[OptionSpec, ...] = ()
    min_values: int = 1
    max_values: int = 1
    action: ActionSpec | None = None
    permissions: PermissionSpec = PermissionSpec()
    expires: float | None = None  # seconds after the reply is sent; None: never
    location: Location | None = None

    @property
    def is_select(self) -> bool:
        return self.type in SELECT_TYPES


@dataclass(frozen=True, slots=True)
class InputSpec:
    """A modal's text input: an argument (its type and JSON Schema rules) and how it is shown."""

    argument: ArgumentSpec
    label: Localized
    style: str = "short"  # short | paragraph
    placeholder: Localized | None = None


@dataclass(frozen=True, slots=True)
class ModalSpec:
    name: str
    title: Localized
    inputs: tuple[InputSpec, ...]
    action: ActionSpec
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class ContextMenuSpec:
    name: str
    target: str  # "message" | "user"
    action: ActionSpec
    permissions: PermissionSpec = PermissionSpec()
    where: str = "guild"
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class ReplyInteractions:
    """The interactive parts of one command's replies (or of the conversational answers)."""

    components: tuple[ComponentSpec, ...] = ()
    # True/False for every outcome, or the outcomes whose replies only the user sees.
    ephemeral: bool | frozenset[str] = False

    def is_ephemeral(self, outcome: str | None) -> bool:
        if isinstance(self.ephemeral, bool):
            return self.ephemeral
        return (outcome or "default") in self.ephemeral

    def component(self, component_id: str) -> ComponentSpec | None:
        return next((c for c in self.components if c.id == component_id), None)


NO_INTERACTIONS = ReplyInteractions()


@dataclass(frozen=True, slots=True)
class Interactions:
    replies: Mapping[str, ReplyInteractions] = field(default_factory=frozen_mapping)  # owner → its parts
    modals: Mapping[str, ModalSpec] = field(default_factory=frozen_mapping)
    context_menus: tuple[ContextMenuSpec, ...] = ()
    # (path in the YAML, Jinja text) of every action's text: the registry checks that they parse.
    sources: tuple[tuple[tuple, str], ...] = ()

    def of(self, owner: str) -> ReplyInteractions:
        return self.replies.get(owner, NO_INTERACTIONS)

    @property
    def empty(self) -> bool:
        return not self.replies and not self.modals and not self.context_menus

    def texts(self) -> list[tuple[Location | None, str]]:
        """Every Jinja text of the interactive parts, with where it was written (for the checks)."""
        found: list[tuple[Location | None, str]] = []

        def action(spec: ActionSpec | None) -> None:
            if spec is None:
                return
            found.extend((spec.location, t) for t in (spec.text or {}).values())
            found.extend((spec.location, t) for t in (spec.arguments or {}).values())

        for parts in self.replies.values():
            for component in parts.components:
                action(component.action)
        for modal in self.modals.values():
            action(modal.action)
        for menu in self.context_menus:
            action(menu.action)
        return found


