"""The one check of whether the bot can give or take a role, before it asks Discord: used by the
events' actions (hypotez.adapters.discord_events) and by buttons, their role toggles and their actions
(hypotez.adapters.discord_components), so every refusal has the same reason, worded by the catalogs."""

from __future__ import annotations

import discord

from hypotez.actions.base import ActionRefused
from hypotez.reasons import Reason


def assignable_role(guild: discord.Guild, name: str) -> discord.Role:
    """The role ``name`` of ``guild`` when the bot may give and take it; ActionRefused with the reason
    (no such role, managed by Discord or an integration, no Manage Roles, not below the bot's top role)."""
    role = discord.utils.get(guild.roles, name=name)
    if role is None:
        raise ActionRefused(Reason("action.no_such_role", role=name))
    if role.is_default() or role.managed:
        raise ActionRefused(Reason("action.role_managed", role=name))
    me = guild.me
    if me is None or not me.guild_permissions.manage_roles:
        raise ActionRefused(Reason("action.missing_permission", permission="manage_roles"))
    if role >= me.top_role:  # Discord lets a bot give only roles below its own highest one
        raise ActionRefused(Reason("action.role_above_bot", role=name, bot_role=me.top_role.name))
    return role
