"""The declaration stage: commands.yaml loaded, checked and turned into frozen dataclasses (a Spec).

It imports nothing of the later stages; what needs them (handlers, templates, converters) is checked
when the registry is built (hypotez.registry)."""

from hypotez.declaration.loader import Declaration, load_declaration, load_declaration_text
from hypotez.declaration.model import ArgumentSpec, CommandSpec, CooldownSpec, PermissionSpec, Settings, Spec

__all__ = ["Declaration", "load_declaration", "load_declaration_text", "Spec", "Settings", "CommandSpec",
           "ArgumentSpec", "PermissionSpec", "CooldownSpec"]
