"""Large answers built once per revision and query, kept compressed, streamed out.

``units.geojson`` for 10,000 units is about 6.6 MB of JSON and took 0.2-0.4 s of CPU to build; rebuilt on
every request inside an async route it blocked every other request. Here such a document is built once per
key (the answer's ETag: revision, ``as_of``, path and normalised query), in a worker thread, compressed
there with brotli and gzip, and served from memory in the encoding the client accepts::

    body = await cache.document(tag, build)         # build() -> bytes, called once per tag
    body.variant("br, gzip")                        # -> ("br", b"...")

Concurrent misses for one key wait for one build. The cache is bounded by total bytes (least recently used
out first), so arbitrary query strings cannot grow it without bound.
"""

from __future__ import annotations

import asyncio
import gzip
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import brotli
from starlette.concurrency import run_in_threadpool

# Smaller bodies are not worth compressing (the headers cost as much).
COMPRESS_MIN_BYTES = 500
# Quality 5/level 6: most of the gain of the maximum, at a fraction of the CPU; paid once per revision.
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
# The compression middleware's (pages the page cache then keeps, and other answers): its own defaults.
MIDDLEWARE_BROTLI_QUALITY = 4
MIDDLEWARE_GZIP_LEVEL = 4
# Answers made for one request and never kept (the finder's), on the busiest path: the fastest levels. A
# 116 KB finder answer: brotli quality 0 took 0.12 ms for 6.4 KB, quality 4 0.59 ms for 4.9 KB.
ONE_OFF_BROTLI_QUALITY = 0
ONE_OFF_GZIP_LEVEL = 1
DEFAULT_MAX_BYTES = 128 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Document:
    """One answer in every encoding it is kept in: {"identity": ..., "br": ..., "gzip": ...}."""

    encodings: dict[str, bytes]

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.encodings.values())

    def variant(self, accept_encoding: str | None) -> tuple[str, bytes]:
        """The smallest encoding the client accepts (``Accept-Encoding``), else identity."""
        accepted = accepted_encodings(accept_encoding)
        for name in ("br", "gzip"):
            if name in accepted and name in self.encodings:
                return name, self.encodings[name]
        return "identity", self.encodings["identity"]


def accepted_encodings(header: str | None) -> set[str]:
    """``"br;q=1.0, gzip, deflate;q=0"`` -> {"br", "gzip"}; ``*`` accepts both."""
    accepted: set[str] = set()
    for item in (header or "").split(","):
        name, _, params = item.strip().partition(";")
        quality = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            if float(quality) <= 0:
                continue
        except ValueError:
            continue
        name = name.strip().lower()
        if not name:
            continue
        accepted |= {"br", "gzip"} if name == "*" else {name}
    return accepted


def compress(body: bytes) -> Document:
    if len(body) < COMPRESS_MIN_BYTES:
        return Document({"identity": body})
    return Document(
        {
            "identity": body,
            "br": brotli.compress(body, quality=BROTLI_QUALITY),
            "gzip": gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0),
        }
    )


def encoded(body: bytes, accept_encoding: str | None) -> tuple[str, bytes]:
    """An answer made for one request, in the encoding the client accepts (br before gzip), compressed where it
    is called: a CPU-bound answer is compressed in its worker thread, not by the middleware on the event loop.
    The middleware passes an answer that has a ``Content-Encoding`` unchanged. -> ("br", b"...")"""
    if len(body) >= COMPRESS_MIN_BYTES:
        accepted = accepted_encodings(accept_encoding)
        if "br" in accepted:
            return "br", brotli.compress(body, quality=ONE_OFF_BROTLI_QUALITY)
        if "gzip" in accepted:
            return "gzip", gzip.compress(body, compresslevel=ONE_OFF_GZIP_LEVEL, mtime=0)
    return "identity", body


class DocumentCache:
    """Owned by the app (``app.state.documents``); ``on_lookup(hit)`` feeds the cache metrics."""

    def __init__(self, on_lookup: Callable[[bool], None], max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.on_lookup = on_lookup
        self._documents: OrderedDict[str, Document] = OrderedDict()
        self._bytes = 0
        self._building: dict[str, asyncio.Future[Document]] = {}

    async def document(self, key: str, build: Callable[[], bytes]) -> Document:
        found = self._documents.get(key)
        if found is not None:
            self._documents.move_to_end(key)
            self.on_lookup(True)
            return found
        self.on_lookup(False)
        pending = self._building.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Document] = asyncio.get_running_loop().create_future()
        self._building[key] = future
        try:
            document = await run_in_threadpool(lambda: compress(build()))
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: a failed build is reported to this caller, not logged as lost
            raise
        finally:
            del self._building[key]
        future.set_result(document)
        self._store(key, document)
        return document

    def _store(self, key: str, document: Document) -> None:
        if document.size > self.max_bytes:
            return
        self._documents[key] = document
        self._bytes += document.size
        while self._bytes > self.max_bytes:
            _, evicted = self._documents.popitem(last=False)
            self._bytes -= evicted.size
