"""Picks the Model service's backend by the name in ``bot.model.backend``.

Each backend is a module of :mod:`hypotez.services.model.backends` with a class that has
``from_settings(settings, data, storage)``; a backend's module is imported only when it is chosen (the
``openai`` client is not loaded for a bot that trains locally)."""

from __future__ import annotations

import importlib
from typing import Any, Mapping

from hypotez.errors import ConfigError
from hypotez.services.datafolder import DataFolder
from hypotez.services.model.base import ModelService
from hypotez.services.storage import Storage

# backend name → "module:class"
BACKENDS = {
    "local": "hypotez.services.model.backends.local:LocalModelService",
    "openai": "hypotez.services.model.backends.openai:OpenAIModelService",
}
DEFAULT_BACKEND = "local"


def backend_class(name: str) -> type[ModelService]:
    where = BACKENDS.get(name)
    if where is None:
        raise ConfigError(f"unknown model backend {name!r}",
                          "set bot.model.backend to " + " or ".join(repr(n) for n in BACKENDS))
    module, _, attribute = where.partition(":")
    return getattr(importlib.import_module(module), attribute)


def create_model_service(settings: Mapping[str, Any], data: DataFolder, storage: Storage) -> ModelService:
    """The backend ``settings`` name (``bot.model``), built from its own settings."""
    return backend_class(settings.get("backend", DEFAULT_BACKEND)).from_settings(settings, data, storage)
