"""Catchment-area report PDFs: rendered once per (catchment, revision, language, day), a few at a time.

A PDF costs 0.4-0.8 s of CPU (WeasyPrint); 16 anonymous requests in parallel took 11 s and held every
worker thread. Here a report is rendered once per key and kept (a small LRU), at most ``renders`` are
rendered at once, and a request that cannot start a render within ``wait_seconds`` gets 503 with
``Retry-After`` instead of queueing without bound::

    pdfs = ReportPdfs(renders=2)
    body = pdfs.get(("unn", 12, "nb", date(2026, 12, 1)), lambda: pdf_bytes(html()))   # in a worker thread
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

CACHE_SIZE = 64
WAIT_SECONDS = 10.0


class RendersBusy(Exception):
    """Every render slot stayed busy for ``wait_seconds``."""


class ReportPdfs:
    def __init__(
        self,
        renders: int,
        on_lookup: Callable[[bool], None] = lambda hit: None,
        wait_seconds: float = WAIT_SECONDS,
    ) -> None:
        self._slots = threading.BoundedSemaphore(renders)
        self._wait = wait_seconds
        self._on_lookup = on_lookup
        self._lock = threading.Lock()
        self._done: OrderedDict[Hashable, bytes] = OrderedDict()
        self._rendering: dict[Hashable, threading.Lock] = {}

    def _cached(self, key: Hashable) -> bytes | None:
        with self._lock:
            found = self._done.get(key)
            if found is not None:
                self._done.move_to_end(key)
            return found

    def get(self, key: Hashable, render: Callable[[], bytes]) -> bytes:
        """The PDF for ``key``, rendering it with ``render()`` unless it is kept. Blocking: call from a thread."""
        found = self._cached(key)
        self._on_lookup(found is not None)
        if found is not None:
            return found
        with self._lock:
            one_render = self._rendering.setdefault(key, threading.Lock())
        # Requests for the same report wait for the one render, then read the cache.
        if not one_render.acquire(timeout=self._wait):
            raise RendersBusy
        try:
            found = self._cached(key)
            if found is not None:
                return found
            if not self._slots.acquire(timeout=self._wait):
                raise RendersBusy
            try:
                body = render()
            finally:
                self._slots.release()
            with self._lock:
                self._done[key] = body
                while len(self._done) > CACHE_SIZE:
                    self._done.popitem(last=False)
            return body
        finally:
            one_render.release()
            with self._lock:
                if self._rendering.get(key) is one_render and not one_render.locked():
                    del self._rendering[key]
