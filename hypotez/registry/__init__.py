"""The registry stage: a Spec → a :class:`Registry` (handlers resolved, templates compiled once,
validators, catalogs). ``hypotez validate`` is loading the declaration and building the registry."""

from hypotez.registry.build import build_registry, load_registry, load_registry_text, load_spec, load_spec_text
from hypotez.registry.core import Registry

__all__ = ["Registry", "build_registry", "load_registry", "load_registry_text", "load_spec", "load_spec_text"]
