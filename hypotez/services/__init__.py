"""Services handed to handlers through the Invocation. Built by the app factory, never global."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypotez.services.datafolder import DataFolder
from hypotez.services.storage import Storage


@dataclass(slots=True)
class Services:
    data: DataFolder
    storage: Storage
    # The Model service (hypotez.services.model) and the Voice service (hypotez.services.voice);
    # None where the app was built without them.
    model: Any = None
    voice: Any = None

    async def aclose(self) -> None:
        for service in (self.model, self.voice):
            close = getattr(service, "aclose", None)
            if close is not None:
                await close()
        self.storage.close()
