"""One tree of exceptions, every one rooted in :class:`HypotezError`, branching by who must act.

* the spec author: :class:`SpecError` (a list of located :class:`SpecProblem`), :class:`BadReply`
* the Discord user: :class:`CommandError`, in two branches as in discord.py — bad input
  (:class:`UserInputError` and its children) and a check that failed (:class:`CheckFailure`:
  :class:`NotAllowed`, :class:`WrongPlace`, :class:`OnCooldown`) — beside :class:`UnknownCommand`
* the operator: :class:`ConfigError`

Exceptions store facts, as typed attributes set in ``__init__``; they hold no words. The place that
shows them (Discord reply, console) words them once, in the error's template
(``builtin_templates/<lang>/errors/<kind>.j2``), which receives :meth:`CommandError.template_data`.
A fact that is itself worded (a :class:`~hypotez.reasons.Reason`) is given by the raise site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


class HypotezError(Exception):
    """Base class of every error hypotez raises on purpose."""


# --- the spec author -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class SpecProblem:
    """One problem in a spec file, located at a line and column (both 1-based)."""

    file: str
    line: int
    column: int
    message: str
    hint: str | None = field(default=None, compare=False)
    severity: str = field(default="error", compare=False)  # "error" or "warning"

    def format(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.message}"
        if self.severity == "warning":
            text = f"{self.file}:{self.line}:{self.column}: warning: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class SpecError(HypotezError):
    """The spec cannot be used. Carries every problem found, sorted by position."""

    def __init__(self, problems: list[SpecProblem]):
        self.problems = sorted(problems)
        super().__init__(self.format_message())

    @property
    def errors(self) -> list[SpecProblem]:
        return [p for p in self.problems if p.severity == "error"]

    def format_message(self) -> str:
        return "\n".join(p.format() for p in self.problems)


class SpecFileError(HypotezError):
    """The spec file itself cannot be read (missing, a folder, unreadable): a usage error."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


# --- the Discord user ------------------------------------------------------------------------


class CommandError(HypotezError):
    """Something about a command the person talking to the bot sees as a reply. ``kind`` names the
    error template; ``template_fields`` names the attributes the template receives."""

    kind: ClassVar[str] = "bad_input"
    template_fields: ClassVar[tuple[str, ...]] = ()

    def template_data(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.template_fields}

    def __str__(self) -> str:
        """For logs: the kind and the facts (the words are the template's)."""
        shown = ", ".join(f"{name}={_shown(getattr(self, name))}" for name in self.template_fields)
        return f"{self.kind}: {shown}" if shown else self.kind


def _shown(value: Any) -> str:
    return repr(str(value)) if isinstance(value, str) else repr(value)


class UnknownCommand(CommandError):
    kind = "unknown_command"
    template_fields = ("name", "suggestions")

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        super().__init__(name)


# --- bad input: what the person typed or sent ---------------------------------------------------


class UserInputError(CommandError):
    """Input the person can fix. ``message`` is a :class:`~hypotez.reasons.Reason` (or, from a handler
    of one's own, plain text): English in ``str(error)``, worded in the reply's language by the pipeline."""

    kind = "bad_input"
    template_fields = ("message",)

    def __init__(self, message: str | None):
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.message) if self.message is not None else super().__str__()


class MissingArgument(UserInputError):
    kind = "missing_argument"
    template_fields = ("argument",)

    def __init__(self, argument: str):
        self.argument = argument
        super().__init__(None)  # worded by its template, with the command's usage


class BadArgument(UserInputError):
    """``argument`` (None: the input as a whole) is wrong; ``reason`` says why (the message shown)."""

    kind = "bad_argument"
    template_fields = ("message", "argument", "reason")

    def __init__(self, argument: str | None, reason: str):
        self.argument = argument
        self.reason = reason
        super().__init__(reason)

    def __str__(self) -> str:
        return f"{self.argument}: {self.reason}" if self.argument else str(self.reason)


class PathRefused(UserInputError):
    """A user-given path resolves outside the data folder, or does not name what it should."""

    kind = "path_refused"
    template_fields = ("message", "path", "reason")

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(reason)

    def __str__(self) -> str:
        return f"{self.path!r}: {self.reason}"


class NotFound(UserInputError):
    """``what`` (a kind of thing) was not found; ``reason`` says so in words."""

    kind = "not_found"
    template_fields = ("message", "what")

    def __init__(self, what: str, reason: str):
        self.what = what
        super().__init__(reason)


# --- checks: the command may not run here, for them, now ----------------------------------------


class CheckFailure(CommandError):
    """A check that runs before the arguments are read refused the command (discord.py's CheckFailure)."""


class NotAllowed(CheckFailure):
    kind = "not_allowed"
    template_fields = ("message", "reason", "roles", "permissions")

    def __init__(self, reason: str, *, roles: list[str] | None = None, permissions: list[str] | None = None):
        self.reason = reason
        self.message = reason
        self.roles = roles or []
        self.permissions = permissions or []
        super().__init__(reason)

    def __str__(self) -> str:
        return str(self.reason)


class OnCooldown(CheckFailure):
    kind = "on_cooldown"
    template_fields = ("retry_after",)

    def __init__(self, retry_after: float):
        self.retry_after = retry_after
        super().__init__(retry_after)


class WrongPlace(CheckFailure):
    """The command may not run here (a DM-only command in a server, or the reverse). ``where`` is the
    place it needs: "guild" (a server channel), "dm" (direct messages) or "servers"; ``allowed`` is that
    place in words (``Reason("place.guild")``)."""

    kind = "wrong_place"
    template_fields = ("where", "allowed")

    def __init__(self, where: str, allowed: str):
        self.where = where
        self.allowed = allowed
        super().__init__(where)


# --- the operator ----------------------------------------------------------------------------


class ConfigError(HypotezError):
    """The operator must act: a missing token, a missing system tool, a bad setting."""

    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message)

    def format_message(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


# --- the spec author, found while answering ----------------------------------------------------


class BadReply(HypotezError):
    """A reply written in the spec rendered into something Discord refuses (an embed over its limits).
    Static texts are checked by ``validate``; templated ones can only be checked when sent."""

    kind = "bad_reply"

    def __init__(self, command: str, reasons: list[str], location: str | None = None):
        self.command = command
        self.reasons = reasons
        self.location = location
        where = f"{location}: " if location else ""
        super().__init__(f"{where}the answer of command '{command}' cannot be sent: {'; '.join(reasons)}")

    def template_data(self) -> dict[str, Any]:
        return {"reason": "; ".join(self.reasons), "reasons": self.reasons}
