"""How the pipeline words what it sends: a command's answer rendered from its template or from the text
written in the spec, an error in the reply's language, and the reply cut to what adapters may send.
A part of :class:`hypotez.pipeline.Dispatcher` (a base class of it), kept apart to keep each file to one job.
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

import jinja2

from hypotez.declaration.model import DEFAULT_REPLY, ArgumentSpec, CommandSpec
from hypotez.embeds import EmbedData
from hypotez.errors import BadReply, CommandError, HypotezError, MissingArgument
from hypotez.invocation import Invocation
from hypotez.outgoing import OutgoingMessage, finish_reply, not_sent_reply
from hypotez.reasons import Reason
from hypotez.rendering import TemplateFailed, TemplateMissing
from hypotez.scope import base_scope, invocation_scope

log = logging.getLogger("hypotez.pipeline")


class Answering:
    """The Dispatcher's rendering; it reads the Dispatcher's renderer, inline renderer, reasons, spec,
    prefix and observer."""

    # -- rendering --------------------------------------------------------------------------

    def template_data(self, invocation: Invocation | None, language: str,
                      reads: frozenset[str] | None = None) -> dict[str, Any]:
        base = base_scope(self.prefix, self.spec.settings.name, language)
        if invocation is not None:
            base.update(invocation_scope(invocation, names=reads))
        return base

    def _render_answer(self, command: CommandSpec, key: str | None, data: dict[str, Any],
                       invocation: Invocation) -> tuple[str, list[EmbedData]]:
        """The reply for an outcome: the answer written in the spec (text/embed), or a template file."""
        if command.inline is not None and key in (None, DEFAULT_REPLY):
            language = invocation.language
            scope = {**self.template_data(invocation, language, self.inline.reads(command, language)), **data}
            try:
                return self.inline.render(command, scope, language)
            except TemplateFailed as failed:  # the text is the spec's own: it is where the command is
                raise failed.of_command(command.name, str(command.location) if command.location else None) from None
        return self._render_reply(command, key, data, invocation), []

    def _render_for(self, invocation: Invocation, key: str | None, data: dict[str, Any]) -> str:
        return self._render_reply(invocation.command, key, data, invocation)

    def _render_reply(self, command: CommandSpec, key: str | None, data: dict[str, Any],
                      invocation: Invocation) -> str:
        template = command.reply_templates.get(key or DEFAULT_REPLY)
        if template is None:
            raise LookupError(f"command {command.name!r} has no reply template for outcome {key!r}; "
                              f"it declares: {', '.join(command.reply_templates)}")
        language = invocation.language
        constant = self.renderer.constant(template, language)
        if constant is not None:
            return constant
        reads = self.renderer.reads(template, language)
        if reads is None or not data.keys() >= reads:  # it reads the user, the channel, the date...
            data = {**self.template_data(invocation, language, reads), **data}
        try:
            return self.renderer.render(template, data, language)
        except TemplateFailed as failed:
            raise failed.of_command(command.name) from None

    def render_error(self, error: Exception, command: CommandSpec | None, language: str, *,
                     internal: bool = False) -> OutgoingMessage:
        kind = error.kind if not internal and isinstance(error, (CommandError, BadReply)) else "internal_error"
        self.observer.error(kind, command.name if command is not None else None)
        data: dict[str, Any] = base_scope(self.prefix, self.spec.settings.name, language)
        if isinstance(error, (CommandError, BadReply)):
            data.update(self.reasons.localise(error.template_data(), language))
        if command is not None and not command.builtin:
            data.update({"command": command.name, "usage": command.usage(self.prefix),
                         "arguments": [_argument_data(a) for a in command.arguments]})
        else:
            data.update({"command": None, "usage": None, "arguments": []})
        if isinstance(error, MissingArgument) and command is not None:
            argument = command.argument(error.argument)
            data["argument_description"] = argument.description if argument else ""
        try:
            text = self.renderer.render(self.spec.error_template(kind), data, language)
        except (TemplateMissing, jinja2.TemplateError) as template_error:
            log.error("error template for %r failed: %s", kind, template_error)
            text = f"⚠️ {error}" if isinstance(error, HypotezError) and not internal else "⚠️ Something went wrong."
        return self._finished(OutgoingMessage(text=text, is_error=True, error_kind=kind), language)

    # -- what is sent -----------------------------------------------------------------------

    def _finished(self, reply: OutgoingMessage, language: str) -> OutgoingMessage:
        """``reply`` as adapters send it: in ``language``, and at most a few messages long."""
        return finish_reply(reply, language, self.reasons.catalog(language))

    def not_sent(self, problem: Reason, language: str | None, *, files: Sequence[str] = (), sent: int = 0) -> OutgoingMessage:
        """The text-only reply telling the user an answer could not be sent, and why."""
        language = language or self.spec.settings.language
        return not_sent_reply(problem, self.reasons.catalog(language), language, files=files, sent=sent)


def _argument_data(argument: ArgumentSpec) -> dict[str, Any]:
    return {"name": argument.name, "type": argument.type, "required": argument.required,
            "description": argument.description, "usage": argument.usage()}
