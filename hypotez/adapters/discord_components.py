"""Components, modals and context menus on Discord.

Replies carry their buttons and select menus as a ``discord.ui.View`` of :class:`HypotezItem` — a
``DynamicItem`` matching every hypotez custom id — so nothing is kept per message, and a press after a
restart is dispatched like any other (the custom id says everything: see hypotez.components.ids).
Form submissions come through ``on_interaction``; context menus are app commands of the tree. Each
use is answered by :class:`~hypotez.components.runtime.ComponentRuntime` through a
:class:`DiscordSurface`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord
from discord import app_commands

from hypotez.actions.base import ActionRefused
from hypotez.adapters.discord_events import DiscordActuator
from hypotez.adapters.discord_inbound import DiscordResolver, author_of
from hypotez.adapters.discord_roles import assignable_role
from hypotez.adapters.discord_interactions import InteractionAnswer, answer_in_time, interaction_place
from hypotez.adapters.discord_sending import NO_MENTIONS, DiscordOutbox
from hypotez.components.ids import PREFIX
from hypotez.components.rendered import RenderedComponent, RenderedModal, Rows
from hypotez.components.runtime import ComponentRuntime, Use
from hypotez.declaration.model_components import ContextMenuSpec
from hypotez.errors import UserInputError
from hypotez.outgoing import OutgoingMessage
from hypotez.pipeline import Request
from hypotez.reasons import Reason
from hypotez.text import DISCORD_LIMIT

log = logging.getLogger("hypotez.discord")

STYLES = {"primary": discord.ButtonStyle.primary, "secondary": discord.ButtonStyle.secondary,
          "success": discord.ButtonStyle.success, "danger": discord.ButtonStyle.danger}
SELECTS: dict[str, Any] = {"user_select": discord.ui.UserSelect, "role_select": discord.ui.RoleSelect,
                           "channel_select": discord.ui.ChannelSelect}
FORM_TIMEOUT = 900.0  # seconds an open form is kept by discord.py; after that the submission still works


class HypotezItem(discord.ui.DynamicItem[discord.ui.Item], template=re.escape(PREFIX) + r"\[.*"):
    """Any button or select menu hypotez sent: rebuilt from its custom id when it is used."""

    def __init__(self, item: discord.ui.Item) -> None:
        super().__init__(item)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item,
                             match: re.Match[str], /) -> "HypotezItem":
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: Any = interaction.client
        data: Any = interaction.data or {}
        message = interaction.message
        use = Use(request=interaction_request(bot, interaction, message.id if message else None),
                  custom_id=str(data.get("custom_id", "")), message_id=str(message.id) if message else None,
                  message_text=message.content if message else "", values=tuple(data.get("values") or ()))
        await run_use(bot, interaction, use)


def discord_item(component: RenderedComponent) -> discord.ui.Item:
    emoji = component.emoji or None
    if component.type == "link":
        return discord.ui.Button(style=discord.ButtonStyle.link, label=component.label or None, url=component.url,
                                 emoji=emoji)
    if component.type == "button":
        return HypotezItem(discord.ui.Button(style=STYLES.get(component.style, discord.ButtonStyle.secondary),
                                             label=component.label or None, emoji=emoji,
                                             custom_id=component.custom_id))
    if component.type == "select":
        options = [discord.SelectOption(label=o.label, value=o.value, description=o.description or None,
                                        emoji=o.emoji or None) for o in component.options]
        select: discord.ui.Item = discord.ui.Select(custom_id=component.custom_id, options=options,
                                                    placeholder=component.placeholder or None,
                                                    min_values=component.min_values,
                                                    max_values=component.max_values)
    else:
        select = SELECTS[component.type](custom_id=component.custom_id, placeholder=component.placeholder or None,
                                         min_values=component.min_values, max_values=component.max_values)
    return HypotezItem(select)


def component_view(rows: Rows) -> discord.ui.View:
    """The view of a reply's components (made of dynamic items: discord.py keeps nothing per message)."""
    view = discord.ui.View(timeout=None)
    for number, row in enumerate(rows):
        for component in row:
            item = discord_item(component)
            item.row = number
            view.add_item(item)
    return view


def interaction_request(bot: Any, interaction: discord.Interaction, reference: int | None = None) -> Request:
    answer = InteractionAnswer.of(interaction)
    return Request(author=author_of(interaction.user), place=interaction_place(interaction),
                   message_id=str(interaction.id), reference_id=str(reference) if reference else None,
                   outbox=DiscordOutbox(answer, bot.redactor()),  # type: ignore[arg-type]
                   voice=bot.voice_gateway, resolver=DiscordResolver(interaction.guild))


