"""The console adapter: the bot talking to a terminal (or to a pipe).

Each input line is a message from a local user in a local server channel; replies are printed.
Lines starting with ':' are directives:

  :attach PATH      attach a file to the next message
  :roles R1,R2      act as a member with these roles (no roles: ':roles'); ':admin' to be the admin again
  :voice on|off     the local user is (not) in a voice channel: spoken answers are written as audio files
  :ids on|off       show the id of each bot message (for !correct)
  :press LABEL      press a button under a recent answer; :pick MENU VALUES picks from a select menu
  :fill N=V ...     fill in the form (modal) the bot opened; :menu NAME [#ID|TEXT] uses a context menu
  :wait             wait until background work (training) has finished
  :reload           reload commands.yaml and templates/ now (--watch does it on every change)
  :help             list the directives
  :quit             leave

By default the local user is the server's administrator: it is the operator's own terminal.
"""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, TextIO

from hypotez.adapters.console_components import ConsoleComponents
from hypotez.adapters.console_events import (CLOCK_FILE, EVENT_DIRECTIVES_HELP, ConsoleActuator, ConsoleClock,
                                             console_scheduler_targets, events_directive)
from hypotez.app import App
from hypotez.events.info import MemberInfo
from hypotez.events.scheduler import Scheduler
from hypotez.embeds import EmbedData
from hypotez.incoming import ServerFacts
from hypotez.invocation import Attachment, Author, ChannelRef, MemberRef, OpenedFile, Place
from hypotez.outgoing import Attachable, FileData
from hypotez.pipeline import OutgoingMessage, Request

DIRECTIVES_HELP = """directives:
  :attach PATH    attach a file to the next message
  :roles R1,R2    act as a member with these roles (':roles' alone: no roles); ':admin' to be admin again
  :voice on|off   be in a voice channel (spoken answers are written as audio files)
  :ids on|off     show the id of each bot message (for !correct)
  :press LABEL    press a button of a recent message; :pick MENU VALUE[,VALUE] picks from a select menu
  :fill N=V ...   fill in the form the bot opened; :menu NAME [#ID|TEXT] uses a context menu
  :server NAME    talk on another server (each server has its own data); ':server' alone: back to 'console'
  :dm             talk to the bot in a direct message (':server' to go back)
  :wait           wait until background work (training) has finished
  :reload         reload commands.yaml and templates/ (--watch: on every change)
  :quit           leave"""

CONSOLE_GUILD = Place(channel_id="console", channel_name="console", guild_id="console", guild_name="console")


@dataclass(slots=True)
class ConsoleMessage:
    id: str
    session: "ConsoleSession"

    async def edit(self, text: str) -> None:
        self.session.print_bot(text, message_id=self.id, edited=True)


@dataclass(slots=True)
class ConsoleOutbox:
    session: "ConsoleSession"

    async def send(self, text: str, files: list[Attachable] | None = None) -> ConsoleMessage:
        message_id = self.session.next_id()
        self.session.print_bot(text, files or [], message_id=message_id)
        return ConsoleMessage(message_id, self.session)

    def message(self, message_id: str) -> ConsoleMessage:
        return ConsoleMessage(message_id, self.session)


@dataclass(slots=True)
class ConsoleResolver:
    author: Author

    def member(self, text: str) -> MemberRef | None:
        wanted = text.strip().lstrip("@").lower()
        if wanted in (self.author.name.lower(), self.author.id, "me"):
            return MemberRef(self.author.id, self.author.name, self.author.display_name, f"@{self.author.name}")
        return None

    def channel(self, text: str) -> ChannelRef | None:
        if text.strip().lstrip("#").lower() == CONSOLE_GUILD.channel_name:
            return ChannelRef(CONSOLE_GUILD.channel_id, CONSOLE_GUILD.channel_name, "#console")
        return None


def _shown_file(item: Attachable) -> list[str]:
    """How the console shows an attached file: a file on disk by its path; one made in memory (a long
    answer) by its name and size, then its text, since a terminal has nowhere else to put it."""
    if isinstance(item, OpenedFile):  # the console is the operator's: it shows where the file is
        item.close()
        return [f"[file: {item.path}]"]
    if not isinstance(item, FileData):
        return [f"[file: {item}]"]
    shown = [f"[file: {item.filename}, {len(item.data):,} bytes]"]
    try:
        shown.append(item.data.decode("utf-8"))
    except UnicodeDecodeError:
        pass  # not text: the name and size are all a terminal can show
    return shown


