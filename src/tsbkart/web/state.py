"""Per-app state: settings, the registry and its in-memory read model.

Public reads use ``AppState.snapshot()``, which never touches the database: the snapshot is replaced after a
commit through this process's Registry, and a :class:`~tsbkart.registry.follower.RevisionFollower` thread
(started with the app, see ``app.py``'s lifespan) rebuilds it when another process commits. The rebuild runs
in that thread, never on the event loop. Each new snapshot's finder and list indexes are built in a thread
of their own as soon as it is taken (``settings.warm_indexes``), so the first request after a commit does not
wait for them.

Staleness is bounded: once the follower has not confirmed the snapshot current for
``settings.max_staleness_seconds`` (the database is gone), ``snapshot()`` raises ``RegistryUnavailable``
and the app answers 503 with ``Retry-After`` until the database is back.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from threading import Lock, Thread

from fastapi import Request

from tsbkart.finder.index import finder_index
from tsbkart.query.index import index_for
from tsbkart.registry.follower import RevisionFollower
from tsbkart.registry.history import as_of
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings

# Past snapshots kept in memory for ?as_of= reads.
AS_OF_CACHE_SIZE = 16
log = logging.getLogger(__name__)


class RegistryUnavailable(Exception):
    """The snapshot can no longer be confirmed current (database unreachable for too long)."""


@dataclass(frozen=True, slots=True)
class Freshness:
    """What ``/readyz`` reports: the snapshot's revision, seconds since it was built and since it was last
    confirmed current (None while no follower runs: then only this process's own commits update it)."""

    revision: int
    built_seconds_ago: float
    confirmed_seconds_ago: float | None
    database_reachable: bool
    error: str | None


class AppState:
    def __init__(self, settings: Settings, registry: Registry) -> None:
        self.settings = settings
        self.registry = registry
        self._lock = Lock()
        self._current = registry.snapshot()
        self._built = time.monotonic()
        self._past: OrderedDict[date, RegistrySnapshot] = OrderedDict()
        self._generation = 0  # bumped on every new snapshot, so a past snapshot built meanwhile is not kept
        self.build_listeners: list[Callable[[RegistrySnapshot, float], None]] = []
        self.follower = RevisionFollower(registry.engine, self._follow, settings.revision_check_seconds)
        self.warming: Thread | None = None  # the thread building the newest snapshot's indexes, if any
        registry.on_commit(self._replace)

    def _replace(self, snapshot: RegistrySnapshot) -> None:
        with self._lock:
            self._current = snapshot
            self._built = time.monotonic()
            self._past.clear()
            self._generation += 1
        self.warm(snapshot)

    def warm(self, snapshot: RegistrySnapshot) -> None:
        """Build the indexes every search and list reads (``settings.warm_indexes``) in a thread, so that after
        a commit the first request does not wait for them (about 0.3 s at 10,000 units)."""
        if self.settings.warm_indexes:
            self.warming = Thread(
                target=warm_indexes, args=(snapshot,), name="tsbkart-warm-indexes", daemon=True
            )
            self.warming.start()

    def _follow(self, latest: int) -> None:
        """Follower thread: rebuild when the database holds another revision than the snapshot."""
        if latest == self._current.revision:
            return
        started = time.perf_counter()
        snapshot = self.registry.snapshot()
        seconds = time.perf_counter() - started
        self._replace(snapshot)
        log.info("snapshot rebuilt", extra={"revision": snapshot.revision, "seconds": round(seconds, 3)})
        for listener in self.build_listeners:
            listener(snapshot, seconds)

    def freshness(self) -> Freshness:
        health = self.follower.health()
        now = time.monotonic()
        confirmed = None
        if self.follower.running and health.confirmed_at is not None:
            confirmed = now - health.confirmed_at
        return Freshness(
            revision=self._current.revision,
            built_seconds_ago=now - self._built,
            confirmed_seconds_ago=confirmed,
            database_reachable=health.reachable,
            error=health.error,
        )

    def snapshot(self, on: date | None = None) -> RegistrySnapshot:
        """The current read model, or the registry as it was at the end of ``on``."""
        if on is not None:
            return self._snapshot_on(on)
        if self.follower.running:
            confirmed_at = self.follower.health().confirmed_at
            if (
                confirmed_at is not None
                and time.monotonic() - confirmed_at > self.settings.max_staleness_seconds
            ):
                raise RegistryUnavailable
        return self._current

    def _snapshot_on(self, on: date) -> RegistrySnapshot:
        with self._lock:
            if on in self._past:
                self._past.move_to_end(on)
                return self._past[on]
            generation = self._generation
        snapshot = as_of(self.registry.engine, on)
        with self._lock:
            if generation != self._generation:  # a revision arrived while replaying: today's past may differ
                return snapshot
            self._past[on] = snapshot
            while len(self._past) > AS_OF_CACHE_SIZE:
                self._past.popitem(last=False)
        return snapshot


def warm_indexes(snapshot: RegistrySnapshot) -> None:
    """The snapshot's finder index and list index, built and kept with it (``snapshot.derived``)."""
    try:
        finder_index(snapshot)
        index_for(snapshot)
    except Exception:  # a request builds them again and reports what fails; the server stays up
        log.exception("index warm-up failed", extra={"revision": snapshot.revision})


def get_state(request: Request) -> AppState:
    """FastAPI dependency: the AppState of the app serving ``request``."""
    state: AppState = request.app.state.tsbkart
    return state
