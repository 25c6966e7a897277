"""``/healthz`` (the process is alive) and ``/readyz`` (it can serve current data), for load balancers.

``/readyz`` answers 200 when the database answers and the snapshot is within its staleness bound, else 503
with ``Retry-After``; either way the body says why::

    {"status": "ready", "database": "reachable", "revision": 12, "database_revision": 12,
     "snapshot_built_seconds_ago": 93.1, "snapshot_confirmed_seconds_ago": 0.4, "max_staleness_seconds": 30.0}
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from tsbkart.registry.follower import latest_revision
from tsbkart.web.operations.unavailable import RETRY_AFTER_SECONDS
from tsbkart.web.state import AppState

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "alive"}, headers=NO_STORE)


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    state: AppState = request.app.state.tsbkart
    try:
        # A real round trip, off the event loop: a hanging database must not stall other requests.
        database_revision: int | None = await run_in_threadpool(latest_revision, state.registry.engine)
    except SQLAlchemyError:
        database_revision = None
    freshness = state.freshness()
    confirmed = freshness.confirmed_seconds_ago
    fresh = confirmed is None or confirmed <= state.settings.max_staleness_seconds
    ready = database_revision is not None and fresh
    body: dict[str, Any] = {
        "status": "ready" if ready else "unavailable",
        "database": "reachable" if database_revision is not None else "unreachable",
        "revision": freshness.revision,
        "database_revision": database_revision,
        "snapshot_built_seconds_ago": round(freshness.built_seconds_ago, 3),
        "snapshot_confirmed_seconds_ago": None if confirmed is None else round(confirmed, 3),
        "max_staleness_seconds": state.settings.max_staleness_seconds,
    }
    headers = dict(NO_STORE)
    if not ready:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return JSONResponse(body, status_code=200 if ready else 503, headers=headers)
