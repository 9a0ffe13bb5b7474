"""Running a response's actions, in order: each gated by the permissions the spec declares for it, then
done through the adapter's :class:`~hypotez.actions.base.Actuator` (which checks the bot's actual
permissions and role hierarchy). A refused action is logged and reported in the admin channel; the
others still run, and the event's text is still posted."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from hypotez.actions.base import ActionRefused, Actuator
from hypotez.declaration.events_model import ActionSpec, EventsSpec, ResponseSpec
from hypotez.reasons import Reason, Reasons
from hypotez.services.state_store import Owner, StateFull, StateStore

log = logging.getLogger("hypotez.actions")

Render = Callable[[Any], Awaitable[str]]  # a text (one per language) → the text rendered for this event
Refusal = tuple[ActionSpec, Reason]  # an action that was not done, and why


@dataclass(slots=True)
class ActionContext:
    """Where the actions of one event run: whose state, and how texts are rendered."""

    what: Reason  # "trigger hello", "member_join", ...: named in the log and the admin channel
    tenant: str
    owners: dict[str, Owner]  # state scope → owner
    label: str  # the member's name, kept with their values for leaderboards
    actuator: Actuator
    render: Render
    language: str
    # A tag making the state writes of this event happen once, however often it is replayed (a scheduled
    # run posted again after a crash); None: every time.
    once: str | None = None


class ActionRunner:
    def __init__(self, events: EventsSpec, state: StateStore | None, reasons: Reasons):
        self.events = events
        self.state = state
        self.reasons = reasons

    async def run(self, response: ResponseSpec, context: ActionContext,
                  declared: tuple[str, ...] = ()) -> list[Refusal]:
        """Take the actions; the ones refused (already logged and reported), for a caller that tells someone."""
        allowed = set(response.permissions) | set(declared)
        refusals: list[Refusal] = []
        for index, action in enumerate(response.actions):
            try:
                if action.permission is not None and action.permission not in allowed:
                    raise ActionRefused(Reason("action.not_declared", permission=action.permission))
                await self._do(action, context, f"{context.once}:{index}" if context.once else None)
            except ActionRefused as refused:
                await self.refused(action, context, refused.reason)
                refusals.append((action, refused.reason))
        return refusals

    async def _do(self, action: ActionSpec, context: ActionContext, once: str | None) -> None:
        actuator = context.actuator
        if action.kind == "add_role":
            await actuator.add_role(action.target)
        elif action.kind == "remove_role":
            await actuator.remove_role(action.target)
        elif action.kind == "delete_message":
            await actuator.delete_message()
        elif action.kind == "react":
            await actuator.react(action.target)
        elif action.kind == "dm":
            await actuator.dm(await context.render(action.target))
        elif action.kind in ("set", "increment"):
            await self._state(action, context, once)

    async def _state(self, action: ActionSpec, context: ActionContext, once: str | None) -> None:
        key = self.events.state.get(action.target)
        if key is None or self.state is None or key.scope not in context.owners:
            raise ActionRefused(Reason("action.no_state_owner", name=action.target))
        owner, limits = context.owners[key.scope], self.events.limits
        try:
            if action.kind == "increment":
                await self.state.increment(context.tenant, owner, key.key, action.by, start=int(key.initial or 0),
                                           label=context.label, max_rows=limits.max_rows, once=once)
            else:
                value = action.value
                if isinstance(value, str):
                    value = await context.render({"*": value})
                await self.state.write(context.tenant, owner, key.key, value, label=context.label,
                                       max_length=min(key.max_length or limits.max_value_length,
                                                      limits.max_value_length),
                                       max_rows=limits.max_rows, once=once)
        except StateFull as full:
            raise ActionRefused(Reason(f"action.state_{full.what}", name=full.key, limit=full.limit)) from None

    async def refused(self, action: ActionSpec, context: ActionContext, reason: Reason) -> None:
        """Log it, and tell the admins in their channel in the bot's language."""
        text = self.reasons.catalog(context.language).render(reason)
        target = f" {action.target}" if isinstance(action.target, str) else ""
        log.warning("%s: action %s%s not done: %s", context.what, action.kind, target, text)
        notice = self.reasons.catalog(context.language).render(
            Reason("action.refused_notice", what=context.what, action=f"{action.kind}{target}", reason=text))
        try:
            await context.actuator.tell_admins(str(notice))
        except Exception as error:  # the admin channel is a courtesy: its failure must not stop the event
            log.warning("%s: could not tell the admins: %s", context.what, error)
