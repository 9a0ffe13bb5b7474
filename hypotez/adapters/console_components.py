"""Components in the console: replies show their buttons and select menus as ``[label]`` lines, and
directives use them — ``:press LABEL``, ``:pick MENU VALUE[,VALUE]``, ``:fill NAME=VALUE ...`` (the
form the bot opened), ``:menu NAME [#ID | TEXT]`` (a context menu on the bot's last message that
everyone sees, on its message number ID, or on a message of yours with TEXT). They are answered by the same runtime as on Discord."""

from __future__ import annotations

import shlex
from typing import Any

from hypotez.adapters.console_events import ConsoleActuator
from hypotez.components.rendered import RenderedComponent, RenderedModal, Rows
from hypotez.components.runtime import ComponentRuntime, Use
from hypotez.errors import UserInputError
from hypotez.events.info import MemberInfo
from hypotez.outgoing import OutgoingMessage
from hypotez.reasons import Reason

KEPT = 50  # bot messages whose components can still be used


class ConsoleComponents:
    def __init__(self, session: Any):
        self.session = session
        self.messages: dict[str, tuple[str, Rows]] = {}  # message id → its text and components
        self.texts: dict[str, str] = {}  # the bot's recent messages that everyone sees: id → text
        self.form: tuple[RenderedModal, str | None, str] | None = None  # the open form, and its message

    def shown(self, message_id: str, text: str, rows: Rows, ephemeral: bool = False) -> list[str]:
        """Remember a sent message and its components; the lines that show them."""
        if not ephemeral:
            self.texts[message_id] = text
            while len(self.texts) > KEPT:
                self.texts.pop(next(iter(self.texts)))
        if not rows:
            return []
        self.messages[message_id] = (text, rows)
        while len(self.messages) > KEPT:
            self.messages.pop(next(iter(self.messages)))
        return [" ".join(c.as_text() for c in row) for row in rows]

    def _find(self, name: str, select: bool) -> tuple[str, str, RenderedComponent] | None:
        if not name:
            return None
        for message_id in reversed(list(self.messages)):
            text, rows = self.messages[message_id]
            for component in (c for row in rows for c in row):
                if component.is_select == select and name in (component.label, component.emoji, component.id,
                                                               component.placeholder):
                    return message_id, text, component
        return None

    async def directive(self, name: str, argument: str) -> bool:
        """Handle ``:press``, ``:pick``, ``:fill``, ``:menu``; False for other directives."""
        say = self.session.say
        if name == "press":
            found = self._find(argument, select=False)
            if found is None or found[2].type == "link":
                say(f"(console) no button {argument!r} on a recent message")
                return True
            await self._use(Use(request=self.session.request(""), custom_id=found[2].custom_id,
                                message_id=found[0], message_text=found[1]), found[0])
        elif name == "pick":
            menu, _, values = argument.rpartition(" ")
            found = self._find(menu.strip(), select=True)
            if found is None:
                say(f"(console) usage: :pick MENU VALUE[,VALUE] (no select menu {(menu or values).strip()!r} "
                    "on a recent message)")
                return True
            await self._use(Use(request=self.session.request(""), custom_id=found[2].custom_id, message_id=found[0],
                                message_text=found[1], values=tuple(v for v in values.split(",") if v)), found[0])
        elif name == "fill":
            if self.form is None:
                say("(console) no form is open: press a button that opens one first")
                return True
            modal, message_id, message_text = self.form
            try:
                pairs = dict(p.partition("=")[::2] for p in shlex.split(argument))
            except ValueError as error:
                say(f"(console) {error}; usage: :fill NAME=VALUE ...")
                return True
            unknown = set(pairs) - {i.name for i in modal.inputs}
            if unknown:
                say(f"(console) the form has no {', '.join(sorted(unknown))}; it has "
                    f"{', '.join(i.name for i in modal.inputs)}")
                return True
            self.form = None
            await self._use(Use(request=self.session.request(""), custom_id=modal.custom_id, message_id=message_id,
                                message_text=message_text, inputs=pairs), message_id)
        elif name == "menu":
            await self._menu(argument)
        else:
            return False
        return True

    async def _menu(self, argument: str) -> None:
        interactions = self.session.app.spec.interactions
        menus = interactions.context_menus if interactions else ()
        menu = next((m for m in menus if argument == m.name or argument.startswith(m.name + " ")), None)
        if menu is None:
            self.session.say(f"(console) no context menu {argument!r}; there are: "
                             f"{', '.join(m.name for m in menus) or 'none'}")
            return
        text = argument[len(menu.name):].strip()
        author = self.session.author
        if menu.target == "user":
            target = {"id": author.id, "name": author.name, "display_name": author.shown_name,
                      "mention": f"@{author.name}"}
        elif text and not (text.startswith("#") and text[1:].isdigit()):  # a message of yours
            target = {"id": self.session.next_id(), "content": text, "author": author.shown_name,
                      "author_id": author.id, "from_bot": False}
        else:
            message_id = text[1:] if text else next(reversed(list(self.texts)), None)
            if message_id is None or message_id not in self.texts:
                self.session.say("(console) no such message of the bot's: give #ID (see :ids on) or a text")
                return
            target = {"id": message_id, "content": self.texts[message_id], "author": "bot",
                      "author_id": "bot", "from_bot": True}
        await self._use(Use(request=self.session.request(""), menu=menu, target=target), target.get("id"))

    async def _use(self, use: Use, message_id: str | None) -> None:
        surface = ConsoleSurface(self, use, message_id)
        if not await ComponentRuntime(self.session.app.dispatcher).handle(use, surface):
            self.session.say("(console) that component is not one of this bot's")


class ConsoleSurface:
    def __init__(self, components: ConsoleComponents, use: Use, message_id: str | None):
        self.components = components
        self.session = components.session
        self.use = use
        self.message_id = message_id

    async def reply(self, reply: OutgoingMessage) -> None:
        await self.session.send(reply, self.use.request)

    async def edit(self, reply: OutgoingMessage) -> None:
        self.session.print_bot(reply.text, message_id=self.message_id, edited=True)
        if self.message_id in self.components.messages:
            rows = self.components.messages[self.message_id][1]
            self.components.messages[self.message_id] = (reply.text, rows)

    async def open_modal(self, modal: RenderedModal) -> None:
        self.components.form = (modal, self.use.message_id, self.use.message_text)
        fields = ", ".join(f"{i.name} ({i.label}{'' if i.required else ', optional'})" for i in modal.inputs)
        self.session.say(f"(form) {modal.title}: {fields} — answer with :fill NAME=VALUE ...")

    async def toggle_role(self, role: str) -> bool:
        """The console's member gets or loses the role (by name; the console has no role hierarchy)."""
        author = self.session.author
        if not role:
            raise UserInputError(Reason("components.not_done", reasons=[Reason("action.no_such_role", role=role)]))
        has = role in author.roles
        self.session.author = author.replace(roles=author.roles - {role} if has else author.roles | {role})
        return not has

    def actuator(self) -> ConsoleActuator:
        """A press's actions are printed; the presser is the member, the component's message the message."""
        return ConsoleActuator(self.session, MemberInfo.of(self.session.author), self.message_id)
