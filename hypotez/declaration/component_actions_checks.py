"""The checks of what buttons and select menus do with the bot's memory and on Discord (``hypotez
validate``), made by the events' checker so that they are the same: every action's name, state key and
Discord permission (declared in ``permissions:`` beside ``actions:``); and the state every interactive
text reads (``{{ state.member.presses }}``). A key a button writes or reads counts as written or read,
so the events' "state 'x' is never written / never read" warnings stay true."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from hypotez.declaration.events_checks import EventsChecker, EventText, EventTexts, check_events
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
    def __init__(self, events: EventsSpec, add: Add, languages: Iterable[str], interactions: Interactions):
        super().__init__(events, add, languages)
        self.interactions = interactions

    def run(self) -> None:
        self.components()
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
        # Replies, edits, DMs, values set: the registry checks and counts the state they read.
        self.found.state_texts.extend(EventText(path, source, "component")
                                      for path, source in self.interactions.sources if "state" in source)

    def text(self, source: str, context: str, path: tuple[Any, ...]) -> None:
        if context != "component":  # a component's texts are all in interactions.sources, taken above
            super().text(source, context, path)


def check_events_and_components(events: EventsSpec, interactions: Interactions | None, add: Add,
                                languages: Iterable[str]) -> EventTexts:
    """:func:`~hypotez.declaration.events_checks.check_events`, with what the interactive parts do."""
    if interactions is None or not _acts(interactions):
        return check_events(events, add, languages)
    checker = ComponentActionsChecker(events, add, languages, interactions)
    checker.run()
    return checker.found
