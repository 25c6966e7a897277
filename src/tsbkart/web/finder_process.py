"""Finder searches in a process of their own (``TSBKART_FINDER_PROCESS``), beside the app's event loop.

A search is CPU-bound (about 5 ms at 10,000 units), so it never runs on the event loop. In a worker thread of
the app's own process it still shares the GIL with the event loop, and the two hand it to and fro at every
large numpy operation and every socket call: under load a search then cost the process about twice its own
CPU, and every other request waited behind it (``docs/deployment.md``, measured figures). Here the search
runs in one child process that holds its own snapshot of the same database, so it uses another core and
never the event loop's GIL::

    searcher = FinderProcess(settings.database_url)      # started with the app (lifespan), stopped with it
    answer = await searcher.search(snapshot.revision, profile, today=..., limit=..., explain=...,
                                   accept_encoding="br, gzip")
    # -> ("br", b"...") the bytes the worker thread would make, or None: search in a thread instead

The child answers only for the revision the request's snapshot has: when it holds another one (a commit it
has not followed yet) it answers None at once and takes the newest snapshot in a thread of its own, so a
request never waits for a rebuild. None also while it starts (a new process imports and builds its snapshot
for a few seconds), after it failed (it is started again) and for a profile the search refuses (the thread
then raises the error with its message). The profile goes to the child over a pipe and is dropped after the
search, as in a thread: nothing stores or logs it. The child holds a second copy of the snapshot and its
indexes (memory: see docs/deployment.md).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date

from sqlalchemy.engine import make_url

from tsbkart.db.engine import make_engine
from tsbkart.finder.answer_json import answer_json
from tsbkart.finder.index import finder_index
from tsbkart.finder.profile import NeedProfile
from tsbkart.finder.search import find
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.registry.store import Registry
from tsbkart.web.api.documents import encoded

log = logging.getLogger(__name__)
Answer = tuple[str, bytes]


def shareable(database_url: str) -> bool:
    """Another process can open the same database (not an in-memory SQLite one)."""
    url = make_url(database_url)
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


class FinderProcess:
    """Owned by the app (``app.state.finder_process``); all its methods are called from the event loop."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._pool: ProcessPoolExecutor | None = None
        self._ready = False

    @property
    def ready(self) -> bool:
        """The child has built its snapshot and takes searches."""
        return self._pool is not None and self._ready

    def start(self) -> None:
        """Start the child; it is used once it has built its snapshot (until then searches run in threads)."""
        # spawn, not fork: the app process runs threads (follower, warm-up), which a fork would copy mid-state.
        pool = self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_child_start,
            initargs=(self.database_url,),
        )
        self._ready = False

        def started(future: Future[bool]) -> None:
            # Runs in the executor's management thread: only a flag is set here, for this pool only (a child
            # replaced meanwhile is not the one that became ready).
            if self._pool is pool and not future.cancelled() and future.exception() is None:
                self._ready = bool(future.result())

        pool.submit(_child_ready).add_done_callback(started)

    def stop(self, *, wait: bool = True) -> None:
        """End the child: waits for a search it is running (milliseconds), so no process outlives the app."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
        self._pool, self._ready = None, False

    @property
    def pids(self) -> list[int]:
        """The child's process id (none while stopped), for tests and operators."""
        return list(self._pool._processes) if self._pool is not None else []

    async def search(
        self,
        revision: int,
        profile: NeedProfile,
        *,
        today: date,
        limit: int,
        explain: bool,
        accept_encoding: str | None,
    ) -> Answer | None:
        pool = self._pool
        if pool is None or not self.ready:
            return None
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                pool, _child_search, revision, profile, today, limit, explain, accept_encoding
            )
        except BrokenProcessPool:
            # The child died (killed, out of memory): start another; this request searches in a thread.
            log.warning("finder process lost; starting another")
            self.stop(wait=False)  # it is gone: nothing to wait for
            self.start()
            return None


def answer(
    snapshot: RegistrySnapshot,
    profile: NeedProfile,
    *,
    today: date,
    limit: int,
    explain: bool,
    accept_encoding: str | None,
) -> Answer:
    """One search's API answer, as the child and a worker thread make it: the JSON FastAPI would write for the
    response model (``answer_json``), compressed as the client accepts -> ("br", b"...")."""
    result = find(snapshot, profile, today=today, limit=limit, explain=explain)
    return encoded(answer_json(snapshot, result), accept_encoding)


# --- the child process --------------------------------------------------------------------------------

PARENT_CHECK_SECONDS = 1.0
_child: dict[str, object] = {}
_child_lock = threading.Lock()


def _child_start(database_url: str) -> None:
    # A child whose app died without stopping it (SIGKILL, out of memory) ends too: it keeps the task queue's
    # write end itself, so it would otherwise wait for tasks forever.
    threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), name="tsbkart-parent", daemon=True
    ).start()
    registry = Registry(make_engine(database_url))
    snapshot = registry.snapshot()
    finder_index(snapshot)  # built before the first search needs it
    _child.update(registry=registry, snapshot=snapshot, refreshing=False)


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _child_ready() -> bool:
    return "snapshot" in _child


def _child_search(
    revision: int, profile: NeedProfile, today: date, limit: int, explain: bool, accept_encoding: str | None
) -> Answer | None:
    snapshot = _child["snapshot"]
    assert isinstance(snapshot, RegistrySnapshot)
    if snapshot.revision != revision:
        _child_follow()
        return None
    try:
        return answer(
            snapshot, profile, today=today, limit=limit, explain=explain, accept_encoding=accept_encoding
        )
    except Exception:
        return None


def _child_follow() -> None:
    """Take the newest snapshot in a thread of the child (one at a time), so no search waits for it."""
    with _child_lock:
        if _child.get("refreshing"):
            return
        _child["refreshing"] = True

    def follow() -> None:
        try:
            registry = _child["registry"]
            assert isinstance(registry, Registry)
            snapshot = registry.snapshot()
            finder_index(snapshot)
            _child["snapshot"] = snapshot
        except Exception:
            log.warning("finder process could not take the newest snapshot", exc_info=True)
        finally:
            _child["refreshing"] = False

    threading.Thread(target=follow, name="tsbkart-finder-follow", daemon=True).start()
