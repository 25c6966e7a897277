"""What an operator needs from a running process: probes, metrics, request logs, rate limits, HTTP hygiene.

``install_inner`` and ``install_outer`` wire it into an app (``web/app.py`` calls both, around the security
headers); ``lifespan`` starts the revision follower and warms the planning pages in a worker thread. See
docs/deployment.md for how it is used behind a proxy and across processes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from threading import Thread

from fastapi import FastAPI
from starlette_compress import CompressMiddleware, add_compress_type
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from tsbkart.settings import Settings
from tsbkart.web.api.documents import (
    COMPRESS_MIN_BYTES,
    MIDDLEWARE_BROTLI_QUALITY,
    MIDDLEWARE_GZIP_LEVEL,
    DocumentCache,
)
from tsbkart.web.finder_process import FinderProcess, shareable
from tsbkart.web.operations import metrics, probes
from tsbkart.web.operations.http import HeadAsGet, UrlLengthLimit
from tsbkart.web.operations.metrics import Metrics
from tsbkart.web.operations.page_cache import PageCache
from tsbkart.web.operations.rate_limits import RateLimits
from tsbkart.web.operations.request_log import RequestContext
from tsbkart.web.operations.unavailable import install_unavailable_handlers
from tsbkart.web.planning import warm_planning
from tsbkart.web.report_pdfs import ReportPdfs
from tsbkart.web.state import AppState

# The library's list of compressible types lacks CSV (our exports), and problem details are JSON.
for _kind in ("text/csv", "application/problem+json"):
    add_compress_type(_kind)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Follow other processes' commits while the server runs; build what /plan needs meanwhile."""
    state: AppState = app.state.tsbkart
    state.follower.start()
    state.warm(state.snapshot())
    searcher: FinderProcess | None = getattr(app.state, "finder_process", None)
    if searcher is not None:
        searcher.start()
    if state.settings.warm_planning:
        # A thread, never the event loop: the projection and the chart engine take seconds of CPU.
        Thread(target=warm_planning, args=(state,), name="tsbkart-warm-planning", daemon=True).start()
    try:
        yield
    finally:
        state.follower.stop()
        if searcher is not None:
            searcher.stop()


def install_inner(app: FastAPI, settings: Settings) -> None:
    """Middleware that must sit inside the security headers: compression, the page cache just outside it
    (so it keeps compressed answers), then (outside those) limits."""
    app.add_middleware(
        CompressMiddleware,
        minimum_size=COMPRESS_MIN_BYTES,
        zstd=False,
        brotli_quality=MIDDLEWARE_BROTLI_QUALITY,
        gzip_level=MIDDLEWARE_GZIP_LEVEL,
    )
    if settings.page_cache_bytes:
        app.add_middleware(PageCache, max_bytes=settings.page_cache_bytes)
    if settings.rate_limits:
        app.add_middleware(RateLimits, settings=settings)
    app.add_middleware(UrlLengthLimit, max_bytes=settings.max_url_bytes)
    app.add_middleware(HeadAsGet)


def install_outer(app: FastAPI, settings: Settings, state: AppState) -> None:
    """Routes, handlers and the outermost middleware: request context (logs, metrics), proxy headers."""
    app.state.metrics = metrics_ = Metrics(state)
    app.state.documents = DocumentCache(lambda hit: metrics_.cache_lookup("documents", hit))
    app.state.finder_process = (
        FinderProcess(settings.database_url)
        if settings.finder_process and shareable(settings.database_url)
        else None
    )
    app.state.report_pdfs = ReportPdfs(settings.pdf_renders, lambda hit: metrics_.cache_lookup("pdf", hit))
    install_unavailable_handlers(app)
    app.include_router(probes.router)
    app.include_router(metrics.router)
    app.add_middleware(RequestContext, metrics=app.state.metrics)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.proxy_addresses())
