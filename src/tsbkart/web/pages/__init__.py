"""HTML pages (map, unit, area). Interim: a plain list of units per catchment area until issue #3 lands."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from tsbkart.web.state import AppState, get_state

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(state: Annotated[AppState, Depends(get_state)]) -> str:
    snap = state.snapshot()
    parts = [
        "<!doctype html><html lang='nb'><head><meta charset='utf-8'><title>tsbkart</title></head><body>",
        "<h1>TSB-enheter per opptaksområde</h1>",
    ]
    for catchment in sorted(snap.geography.catchments.values(), key=lambda c: c.name):
        units = [u for u in snap.units.values() if u.catchment_code == catchment.code]
        parts.append(f"<h2>{escape(catchment.name)} ({len(units)})</h2><ul>")
        parts += [f"<li>{escape(u.name)}</li>" for u in sorted(units, key=lambda u: u.name)]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "".join(parts)
