"""App factory: ``create_app(settings)`` builds an independent app (no module-level state)."""

from __future__ import annotations

from importlib import resources

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from tsbkart.db.engine import make_engine
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.web import api, atlas, operations, pages, planning
from tsbkart.web import finder as finder_routes
from tsbkart.web.api import docs
from tsbkart.web.api.clock import RevisionClock
from tsbkart.web.api.links import install_links
from tsbkart.web.api.unit_json import UnitJson
from tsbkart.web.errors import install_error_handlers
from tsbkart.web.middleware import BodySizeLimit, SecurityHeaders
from tsbkart.web.state import AppState
from tsbkart.web.stewardship import ROUTERS as STEWARDSHIP_ROUTERS
from tsbkart.web.stewardship import install as install_stewardship
from tsbkart.web.stewardship.access import guard


def create_app(settings: Settings, registry: Registry | None = None) -> FastAPI:
    registry = registry or Registry(make_engine(settings.database_url))
    # docs_url=None: FastAPI's Swagger page needs a CDN and inline script; web/api/docs.py serves a CSP-safe one.
    # guard: every route passes the access rules of web/access.yaml (CSRF, sign-in, roles).
    app = FastAPI(
        title="tsbkart",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(guard)],
        lifespan=operations.lifespan,
    )
    state = AppState(settings, registry)
    app.state.tsbkart = state
    app.state.revision_clock = RevisionClock(registry.engine)
    app.state.unit_json = UnitJson()
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    operations.install_inner(app, settings)
    app.add_middleware(SecurityHeaders, tile_url=settings.tile_url, hsts=settings.behind_tls)
    operations.install_outer(app, settings, state)
    app.mount("/static", StaticFiles(directory=str(resources.files("tsbkart.web") / "static")), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(docs.router)
    app.include_router(atlas.router)
    app.include_router(planning.router)
    app.include_router(finder_routes.router)
    for router in STEWARDSHIP_ROUTERS:
        app.include_router(router)
    install_stewardship(app, settings, registry.engine)
    install_links(app)
    return app


def create_app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory`` and ``tsbkart serve``: settings from the environment."""
    return create_app(Settings())
