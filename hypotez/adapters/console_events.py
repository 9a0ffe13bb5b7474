"""Events in the console: what actions do is printed (a role given, a reaction, a DM), and directives
play what Discord would send:

  :join NAME        NAME joins the server (member_join)
  :leave NAME       NAME leaves it (member_leave)
  :react EMOJI [ID] you react with EMOJI to message ID (default: the last one); :unreact takes it back
  :clock +DURATION  move the clock on (+90, +45m, +2h, +1d) and run the schedules that come due
  :role +NAME       you are given the role NAME (role_added); :role -NAME: you lose it (role_removed)

The console's clock is the real one plus the offset ``:clock`` added, kept in the data folder, so a
console started again on the same data goes on at the same simulated time."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypotez.actions.base import ActionRefused
from hypotez.events.info import MemberInfo, ServerInfo
from hypotez.events.scheduler import Target
from hypotez.reasons import Reason
from hypotez.services.durable import atomic_write

# The console session (hypotez.adapters.console.ConsoleSession) that imports this module: named, not imported.
ConsoleSession = Any

EVENT_DIRECTIVES_HELP = """  :join NAME      NAME joins the server; :leave NAME: NAME leaves it
  :react EMOJI [ID]  react to message ID (default: the last); :unreact EMOJI [ID] takes it back
  :clock +TIME    move the clock on (+90 seconds, +45m, +2h, +1d) and run the schedules due
  :role +NAME     you are given the role NAME; :role -NAME: you lose it"""
_DURATION = re.compile(r"^\+?(\d+(?:\.\d+)?)([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
CLOCK_FILE = "console_clock"


def parse_duration(text: str) -> float | None:
    found = _DURATION.match(text.strip())
    return float(found[1]) * _UNITS[found[2]] if found else None


class ConsoleActuator:
    """Actions on the console's one server: printed; roles given or taken change who you are."""

    def __init__(self, session: ConsoleSession, member: MemberInfo | None = None, message_id: str | None = None):
        self.session = session
        self.member = member
        self.message_id = message_id

    def _is_you(self) -> bool:
        return self.member is None or self.member.id == self.session.author.id

    async def post(self, channel: str | None, text: str, nonce: str | None = None) -> bool:
        here = self.session.place.channel_name
        tag = f"[#{channel}] " if channel is not None and channel not in (here, self.session.place.channel_id) else ""
        self.session.print_bot(tag + text, message_id=self.session.next_id())
        return True

    def channel_named(self, channel: str) -> tuple[str, str] | None:
        name = channel.lstrip("#")  # the console's server has every channel it is asked for
        return name, name

    async def dm(self, text: str) -> None:
        who = "you" if self._is_you() else str(self.member)
        self.session.say(f"(direct message to {who}) {text}")

    async def add_role(self, role: str) -> None:
        if self._is_you():
            self.session.author = self.session.author.replace(roles=self.session.author.roles | {role})
        self.session.say(f"(console) role {role} given to {'you' if self._is_you() else self.member}")

    async def remove_role(self, role: str) -> None:
        if self._is_you():
            self.session.author = self.session.author.replace(roles=self.session.author.roles - {role})
        self.session.say(f"(console) role {role} taken from {'you' if self._is_you() else self.member}")

    async def delete_message(self) -> None:
        if self.message_id is None:
            raise ActionRefused(Reason("action.no_message"))
        self.session.say(f"(console) message #{self.message_id} deleted")

    async def react(self, emoji: str) -> None:
        if self.message_id is None:
            raise ActionRefused(Reason("action.no_message"))
        self.session.say(f"(console) the bot reacted {emoji} to message #{self.message_id}")

    async def tell_admins(self, text: str) -> None:
        self.session.say(f"(admin channel) {text}")


def _server(session: ConsoleSession, members: int) -> ServerInfo:
    place = session.place
    return ServerInfo(place.guild_id or "", place.guild_name or "", members)


async def events_directive(session: ConsoleSession, name: str, argument: str) -> bool:
    """Apply an events directive; False when ``name`` is not one."""
    if name not in ("join", "leave", "react", "unreact", "clock", "role"):
        return False
    dispatcher = session.app.dispatcher
    engine = dispatcher.events
    place = session.place
    tenant = dispatcher.tenancy.scope(place.guild_id, session.author.id).tenant
    language = await dispatcher.server_language(place.guild_id)
    if name == "clock":
        seconds = parse_duration(argument)
        if seconds is None or session.scheduler is None:
            session.say("(console) :clock +TIME, e.g. :clock +90, :clock +45m, :clock +2h, :clock +1d")
            return True
        await session.scheduler.advance(seconds)
        return True
    if engine is None:
        session.say("(console) the spec declares no events")
        return True
    if name == "role":
        role = argument[1:].strip()
        if argument[:1] not in ("+", "-") or not role:
            session.say("(console) :role +NAME (you are given the role) or :role -NAME (you lose it)")
            return True
        given = argument[0] == "+"
        roles = session.author.roles | {role} if given else session.author.roles - {role}
        session.author = session.author.replace(roles=frozenset(roles))
        await engine.on_roles({role} if given else set(), set() if given else {role},
                              member=MemberInfo.of(session.author), server=_server(session, session.members),
                              place=place, tenant=tenant, language=language, actuator=ConsoleActuator(session))
        return True
    if name in ("join", "leave"):
        who = argument or session.user_name
        member = MemberInfo(f"console-{who}", who, who)
        session.members += 1 if name == "join" else -1
        await engine.on_member(name, member=member, server=_server(session, session.members), place=place,
                               tenant=tenant, language=language, actuator=ConsoleActuator(session, member))
        return True
    emoji, _, message_id = argument.partition(" ")
    message_id = message_id.strip() or str(session.last_id)
    if not emoji:
        session.say("(console) :react EMOJI [MESSAGE ID]")
        return True
    member = MemberInfo.of(session.author)
    await engine.on_reaction(name == "react", emoji=emoji, message_id=message_id, member=member,
                             server=_server(session, session.members), place=place, tenant=tenant,
                             language=language, actuator=ConsoleActuator(session, None, message_id))
    return True


class ConsoleClock:
    """The real clock plus an offset that ``:clock`` moves on, kept in ``path`` across console runs."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.offset = float(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds
        # The data folder's internal part exists on SQLite (its files are there); not so on PostgreSQL.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(self.path) as handle:
            handle.write(repr(self.offset))


def console_scheduler_targets(session: ConsoleSession) -> Any:
    """The console's schedules run on its current server, posting where they would: shown with their channel."""
    def targets(schedule: Any) -> list[Any]:
        channel = schedule.response.channel or session.place.channel_name
        place = replace(session.place, channel_id=channel, channel_name=channel)
        return [Target(place, _server(session, session.members), ConsoleActuator(session))]

    return targets