class DiscordSurface:
    """What can be done in answer to one interaction."""

    def __init__(self, bot: Any, interaction: discord.Interaction, request: Request):
        self.bot = bot
        self.interaction = interaction
        self.request = request

    async def reply(self, reply: OutgoingMessage) -> None:
        answer = InteractionAnswer.of(self.interaction)
        await self.bot.deliver(answer.sender(ephemeral=reply.ephemeral or reply.is_error), reply, self.request)

    async def edit(self, reply: OutgoingMessage) -> None:
        text = self.bot.redactor()(reply.text)[:DISCORD_LIMIT]
        response = self.interaction.response
        if not response.is_done() and self.interaction.message is not None:
            await response.edit_message(content=text, allowed_mentions=NO_MENTIONS)
        elif self.interaction.message is not None:
            await self.interaction.message.edit(content=text, allowed_mentions=NO_MENTIONS)

    async def open_modal(self, modal: RenderedModal) -> None:
        form = discord.ui.Modal(title=modal.title[:45] or "…", custom_id=modal.custom_id, timeout=FORM_TIMEOUT)
        for item in modal.inputs:
            form.add_item(discord.ui.TextInput(
                label=item.label[:45] or item.name, custom_id=item.name, placeholder=item.placeholder or None,
                style=discord.TextStyle.paragraph if item.style == "paragraph" else discord.TextStyle.short,
                required=item.required, min_length=item.min_length, max_length=item.max_length))
        await self.interaction.response.send_modal(form)

    async def toggle_role(self, name: str) -> bool:
        guild = self.interaction.guild
        member = self.interaction.user
        if guild is None or not isinstance(member, discord.Member):
            raise UserInputError(Reason("components.role_in_dm"))
        try:
            role = assignable_role(guild, name)
        except ActionRefused as refused:  # the same check, and the same words, as the events' role actions
            raise UserInputError(Reason("components.not_done", reasons=[refused.reason])) from None
        if member.get_role(role.id) is not None:
            await member.remove_roles(role, reason="self-assigned role (hypotez)")
            return False
        await member.add_roles(role, reason="self-assigned role (hypotez)")
        return True

    def actuator(self) -> DiscordActuator:
        """The actions of a press: the presser is the member, the component's message the message."""
        interaction = self.interaction
        return DiscordActuator(self.bot, interaction.guild, interaction.channel, interaction.user,
                               interaction.message)


async def run_use(bot: Any, interaction: discord.Interaction, use: Use) -> None:
    try:
        # Answered at once when ready in time; slow work (a command that trains) is deferred and followed up.
        work = ComponentRuntime(bot.app.dispatcher).handle(use, DiscordSurface(bot, interaction, use.request))
        await answer_in_time(InteractionAnswer.of(interaction), work, bot.defer_after)
    except discord.HTTPException as error:  # the interaction expired, or Discord refused the answer
        log.warning("could not answer interaction %s: %s", interaction.id, error)
    finally:
        bot.component_uses.finished(interaction.id)


def form_values(data: Any) -> dict[str, str]:
    """A modal submission's values by input name (rows of text inputs, or labelled components)."""
    values: dict[str, str] = {}
    for row in data.get("components") or ():
        for item in row.get("components") or ([row["component"]] if "component" in row else []):
            if "custom_id" in item:
                values[str(item["custom_id"])] = str(item.get("value") or "")
    return values


async def on_form_submit(bot: Any, interaction: discord.Interaction) -> None:
    """``on_interaction``: a form (modal) hypotez opened was submitted — even one opened before a restart."""
    data: Any = interaction.data or {}
    if interaction.type != discord.InteractionType.modal_submit or not str(data.get("custom_id", "")).startswith(PREFIX):
        return
    message = interaction.message
    use = Use(request=interaction_request(bot, interaction, message.id if message else None),
              custom_id=str(data["custom_id"]), message_id=str(message.id) if message else None,
              message_text=message.content if message else "", inputs=form_values(data))
    await run_use(bot, interaction, use)


def context_menu_commands(app: Any) -> list[app_commands.ContextMenu]:
    interactions = app.spec.interactions
    return [_context_menu(menu) for menu in (interactions.context_menus if interactions else ())]


def _context_menu(menu: ContextMenuSpec) -> app_commands.ContextMenu:
    async def on_message(interaction: discord.Interaction, message: discord.Message) -> None:
        target = {"id": str(message.id), "content": message.content, "author": message.author.display_name,
                  "author_id": str(message.author.id), "from_bot": message.author.id == interaction.client.user.id}  # type: ignore[union-attr]
        await _use_menu(interaction, menu, target, message.id)

    async def on_user(interaction: discord.Interaction, user: discord.Member) -> None:
        target = {"id": str(user.id), "name": user.name, "display_name": user.display_name, "mention": user.mention}
        await _use_menu(interaction, menu, target, None)

    callback = on_message if menu.target == "message" else on_user
    return app_commands.ContextMenu(name=menu.name, callback=callback)  # type: ignore[arg-type]


async def _use_menu(interaction: discord.Interaction, menu: ContextMenuSpec, target: dict[str, Any],
                    reference: int | None) -> None:
    bot: Any = interaction.client
    use = Use(request=interaction_request(bot, interaction, reference), menu=menu, target=target)
    await run_use(bot, interaction, use)


class UsesInFlight:
    """Lets a caller wait until the use of one interaction has been answered (the test harness)."""

    def __init__(self) -> None:
        self._done: dict[int, asyncio.Event] = {}

    def expect(self, interaction_id: int) -> None:
        """Before the interaction is dispatched: only expected ones are tracked (nothing piles up)."""
        self._done[interaction_id] = asyncio.Event()

    def finished(self, interaction_id: int) -> None:
        event = self._done.get(interaction_id)
        if event is not None:
            event.set()

    async def wait(self, interaction_id: int, timeout: float = 10.0) -> None:
        try:
            await asyncio.wait_for(self._done[interaction_id].wait(), timeout)
        finally:
            self._done.pop(interaction_id, None)
