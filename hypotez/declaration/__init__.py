"""The declaration stage: commands.yaml loaded, validated and turned into frozen dataclasses (a Spec)."""

from hypotez.declaration.model import ArgumentSpec, CommandSpec, CooldownSpec, PermissionSpec, Settings, Spec

__all__ = ["load_spec", "load_spec_text", "Spec", "Settings", "CommandSpec", "ArgumentSpec",
           "PermissionSpec", "CooldownSpec"]


def __getattr__(name: str):
    # The loader imports the argument converters, which import the model above: loading it lazily
    # keeps `import hypotez.declaration.model` free of that cycle.
    if name in ("load_spec", "load_spec_text"):
        from hypotez.declaration import loader

        return getattr(loader, name)
    raise AttributeError(name)
