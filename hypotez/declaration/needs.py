"""What a spec needs from Discord: the gateway intents (message content only when something reads
messages: prefix commands, ``bot.messages``, triggers; server members for member events; reactions for
reactions) and the bot's own permissions, each with the commands, buttons and events that need it — for
``hypotez invite`` and for the one clear message at start-up when one is missing."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypotez.declaration.events_model import ResponseSpec
from hypotez.declaration.model import Spec
from hypotez.declaration.model_components import MESSAGES_OWNER, OWN_MESSAGE_PERMISSIONS

PRIVILEGED_INTENTS = ("message_content", "members", "presences")
EVERY_COMMAND = "every command"
MESSAGE_INTENTS = ("guild_messages", "dm_messages", "message_content")  # reading what members write


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
        intents.update({name: list(readers) for name in MESSAGE_INTENTS})
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
    _event_needs(spec, intents, permissions)
    return Needs(intents, permissions)


def _add(needs: dict[str, list[str]], name: str, what: str) -> None:
    users = needs.setdefault(name, [])
    if what not in users:
        users.append(what)


def _event_needs(spec: Spec, intents: dict[str, list[str]], permissions: dict[str, list[str]]) -> None:
    """What triggers, member events, reactions and schedules need: the gateway events they answer, the
    permissions their actions use (as declared), and posting where they post."""
    events = spec.events
    if events is None:
        return
    for trigger in events.triggers:
        named = f"trigger {trigger.name}"
        for intent in MESSAGE_INTENTS:
            _add(intents, intent, named)
        _response_needs(trigger.response, named, permissions)
    members = [("events.member_join", events.member_join), ("events.member_leave", events.member_leave)]
    members += [(f"events.{kind} {role}", response) for kind, roles in (("role_added", events.role_added),
                                                                       ("role_removed", events.role_removed))
                for role, response in roles]
    for named, response in members:
        if response is not None:  # joins, leaves and role changes come with the server members intent
            _add(intents, "members", named)
            _response_needs(response, named, permissions)
    for reaction in events.reactions:
        named = f"reaction {reaction.name}"
        _add(intents, "guild_reactions", named)  # reactions are answered on servers only
        # Discord sends a channel's reactions to a bot that can see the channel and read its history.
        wanted = ["view_channel", "read_message_history"] + list(reaction.permissions)
        for name in wanted + (["manage_roles"] if reaction.role is not None else []):
            _add(permissions, name, named)
        for response in (reaction.added, reaction.removed):
            if response is not None:
                _response_needs(response, named, permissions)
    for schedule in events.schedules:
        # A schedule running a command posts that command's reply in its channel.
        _response_needs(schedule.response, f"schedule {schedule.name}", permissions,
                        posts=schedule.command is not None)


def _response_needs(response: ResponseSpec, named: str, permissions: dict[str, list[str]], *,
                    posts: bool = False) -> None:
    """A response posting in a channel (not by DM) needs to see it and write there; its actions, what
    ``permissions:`` declares (and what they use, should the declaration miss one)."""
    if (posts or response.says_something) and not response.dm:
        for name in ("view_channel", "send_messages"):
            _add(permissions, name, named)
    declared = list(response.permissions) + [a.permission for a in response.actions if a.permission is not None]
    if any(action.kind == "react" for action in response.actions):
        declared.append("read_message_history")  # Discord's rule for adding a reaction to a message
    for name in declared:
        _add(permissions, name, named)


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
            wanted += ["read_message_history"] if any(step.kind == "react" for step in action.steps) else []
            where = "bot.messages" if owner == MESSAGES_OWNER else f"{spec.settings.prefix}{owner}"
            named = f"{'menu' if component.is_select else 'button'} {component.id} of {where}"
            for name in wanted:
                users = permissions.setdefault(name, [])
                if named not in users:
                    users.append(named)
