"""How the dispatcher meets the events: the engine made for its registry, and the triggers run on a
message before the conversational reply. Kept here so the pipeline only calls two functions."""

from __future__ import annotations

from typing import Any

from hypotez.actions.base import ActionRefused
from hypotez.events.engine import EventEngine
from hypotez.events.info import MemberInfo
from hypotez.reasons import Reason
from hypotez.scope import base_scope

# The pipeline calls these with itself (a hypotez.pipeline.Dispatcher) and its Request: named, not imported,
# so that the events package does not import the pipeline that imports it.
Dispatcher = Any
Request = Any


def event_engine(dispatcher: Dispatcher) -> EventEngine | None:
    events = dispatcher.spec.events
    if events is None or events.empty:
        return None
    settings = dispatcher.spec.settings
    base = base_scope(settings.prefix, settings.name, settings.language)
    base.pop("language")
    return EventEngine(events, renderer=dispatcher.renderer, reasons=dispatcher.reasons, base=base,
                       default_language=settings.language, cooldowns=dispatcher.cooldowns,
                       state=getattr(dispatcher.services, "state", None))


async def run_triggers(dispatcher: Dispatcher, request: Request) -> bool:
    """The triggers on a message that is not a command; whether the conversational reply may still answer."""
    engine = dispatcher.events
    if engine is None or not engine.matchers or not request.content.strip() or request.author.is_bot:
        return True
    language = await dispatcher.server_language(request.place.guild_id)
    tenant = dispatcher.tenancy.scope(request.place.guild_id, request.author.id).tenant
    actuator = request.actuator if request.actuator is not None else OutboxActuator(request.outbox)
    return await engine.on_message(content=request.content, member=MemberInfo.of(request.author),
                                   author=request.author, place=request.place, tenant=tenant, language=language,
                                   actuator=actuator)


async def add_command_state(dispatcher: Dispatcher, command: Any, invocation: Any, data: dict[str, Any]) -> None:
    """Put ``state`` into a command's answer data when the answer reads it."""
    engine = dispatcher.events
    if engine is None or "state" in data:
        return
    tenant = dispatcher.tenancy.scope(invocation.place.guild_id, invocation.author.id).tenant
    state = await engine.command_state(command, invocation.author, invocation.place, tenant, invocation.language)
    if state is not None:
        data["state"] = state


class OutboxActuator:
    """Where an adapter gave no actuator (a test's own requests): it posts where the message was, and
    refuses what needs Discord."""

    def __init__(self, outbox: Any):
        self.outbox = outbox

    async def post(self, channel: str | None, text: str, nonce: str | None = None) -> bool:
        if channel is not None or self.outbox is None:
            return False
        await self.outbox.send(text)
        return True

    def channel_named(self, channel: str) -> tuple[str, str] | None:
        return None  # it posts only where the message was

    async def _refuse(self, *_: Any) -> None:
        raise ActionRefused(Reason("action.no_message"))

    dm = add_role = remove_role = delete_message = react = _refuse

    async def tell_admins(self, text: str) -> None:
        return None
