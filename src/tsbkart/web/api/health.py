"""``/api/v1/health``: is the app up, and which revision does its read model hold."""

from __future__ import annotations

from fastapi import APIRouter, Request

from tsbkart.web.api.schemas import HealthOut
from tsbkart.web.state import AppState

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthOut)
async def health(request: Request) -> dict[str, object]:
    """``{"status": "ok", "revision": N}`` from the in-memory read model.

    The read model checks the database for newer revisions at most every few seconds (AppState), so this
    also fails loudly when the database is gone for longer than that.
    """
    state: AppState = request.app.state.tsbkart
    return {"status": "ok", "revision": state.snapshot().revision}
