"""Per-app state: settings, the registry and its in-memory read model.

Public reads use ``AppState.snapshot()``, which is rebuilt only when a revision is committed (through this
process's Registry, or by another process: checked at most every ``REFRESH_SECONDS``), so a request never
queries the database for the current registry.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import date
from threading import Lock

from fastapi import Request

from tsbkart.registry.history import as_of
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings

# How stale the read model may be when another process (e.g. a CLI import) writes to the database.
REFRESH_SECONDS = 5.0
# Past snapshots kept in memory for ?as_of= reads.
AS_OF_CACHE_SIZE = 16


class AppState:
    def __init__(self, settings: Settings, registry: Registry) -> None:
        self.settings = settings
        self.registry = registry
        self._lock = Lock()
        self._current = registry.snapshot()
        self._checked = time.monotonic()
        self._past: OrderedDict[date, RegistrySnapshot] = OrderedDict()
        registry.on_commit(self._replace)

    def _replace(self, snapshot: RegistrySnapshot) -> None:
        with self._lock:
            self._current = snapshot
            self._past.clear()

    def snapshot(self, on: date | None = None) -> RegistrySnapshot:
        """The current read model, or the registry as it was at the end of ``on``."""
        if on is not None:
            return self._snapshot_on(on)
        if time.monotonic() - self._checked > REFRESH_SECONDS:
            self._checked = time.monotonic()
            if self.registry.latest_revision() != self._current.revision:
                self._replace(self.registry.snapshot())
        return self._current

    def _snapshot_on(self, on: date) -> RegistrySnapshot:
        with self._lock:
            if on in self._past:
                self._past.move_to_end(on)
                return self._past[on]
        snapshot = as_of(self.registry.engine, on)
        with self._lock:
            self._past[on] = snapshot
            while len(self._past) > AS_OF_CACHE_SIZE:
                self._past.popitem(last=False)
        return snapshot


def get_state(request: Request) -> AppState:
    """FastAPI dependency: the AppState of the app serving ``request``."""
    state: AppState = request.app.state.tsbkart
    return state
