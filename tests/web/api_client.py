"""In-process clients for the API tests: the app built from a registry, and its TestClient.

Starlette warns at import that its TestClient wants ``httpx2``; that is a packaging notice, not a fault in
tsbkart, and the suite turns warnings into errors, so the import is done here with that one warning muted.
"""

from __future__ import annotations

import warnings

from fastapi import FastAPI
from sqlalchemy import Engine

from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.web.app import create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


def app_for(engine: Engine, **settings: object) -> tuple[FastAPI, Registry]:
    registry = Registry(engine)
    app = create_app(Settings(database_url=str(engine.url), **settings), registry=registry)  # type: ignore[arg-type]
    return app, registry


def client_for(engine: Engine, **settings: object) -> TestClient:
    app, _ = app_for(engine, **settings)
    return TestClient(app)


__all__ = ["TestClient", "app_for", "client_for"]