def _file_attachment(path: Path) -> Attachment:
    async def read() -> bytes:
        return await asyncio.to_thread(path.read_bytes)

    return Attachment(filename=path.name, size=path.stat().st_size,
                      content_type=mimetypes.guess_type(path.name)[0], url=path.resolve().as_uri(), read=read)


@dataclass
class ConsoleSession:
    app: App
    out: TextIO = sys.stdout
    user_name: str = "you"
    author: Author = field(init=False)
    pending: list[Attachment] = field(default_factory=list)
    show_ids: bool = False
    voice_on: bool = False
    voice_gateway: Any = None
    reloader: Any = None  # hypotez.reload.Reloader, for :reload
    place: Place = field(default_factory=lambda: CONSOLE_GUILD)
    server_facts: Callable[[], ServerFacts] = field(init=False)
    scheduler: Any = None  # hypotez.events.scheduler.Scheduler, for :clock
    members: int = 1  # the console server's member count (:join and :leave change it)
    last_id: str = ""  # the last message typed (what :react reacts to)
    _ids: Callable[[], int] = field(default_factory=lambda: itertools.count(1).__next__)
    components: ConsoleComponents = field(init=False)

    def __post_init__(self) -> None:
        self.components = ConsoleComponents(self)
        self.author = Author(id="console-user", name=self.user_name, display_name=self.user_name,
                             permissions=frozenset({"administrator"}))
        # The console's server: you own it, you are its one member, and it came to be with this session.
        facts = ServerFacts(member_count=1, owner=MemberRef(self.author.id, self.user_name, self.user_name),
                            created=datetime.now(timezone.utc))
        self.server_facts = lambda: facts
        self.place = replace(self.place, facts=self.server_facts)

    def next_id(self) -> str:
        return str(self._ids())

    # -- output -----------------------------------------------------------------------------

    def print_bot(self, text: str, files: list[Attachable] | None = None, *, message_id: str | None = None,
                  edited: bool = False, embeds: list[EmbedData] | None = None, components: list | None = None,
                  ephemeral: bool = False) -> None:
        lines = []
        tag = f"[#{message_id}{' edited' if edited else ''}] " if self.show_ids and message_id else ""
        tag += "(only you can see this) " if ephemeral else ""
        if text:
            lines.append(tag + text)
        for embed in embeds or []:
            lines.append(("" if text else tag) + embed.as_text())
        for item in files or []:
            lines.extend(_shown_file(item))
        if message_id and not edited:
            lines.extend(self.components.shown(message_id, text, components or [], ephemeral))
        if lines:
            print("\n".join(lines), file=self.out, flush=True)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    # -- input ------------------------------------------------------------------------------

    async def directive(self, line: str) -> bool:
        """Apply a ':' directive. Returns False when the session should end."""
        name, _, argument = line[1:].strip().partition(" ")
        if name == "wait":
            await _drain_background(self.app)
            return True
        argument = argument.strip()
        if name in ("quit", "q", "exit"):
            return False
        if name == "attach":
            path = Path(argument).expanduser()
            if not argument or not path.is_file():
                self.say(f"(console) no such file: {argument or '(none given)'}")
            else:
                self.pending.append(_file_attachment(path))
                self.say(f"(console) {path.name} will be attached to your next message")
        elif name == "roles":
            roles = frozenset(r.strip() for r in argument.split(",") if r.strip())
            self.author = self.author.replace(roles=roles, permissions=frozenset())
            self.say(f"(console) you are a member with roles: {', '.join(sorted(roles)) or 'none'}")
        elif name == "admin":
            self.author = self.author.replace(permissions=frozenset({"administrator"}))
            self.say("(console) you are the server's administrator")
        elif name == "voice" and argument in ("on", "off"):
            self.voice_on = argument == "on"
            self.author = self.author.replace(voice_channel_id="console-voice" if self.voice_on else None,
                                  voice_channel_name="voice" if self.voice_on else None)
            self.say(f"(console) you are {'in' if self.voice_on else 'not in'} a voice channel")
        elif name == "server":
            self.place = replace(CONSOLE_GUILD, facts=self.server_facts) if not argument else \
                replace(CONSOLE_GUILD, guild_id=argument, guild_name=argument, facts=self.server_facts)
            self.say(f"(console) you are on server {self.place.guild_name!r}; its files are in "
                     f"{self.data_folder()}")
        elif name == "dm":
            self.place = Place(channel_id="console-dm", channel_name="direct messages")
            self.say("(console) you are talking to the bot in a direct message")
        elif name == "ids" and argument in ("on", "off"):
            self.show_ids = argument == "on"
        elif name == "reload":
            if self.reloader is None:
                self.say("(console) :reload needs the spec's path (start the console with hypotez console)")
            else:
                await self.reloader.reload()  # the result is printed by report_reload
        elif await events_directive(self, name, argument):
            pass
        elif name == "help":
            self.say(DIRECTIVES_HELP + "\n" + EVENT_DIRECTIVES_HELP)
        elif await self.components.directive(name, argument):
            pass
        else:
            self.say(f"(console) unknown directive {line.strip()!r}; :help lists them")
        return True

    def request(self, content: str) -> Request:
        attachments, self.pending = tuple(self.pending), []
        message_id = self.next_id()
        if content:
            self.last_id = message_id
        return Request(author=self.author, place=self.place, content=content, message_id=message_id,
                       attachments=attachments, outbox=ConsoleOutbox(self), voice=self.voice_gateway,
                       resolver=ConsoleResolver(self.author),
                       actuator=ConsoleActuator(self, MemberInfo.of(self.author), message_id))

    async def handle_line(self, line: str) -> bool:
        line = line.rstrip("\r\n")
        if line.startswith(":"):
            return await self.directive(line)
        if not line.strip() and not self.pending:
            return True
        request = self.request(line)
        reply = await self.app.dispatcher.handle_message(request)
        if reply is not None:
            await self.send(reply, request)
        return True

    def data_folder(self) -> Path:
        """Where the current server's files are (each server has its own part of the data folder)."""
        return self.app.dispatcher.services_at(self.place, self.author).data.root

    def outbox_for(self, channel_id: str) -> ConsoleOutbox | None:
        return ConsoleOutbox(self) if channel_id.startswith("console") else None

    def report_reload(self, result: Any) -> None:
        self.say(f"(console) {result.report()}")

    async def send(self, reply: OutgoingMessage, request: Request) -> None:
        if not reply.text and not reply.files and not reply.embeds:
            return
        message_id = self.next_id()
        # Stored before it is shown: an answer the user has seen can be corrected even after a crash.
        await self.app.dispatcher.remember(reply, request, message_id)
        self.print_bot(reply.text, reply.files, message_id=message_id, embeds=reply.embeds,
                       components=reply.components, ephemeral=reply.ephemeral)


