"""The actions a button or a select menu takes before it answers — those of triggers and events: give or
take a role, delete its message, react, send a DM, set or increment state.

They run through the same :class:`~hypotez.actions.runner.ActionRunner` as the events' do, with the
actuator the adapter made for the interaction (the presser is the member, the component's message is
the message): each is gated by the permissions the spec declares and by the bot's actual ones; a
refused one is logged and reported in the admin channel, and returned, so the presser is told why."""

from __future__ import annotations

from typing import Any

from hypotez.actions.base import Actuator
from hypotez.actions.runner import ActionContext, ActionRunner, Refusal
from hypotez.declaration.events_model import EventsSpec
from hypotez.declaration.model_components import MESSAGES_OWNER, OWN_MESSAGE_PERMISSIONS, ActionSpec
from hypotez.events.engine import owners_of
from hypotez.events.info import MemberInfo
from hypotez.reasons import Reason


class ComponentActions:
    """The actions of the components of one dispatcher (its spec's state keys and limits, its store)."""

    def __init__(self, dispatcher: Any):
        self.dispatcher = dispatcher
        events = dispatcher.spec.events if dispatcher.spec.events is not None else EventsSpec()
        self.events = events
        self.runner = ActionRunner(events, getattr(dispatcher.services, "state", None), dispatcher.reasons)

    def _tenant(self, request: Any) -> str:
        return self.dispatcher.tenancy.scope(request.place.guild_id, request.author.id).tenant

    async def state(self, request: Any) -> dict[str, Any] | None:
        """What the bot remembers, as texts read it (``state.member.presses``); None without state."""
        engine = self.dispatcher.events
        if engine is None or not self.events.state:
            return None
        return await engine.load_state(MemberInfo.of(request.author), request.place, self._tenant(request))

    async def run(self, action: ActionSpec, *, owner: str, component: str, request: Any, actuator: Actuator,
                  scope: dict[str, Any], language: str) -> list[Refusal]:
        """Take ``action``'s steps in order; the ones not done, with why."""
        parts = self.dispatcher.parts

        async def render(texts: Any) -> str:  # a DM's text, a value to set: with the state as it is now
            state = await self.state(request)
            return parts.text(texts, {**scope, **({"state": state} if state is not None else {})}, language)

        member = MemberInfo.of(request.author)
        what = Reason("event.component", name=component,
                      owner="bot.messages" if owner == MESSAGES_OWNER else f"{self.dispatcher.prefix}{owner}")
        context = ActionContext(what, self._tenant(request), owners_of(member, request.place), str(member), actuator,
                                render, language)
        return await self.runner.run(action.as_response(), context, declared=OWN_MESSAGE_PERMISSIONS)
