"""App factory: ``create_app(settings)`` builds an independent app (no module-level state)."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from tsbkart.db.engine import make_engine
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.web import atlas, pages
from tsbkart.web import finder as finder_routes
from tsbkart.web.state import AppState


def create_app(settings: Settings, registry: Registry | None = None) -> FastAPI:
    registry = registry or Registry(make_engine(settings.database_url))
    app = FastAPI(title="tsbkart", version="0.1.0")
    app.state.tsbkart = AppState(settings, registry)
    app.mount("/static", StaticFiles(directory=str(resources.files("tsbkart.web") / "static")), name="static")
    app.include_router(pages.router)
    app.include_router(atlas.router)
    app.include_router(finder_routes.router)
    return app


def create_app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory`` and ``tsbkart serve``: settings from the environment."""
    return create_app(Settings())