async def run_console(app: App, lines: TextIO = sys.stdin, out: TextIO = sys.stdout,
                      interactive: bool | None = None, *, spec_path: str | Path | None = None,
                      watch: bool = False, interval: float | None = None) -> int:
    """Read lines until EOF or ':quit'. Returns the exit code. With ``spec_path``, ``:reload`` reloads
    the spec; with ``watch`` too, every change to it or its templates is picked up by itself."""
    session = ConsoleSession(app, out)
    watcher = None
    if spec_path is not None:
        from hypotez.reload import DEFAULT_INTERVAL, Reloader, Watcher

        session.reloader = Reloader(app, spec_path)
        session.reloader.report_to_operator(session.report_reload)
        if watch:
            watcher = Watcher(session.reloader.watched_paths(), session.reloader.reload,
                              interval or DEFAULT_INTERVAL)
    interactive = lines.isatty() if interactive is None else interactive
    if interactive:
        session.say(f"{app.spec.settings.name} console — type {app.spec.settings.prefix}help, :help for "
                    f"directives, :quit to leave; this server's files are in {session.data_folder()}")
    loop = asyncio.get_running_loop()
    from hypotez.adapters.console_voice import ConsoleVoiceGateway

    session.voice_gateway = ConsoleVoiceGateway(app.services.data.root / "spoken")
    await app.start(session.outbox_for)
    # Message ids go on from the last stored answer, so `!correct N` never names a previous run's
    # answer that a new one has replaced.
    first = await app.services.storage.last_console_answer_number() + 1
    session._ids = itertools.count(first).__next__
    session.scheduler = Scheduler(app, console_scheduler_targets(session),
                                  ConsoleClock(app.services.data.internal / CLOCK_FILE))
    session.scheduler.start()
    if watcher is not None:
        watcher.start()
    try:
        while True:
            if interactive:
                print("> ", end="", file=out, flush=True)
            # Read in a thread so background work (training progress) keeps running meanwhile.
            line = await loop.run_in_executor(None, lines.readline)
            if not line:
                break
            if not await session.handle_line(line):
                break
        await _drain_background(app)
    finally:
        await session.scheduler.stop()
        if watcher is not None:
            await watcher.stop()
        await app.aclose()
    return 0


async def _drain_background(app: App) -> None:
    """Let background jobs started by this session report before the console exits (piped input)."""
    wait = getattr(app.services.model, "wait_idle", None)
    if wait is not None:
        await wait()
