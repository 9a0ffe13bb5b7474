"""What a spec needs from Discord: the gateway intents (message content only when something reads
messages: prefix commands or ``bot.messages``) and the bot's own permissions, each with the commands
that need it — for ``hypotez invite`` and for the one clear message at start-up when one is missing."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypotez.declaration.model import Spec
from hypotez.declaration.model_components import MESSAGES_OWNER, OWN_MESSAGE_PERMISSIONS

PRIVILEGED_INTENTS = ("message_content", "members", "presences")
EVERY_COMMAND = "every command"


@dataclass(frozen=True, slots=True)
class Needs:
    # intent or permission (discord.py's names) → what needs it (commands as typed, or a feature)
    intents: dict[str, list[str]] = field(default_factory=dict)
    permissions: dict[str, list[str]] = field(default_factory=dict)

    def affected(self, missing: list[str]) -> list[str]:
        """What cannot work without ``missing`` (intents or permissions), in order, once each."""
        needs = {**self.intents, **self.permissions}
        return list(dict.fromkeys(what for name in missing for what in needs.get(name, ())))


def spec_needs(spec: Spec) -> Needs:
    settings = spec.settings
    prefix = [f"{settings.prefix}{c.name}" for c in spec.commands]  # every command has its prefix form
    readers = prefix + (["replies to messages (bot.messages)"] if settings.messages is not None else [])
    intents: dict[str, list[str]] = {"guilds": [EVERY_COMMAND]}
    if readers:
        intents.update({"guild_messages": readers, "dm_messages": readers, "message_content": readers})
    if settings.voice:
        intents["voice_states"] = ["voice: spoken answers, join and leave"]
    permissions: dict[str, list[str]] = {"view_channel": [EVERY_COMMAND], "send_messages": [EVERY_COMMAND]}
    for command in spec.commands:
        typed = f"{settings.prefix}{command.name}"
        wanted = list(command.bot_permissions)
        if command.inline is not None and command.inline.embed is not None:
            wanted.append("embed_links")
        for name in wanted:
            permissions.setdefault(name, [])
            if typed not in permissions[name]:
                permissions[name].append(typed)
    _component_needs(spec, permissions)
    if settings.voice:
        for name in ("connect", "speak"):
            permissions.setdefault(name, []).append("voice: spoken answers")
    return Needs(intents, permissions)


def _component_needs(spec: Spec, permissions: dict[str, list[str]]) -> None:
    """The bot permissions buttons and select menus use: a role toggled, their actions (as declared)."""
    interactions = spec.interactions
    for owner, parts in (interactions.replies.items() if interactions is not None else ()):
        for component in parts.components:
            action = component.action
            if action is None:
                continue
            wanted = ["manage_roles"] if action.kind == "toggle_role" else []
            wanted += [step.permission for step in action.steps if step.permission is not None
                       and step.permission not in OWN_MESSAGE_PERMISSIONS]
            where = "bot.messages" if owner == MESSAGES_OWNER else f"{spec.settings.prefix}{owner}"
            named = f"{'menu' if component.is_select else 'button'} {component.id} of {where}"
            for name in wanted:
                users = permissions.setdefault(name, [])
                if named not in users:
                    users.append(named)
