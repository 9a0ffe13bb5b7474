"""From a spec file to a Registry, every problem reported at once: the declaration loaded
(hypotez.declaration), the later-stage checks run (hypotez.registry.checks), then the registry built
from what the checks compiled and resolved."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from hypotez.declaration.loader import Declaration, load_declaration, load_declaration_text
from hypotez.declaration.model import Spec
from hypotez.registry.checks import check_declaration
from hypotez.registry.core import Registry, validators_of
from hypotez.rendering import Renderer


@contextmanager
def collector_paused() -> Iterator[None]:
    """Loading allocates many objects that live on (YAML nodes, syntax trees, compiled templates) and
    makes little garbage: the cyclic garbage collector, run after every few hundred allocations, would
    walk the growing heap again and again (a quarter of the time at 1,000 commands, and growth worse than
    linear). It is paused while a spec is loaded and built (nested or in threads: whoever paused it
    resumes it)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def build_registry(declaration: Declaration) -> Registry:
    """Check what only later stages can check, then build the registry. Raises SpecError listing every
    problem of the declaration and of these checks."""
    spec = declaration.spec
    renderer = Renderer(spec.templates_dir, spec.settings.language)
    validators = validators_of(spec)
    handlers = check_declaration(declaration, renderer, validator=lambda argument: validators.get(id(argument)))
    return Registry.from_spec(declaration.finished(), renderer=renderer, handlers=handlers, validators=validators)


def load_registry(path: Path | str, *, templates_dir: Path | None = None,
                  display_name: str | None = None) -> Registry:
    """Load, validate and build a spec file. Raises SpecError (every problem) or SpecFileError."""
    with collector_paused():
        return build_registry(load_declaration(path, templates_dir=templates_dir, display_name=display_name))


def load_registry_text(text: str | bytes, *, path: Path, templates_dir: Path | None = None,
                       display_name: str | None = None) -> Registry:
    with collector_paused():
        return build_registry(load_declaration_text(text, path=path, templates_dir=templates_dir,
                                                    display_name=display_name))


def load_spec(path: Path | str, *, templates_dir: Path | None = None, check_handlers: bool = True,
              display_name: str | None = None) -> Spec:
    """Validate a spec file completely (as ``hypotez validate``) and return its Spec."""
    path = Path(path)
    with collector_paused():
        return _validated(load_declaration(path, templates_dir=templates_dir, display_name=display_name),
                          check_handlers)


def load_spec_text(text: str | bytes, *, path: Path, templates_dir: Path | None = None,
                   check_handlers: bool = True, display_name: str | None = None) -> Spec:
    with collector_paused():
        return _validated(load_declaration_text(text, path=path, templates_dir=templates_dir,
                                                display_name=display_name), check_handlers)


def _validated(declaration: Declaration, check_handlers: bool) -> Spec:
    spec = declaration.spec
    check_declaration(declaration, Renderer(spec.templates_dir, spec.settings.language),
                      check_handlers=check_handlers)
    return declaration.finished()
