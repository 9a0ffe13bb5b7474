"""What using a component, a form or a context menu does, the same for every adapter.

An adapter describes the use (:class:`Use`) and what it can do in answer (:class:`Surface`: reply,
edit the message, open a form, toggle a role); :class:`ComponentRuntime` checks it (the id is one of
ours and not expired, the person may use it, a form's values pass their arguments' rules) and does the
declared action. Every refusal is a reply only that person sees, in the reply's language."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Protocol

from hypotez.actions.base import Actuator
from hypotez.arguments import ConversionContext, finish
from hypotez.checks import check_permissions, check_place
from hypotez.components.actions import ComponentActions
from hypotez.components.ids import PREFIX, Decoded, carried, decode
from hypotez.components.rendered import RenderedModal
from hypotez.declaration.model import CommandSpec
from hypotez.declaration.model_components import ONLY_ACTIONS, ActionSpec, ContextMenuSpec, Interactions, ModalSpec
from hypotez.errors import BadArgument, BadReply, CommandError, MissingArgument, NotAllowed, UserInputError
from hypotez.outgoing import OutgoingMessage
from hypotez.reasons import Reason

log = logging.getLogger("hypotez.components")


class Surface(Protocol):
    """What the adapter can do in answer to one use."""

    async def reply(self, reply: OutgoingMessage) -> None: ...

    async def edit(self, reply: OutgoingMessage) -> None: ...

    async def open_modal(self, modal: RenderedModal) -> None: ...

    async def toggle_role(self, role: str) -> bool:
        """Give the role to the person (True) or take it away when they have it (False); raises
        UserInputError with the reason when that cannot be done."""
        ...

    def actuator(self) -> Actuator:
        """What takes a button's actions (hypotez.components.actions): the presser is the member, the
        component's message is the message."""
        ...


@dataclass(slots=True)
class Use:
    """Someone used a component (``custom_id``, select ``values``), submitted a form (``custom_id``,
    ``inputs``) or a context menu (``menu``, ``target``). ``request`` is the pipeline's Request for it
    (who, where, the outbox); ``message_id`` and ``message_text``: the message the component is on."""

    request: Any
    custom_id: str = ""
    message_id: str | None = None
    message_text: str = ""
    values: tuple[str, ...] = ()
    inputs: Mapping[str, str] = field(default_factory=dict)
    menu: ContextMenuSpec | None = None
    target: Mapping[str, Any] = field(default_factory=dict)


