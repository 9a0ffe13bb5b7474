"""Resolve a handler's dotted path (``handlers.training:train``) to its ``async def`` function, and
check that the function accepts the arguments the spec declares."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Callable

from hypotez.errors import HypotezError


class HandlerProblem(HypotezError):
    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message)


def _import_module(module_name: str, spec_dir: Path | None) -> Any:
    """Import ``module_name``; if it is not importable, look for it as a file beside the spec.

    The file fallback lets a user keep handlers next to their own spec without installing them; it
    registers the module under its dotted name, without touching sys.path.
    """
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if spec_dir is None or error.name not in _prefixes(module_name):
            raise
        parts = module_name.split(".")
        candidate = spec_dir.joinpath(*parts).with_suffix(".py")
        if not candidate.is_file():
            candidate = spec_dir.joinpath(*parts, "__init__.py")
        if not candidate.is_file():
            raise
        spec = importlib.util.spec_from_file_location(module_name, candidate)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(module_name, None)
            raise
        return module


# Modules of hypotez that specs name and that were renamed: their old name gets a hint with the new one.
RENAMED_MODULES = {"hypotez.builtins": "hypotez.builtin_commands"}


def _module_hint(module_name: str, function_name: str, spec_dir: Path | None) -> str:
    """What to write for a module that cannot be found: the closest module beside the spec, or how
    a module is named (handlers/feedback.py is handlers.feedback)."""
    here = sorted(".".join(path.relative_to(spec_dir).with_suffix("").parts)
                  for folder in ((spec_dir, spec_dir / "handlers") if spec_dir else ())
                  if folder.is_dir() for path in folder.glob("*.py") if not path.name.startswith("_"))
    close = get_close_matches(module_name, here, n=1, cutoff=0.6)
    if close:
        return f"did you mean handler: {close[0]}:{function_name}?"
    known = f" (modules here: {', '.join(here)})" if here else ""
    return (f"a handler module is a .py file beside the spec, named by its path: handlers/feedback.py is "
            f"handler: handlers.feedback:{function_name}{known}")


def _prefixes(module_name: str) -> set[str]:
    parts = module_name.split(".")
    return {".".join(parts[: i + 1]) for i in range(len(parts))}


def resolve_handler(dotted: str, spec_dir: Path | None = None) -> Callable[..., Any]:
    module_name, _, function_name = dotted.partition(":")
    try:
        module = _import_module(module_name, spec_dir)
    except ModuleNotFoundError as error:
        renamed = RENAMED_MODULES.get(module_name)
        hint = (f"{module_name} is now called {renamed}: write handler: {renamed}:{function_name}" if renamed
                else _module_hint(module_name, function_name, spec_dir))
        raise HandlerProblem(f"handler module {module_name!r} cannot be found ({error.name} is missing)",
                             hint) from None
    except SyntaxError as error:
        raise HandlerProblem(f"handler module {module_name!r} has a Python syntax error at "
                             f"{Path(error.filename or '?').name}:{error.lineno}: {error.msg}") from None
    except Exception as error:  # an import-time crash in user code: report it, do not crash validate
        raise HandlerProblem(f"handler module {module_name!r} fails to import: "
                             f"{type(error).__name__}: {error}") from None
    function = getattr(module, function_name, None)
    if function is None:
        names = [n for n, v in vars(module).items() if inspect.iscoroutinefunction(v) and not n.startswith("_")]
        close = get_close_matches(function_name, names, n=1)
        hint = f"did you mean '{module_name}:{close[0]}'?" if close else (
            f"functions there: {', '.join(sorted(names))}" if names else None)
        raise HandlerProblem(f"module {module_name!r} has no function {function_name!r}", hint)
    if not inspect.iscoroutinefunction(function):
        raise HandlerProblem(f"handler {dotted!r} must be an 'async def' function",
                             "write it as: async def name(invocation, ...)")
    return function


def check_signature(function: Callable[..., Any], dotted: str, argument_names: list[str]) -> list[HandlerProblem]:
    """The handler takes the invocation first, then every declared argument by name."""
    problems: list[HandlerProblem] = []
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return problems
    params = list(signature.parameters.values())
    positional_kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if not params or params[0].kind not in positional_kinds + (inspect.Parameter.VAR_POSITIONAL,):
        problems.append(HandlerProblem(f"handler {dotted!r} must take the invocation as its first parameter"))
        return problems
    rest = params[1:] if params[0].kind != inspect.Parameter.VAR_POSITIONAL else params
    takes_any = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in rest)
    accepted = {p.name for p in rest if p.kind in positional_kinds + (inspect.Parameter.KEYWORD_ONLY,)}
    for name in argument_names:
        if name not in accepted and not takes_any:
            close = get_close_matches(name, sorted(accepted), n=1)
            hint = f"the function has a parameter {close[0]!r}: rename one of them" if close else \
                f"add a parameter '{name}' to the function, or remove the argument from the spec"
            problems.append(HandlerProblem(f"handler {dotted!r} does not accept the declared argument {name!r}", hint))
    for param in rest:
        if param.kind in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL):
            continue
        if param.default is inspect.Parameter.empty and param.name not in argument_names:
            problems.append(HandlerProblem(
                f"handler {dotted!r} needs a parameter {param.name!r} that the spec does not declare",
                f"declare an argument '{param.name}' for this command, or give the parameter a default"))
    return problems
