"""Services handed to handlers through the Invocation. Built by the app factory, never global."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from hypotez.services.datafolder import DataFolder
from hypotez.services.storage import Storage
from hypotez.services.tenant import NoDataFolder, TenantModel, TenantStorage, tenant_folder
from hypotez.tenancy import Scope


@dataclass(slots=True)
class Services:
    data: DataFolder
    storage: Storage
    # The Model service (hypotez.services.model) and the Voice service (hypotez.services.voice);
    # None where the app was built without them.
    model: Any = None
    voice: Any = None
    # The bot's memory and its schedules' runs (hypotez.services.state_store.StateStore); None: not built.
    state: Any = None
    # The views handed to each scope (for_scope): built once per scope, since one is needed per message.
    _views: dict[Scope, "Services"] = field(default_factory=dict, init=False, repr=False, compare=False)

    def for_scope(self, scope: Scope) -> "Services":
        """The services as the tenant of ``scope`` sees them: its storage rows, its part of the data
        folder, its model (:mod:`hypotez.services.tenant`)."""
        view = self._views.get(scope)
        if view is None:
            data = tenant_folder(self.data, scope.tenant) if scope.has_files else NoDataFolder(self.data.root)
            view = replace(self, data=data.ensure(), storage=TenantStorage(self.storage, scope.tenant),
                           model=TenantModel(self.model, scope) if self.model is not None else None)
            self._views[scope] = view
        return view

    async def aclose(self) -> None:
        for service in (self.model, self.voice):
            close = getattr(service, "aclose", None)
            if close is not None:
                await close()
        if isinstance(self.storage, Storage):  # a scope's view does not own the database
            self.storage.close()
            if self.state is not None:
                self.state.close()
