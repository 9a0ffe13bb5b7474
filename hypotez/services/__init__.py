"""Services handed to handlers through the Invocation. Built by the app factory, never global."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypotez.reasons import Reasons, builtin_catalog
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
    # The spec's reason catalogs. The Dispatcher hands handlers a copy of the services carrying its own
    # (built with the spec it runs), so a handler words a Reason exactly as error replies do.
    reasons: Reasons | None = None

    def word(self, reason: Any, language: str) -> Any:
        """``reason`` in ``language``: a Reason from the catalogs; anything else (a provider's own
        message, a handler's plain text) as it is."""
        catalog = self.reasons.catalog(language) if self.reasons is not None else builtin_catalog(language)
        return catalog.render(reason)

    async def aclose(self) -> None:
        for service in (self.model, self.voice):
            close = getattr(service, "aclose", None)
            if close is not None:
                await close()
        self.storage.close()
