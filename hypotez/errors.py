"""One tree of exceptions, branching by who must act.

* the spec author: :class:`SpecError` (a list of located :class:`SpecProblem`)
* the Discord user: :class:`UserInputError` and its children
* the operator: :class:`ConfigError`

Exceptions store facts; the place that shows them (CLI, Discord reply, console) decides the words,
usually through a template that receives :meth:`UserInputError.template_data`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypotez.reasons import Reason


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


class UserInputError(HypotezError):
    """Something the person talking to the bot can fix. ``kind`` names the error template.

    ``message`` is a :class:`~hypotez.reasons.Reason` (or, from a handler of one's own, plain text):
    English in ``str(error)``, worded in the reply's language by the pipeline."""

    kind = "bad_input"

    def __init__(self, message: str, **facts: Any):
        self.message = message
        self.facts = facts
        super().__init__(message)

    def template_data(self) -> dict[str, Any]:
        return {"message": self.message, **self.facts}


class UnknownCommand(UserInputError):
    kind = "unknown_command"

    def __init__(self, name: str, suggestions: list[str]):
        super().__init__(Reason("error.unknown_command", name=name), name=name, suggestions=suggestions)


class MissingArgument(UserInputError):
    kind = "missing_argument"

    def __init__(self, argument: str):
        super().__init__(Reason("error.missing_argument", argument=argument), argument=argument)


class BadArgument(UserInputError):
    kind = "bad_argument"

    def __init__(self, argument: str | None, reason: str):
        message = Reason("error.bad_argument", argument=argument, reason=reason) if argument else reason
        super().__init__(message, argument=argument, reason=reason)


class NotAllowed(UserInputError):
    kind = "not_allowed"

    def __init__(self, reason: str, *, roles: list[str] | None = None, permissions: list[str] | None = None):
        super().__init__(reason, reason=reason, roles=roles or [], permissions=permissions or [])


class OnCooldown(UserInputError):
    kind = "on_cooldown"

    def __init__(self, retry_after: float):
        super().__init__(Reason("error.on_cooldown", seconds=retry_after), retry_after=retry_after)


class WrongPlace(UserInputError):
    """The command may not run here (a DM-only command in a server, or the reverse).
    ``where`` is the place it needs: "guild" (a server channel) or "dm" (direct messages)."""

    kind = "wrong_place"

    def __init__(self, where: str):
        allowed = Reason(f"place.{where}")
        super().__init__(Reason("error.wrong_place", allowed=allowed), allowed=allowed, where=where)


class PathRefused(UserInputError):
    """A user-given path resolves outside the data folder, or does not name what it should."""

    kind = "path_refused"

    def __init__(self, path: str, reason: str):
        super().__init__(Reason("error.path_refused", path=path, reason=reason), path=path, reason=reason)


class NotFound(UserInputError):
    kind = "not_found"

    def __init__(self, what: str, reason: str | None = None):
        super().__init__(reason or Reason("error.not_found", what=what), what=what)


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
