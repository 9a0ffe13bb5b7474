"""The checks of what buttons and select menus do with the bot's memory and on Discord (``hypotez
validate``), made by the events' checker so that they are the same: every action's name, state key and
Discord permission (declared in ``permissions:`` beside ``actions:``); and the state every interactive
text reads (``{{ state.member.presses }}``). A key a button writes or reads counts as written or read,
so the events' "state 'x' is never written / never read" warnings stay true."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from hypotez.declaration.events_checks import EventsChecker, _state_reads, check_events, event_templates
from hypotez.declaration.events_model import EventsSpec
from hypotez.declaration.model_components import OWN_MESSAGE_PERMISSIONS, Interactions

Add = Callable[..., None]


def _acts(interactions: Interactions | None) -> bool:
    """Whether any interactive part takes actions or reads the bot's memory."""
    if interactions is None:
        return False
    return any(c.action is not None and c.action.steps for parts in interactions.replies.values()
               for c in parts.components) or any("state" in text for _, text in interactions.sources)


class ComponentActionsChecker(EventsChecker):
    def __init__(self, events: EventsSpec, add: Add, languages: Iterable[str], commands: Iterable[Any],
                 interactions: Interactions):
        super().__init__(events, add, languages, commands)
        self.interactions = interactions

    def run(self) -> None:
        self.components()  # first: the events' checks end with the state keys' warnings
        super().run()

    def components(self) -> None:
        for parts in self.interactions.replies.values():
            for component in parts.components:
                action = component.action
                if action is None or not action.steps:
                    continue
                declared = set(action.permissions) | set(OWN_MESSAGE_PERMISSIONS)
                for step in action.steps:
                    self.action(step, "component", declared, (), needs_message=True)
        for path, source in self.interactions.sources:  # replies, edits, DMs, values set: what they read
            if "state" not in source:
                continue
            try:
                tree = self.env.parse(source)
            except Exception:  # a text that does not compile: the registry's checks say so
                continue
            for scope, key, _line in _state_reads(tree):
                self.state_read(scope, key, "component", path)

    def text(self, source: str, context: str, path: tuple[Any, ...]) -> None:
        if context != "component":  # a component's texts are all in interactions.sources, read above
            super().text(source, context, path)


def check_events_and_components(events: EventsSpec, interactions: Interactions | None, add: Add,
                                languages: Iterable[str], commands: Iterable[Any] = ()) -> dict[tuple[Any, ...], str]:
    """:func:`~hypotez.declaration.events_checks.check_events`, with what the interactive parts do."""
    if interactions is None or not _acts(interactions):
        return check_events(events, add, languages, commands)
    ComponentActionsChecker(events, add, languages, commands, interactions).run()
    return event_templates(events)