class ComponentRuntime:
    """Uses answered on one dispatcher (the one serving when the use came in)."""

    def __init__(self, dispatcher: Any):
        self.dispatcher = dispatcher
        self.interactions: Interactions = dispatcher.spec.interactions or Interactions()
        self.parts = dispatcher.parts
        self.storage = dispatcher.services.storage

    async def handle(self, use: Use, surface: Surface) -> bool:
        """Answer ``use``; False when its custom id is not one of ours (then nothing was sent)."""
        request = use.request
        language = await self.dispatcher.resolve_language(request)
        try:
            if use.menu is not None:
                await self._menu(use, surface, language)
                return True
            if not use.custom_id.startswith(PREFIX):
                return False
            decoded = decode(use.custom_id)
            if decoded is None:  # ours in form only (forged, or from a version that wrote ids differently)
                raise UserInputError(Reason("components.gone"))
            await self._decoded(decoded, use, surface, language)
        except CommandError as error:
            await surface.reply(self._error(error, language))
        except BadReply as error:  # the spec author must act: say where in the log, tell the user briefly
            log.error("%s", error)
            await surface.reply(self._error(error, language))
        except Exception as error:  # a bug in a handler or a template: log it, answer briefly, go on
            if _delivery_failure(error):
                raise
            log.exception("using %s failed: %s", use.custom_id or (use.menu.name if use.menu else "?"), error)
            reply = self.dispatcher.render_error(error, None, language, internal=True)
            reply.ephemeral = True
            await surface.reply(reply)
        return True

    def _error(self, error: Exception, language: str, command: CommandSpec | None = None) -> OutgoingMessage:
        reply = self.dispatcher.render_error(error, command, language)
        reply.ephemeral = True
        return reply

    async def _decoded(self, decoded: Decoded, use: Use, surface: Surface, language: str) -> None:
        if decoded.expires and time.time() > decoded.expires:
            raise UserInputError(Reason("components.expired"))
        context = await carried(decoded, self.storage.get_setting)
        if context is None:
            raise UserInputError(Reason("components.gone"))
        if decoded.kind == "c":
            component = self.interactions.of(decoded.owner).component(decoded.item)
            if component is None or component.action is None:
                raise UserInputError(Reason("components.gone"))
            try:
                check_permissions(component, use.request.author, use.request.place)  # type: ignore[arg-type]
            except NotAllowed:  # worded for a button, not for a command
                rules = component.permissions
                key = "components.roles_only" if rules.roles else "components.permissions_only"
                raise UserInputError(Reason(key, roles=list(rules.roles), permissions=list(rules.discord))) from None
            scope = {**context, "value": use.values[0] if use.values else "", "values": list(use.values),
                     "target": {"id": use.message_id, "content": use.message_text}}
            await self.perform(component.action, scope, context, use, surface, language,
                               reference=use.message_id, owner=decoded.owner, component=component.id)
            return
        modal = self.interactions.modals.get(decoded.item)
        if modal is None:
            raise UserInputError(Reason("components.gone"))
        try:
            inputs = self._inputs(modal, use)
        except CommandError as error:  # an invalid submission: say what is wrong, only to them
            await surface.reply(self._error(error, language))
            return
        target = context.get("target") or {}
        scope = {**context, **inputs, "target": target}
        await self.perform(modal.action, scope, context, use, surface, language,
                           reference=str(target.get("id")) if target.get("id") else use.message_id)

    def _inputs(self, modal: ModalSpec, use: Use) -> dict[str, Any]:
        """The form's values, converted and checked like arguments (their JSON Schema rules)."""
        form = CommandSpec(name=modal.name, description="", arguments=tuple(i.argument for i in modal.inputs),
                           slash=False)
        given = {k: v for k, v in use.inputs.items() if isinstance(v, str) and v.strip() != ""}
        try:
            return finish(form, given, ConversionContext(validator=self.dispatcher.registry.validator))
        except MissingArgument as error:  # Discord asks for required inputs itself: only a forged form lacks one
            raise BadArgument(error.argument, Reason("components.input_required")) from None

    async def _menu(self, use: Use, surface: Surface, language: str) -> None:
        menu = use.menu
        assert menu is not None
        if menu.where == "guild":
            check_place(replace(CommandSpec(name=menu.name, description=""), where="guild"), use.request.place)
        check_permissions(menu, use.request.author, use.request.place)  # type: ignore[arg-type]
        target = dict(use.target)
        await self.perform(menu.action, {"target": target}, {"target": target}, use, surface, language,
                           reference=str(target.get("id", "")) or None)

    # -- the actions ------------------------------------------------------------------------

    async def perform(self, action: ActionSpec, scope: dict[str, Any], context: Mapping[str, Any], use: Use,
                      surface: Surface, language: str, *, reference: str | None, owner: str = "",
                      component: str = "") -> None:
        dispatcher = self.dispatcher
        full = {**dispatcher.template_data(None, language), **_person(use.request), **scope}
        if action.steps or _reads_state(action):
            actions = ComponentActions(dispatcher)
            if action.steps:
                refusals = await actions.run(action, owner=owner, component=component, request=use.request,
                                             actuator=surface.actuator(), scope=full, language=language)
                if refusals:  # the answer would say it was done: say instead, to the presser only, why not
                    raise UserInputError(Reason("components.not_done", reasons=[why for _, why in refusals]))
            state = await actions.state(use.request)
            if state is not None:
                full["state"] = state
        if action.kind == ONLY_ACTIONS:
            text = dispatcher.reasons.catalog(language).render(Reason("components.actions_done"))
            reply = dispatcher._finished(OutgoingMessage(text=text), language)
            reply.ephemeral = action.ephemeral
            await surface.reply(reply)
        elif action.kind in ("reply", "edit"):
            reply = dispatcher._finished(OutgoingMessage(text=self.parts.text(action.text, full, language)), language)
            if action.kind == "edit":
                await surface.edit(reply)
                return
            reply.ephemeral = action.ephemeral
            await surface.reply(reply)
        elif action.kind == "run":
            await self._run(action, full, use, surface, reference)
        elif action.kind == "toggle_role":
            if use.request.place.is_dm:
                raise UserInputError(Reason("components.role_in_dm"))
            added = await surface.toggle_role(action.role or "")
            key = "components.role_added" if added else "components.role_removed"
            text = dispatcher.reasons.catalog(language).render(Reason(key, role=action.role))
            reply = dispatcher._finished(OutgoingMessage(text=text), language)
            reply.ephemeral = action.ephemeral
            await surface.reply(reply)
        elif action.kind == "modal":
            spec = self.interactions.modals[action.modal or ""]
            keep = {k: v for k, v in context.items() if k != "target"}
            if "target" in context:
                keep["target"] = context["target"]
            elif use.message_id:
                keep["target"] = {"id": use.message_id, "content": use.message_text}
            await surface.open_modal(await self.parts.modal(spec, full, keep, language, self.storage.set_setting))

    async def _run(self, action: ActionSpec, scope: dict[str, Any], use: Use, surface: Surface,
                   reference: str | None) -> None:
        dispatcher = self.dispatcher
        command = dispatcher.find(action.command or "")
        if command is None:  # a reload removed it since the reply was sent
            raise UserInputError(Reason("components.gone"))
        language = scope.get("language")
        arguments = {name: self.parts.text({"*": text}, scope, language or dispatcher.spec.settings.language)
                     for name, text in (action.arguments or {}).items()}
        request = replace(use.request, reference_id=reference,
                          content=f"{dispatcher.prefix}{command.name} " + " ".join(
                              f"{k}={v}" for k, v in arguments.items()))
        reply = await dispatcher.run_command(command, request, {k: v for k, v in arguments.items() if v != ""})
        reply.ephemeral = reply.ephemeral or action.ephemeral
        await surface.reply(reply)


def _reads_state(action: ActionSpec) -> bool:
    """Whether an answer's text reads what the bot remembers (then it is loaded, after the actions)."""
    return any("state" in text for text in (action.text or {}).values())


def _person(request: Any) -> dict[str, Any]:
    author, place = request.author, request.place
    return {"user": author.shown_name, "user_id": author.id, "channel": place.channel_name,
            "channel_id": place.channel_id, "server": place.guild_name or "", "server_id": place.guild_id}


def _delivery_failure(error: Exception) -> bool:
    """An error of the adapter's own (Discord refused the answer): the adapter handles it."""
    return type(error).__module__.startswith(("discord", "aiohttp"))
