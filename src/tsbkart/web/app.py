"""App factory. Interim version: a plain page of units per catchment area (replaced by the map, issue #3)."""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from tsbkart.db.engine import make_engine
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings


def create_app(settings: Settings, registry: Registry | None = None) -> FastAPI:
    registry = registry or Registry(make_engine(settings.database_url))
    app = FastAPI(title="tsbkart")

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        snap = registry.snapshot()
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

    return app


def create_app_from_environment() -> FastAPI:
    return create_app(Settings())
