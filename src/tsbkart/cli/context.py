"""What every command needs: settings, an engine on the configured database, and a console."""

from __future__ import annotations

from functools import cache

from rich.console import Console
from sqlalchemy import Engine

from tsbkart.db.engine import make_engine
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings

console = Console(stderr=True)
out = Console()


@cache
def settings() -> Settings:
    return Settings()


@cache
def engine() -> Engine:
    return make_engine(settings().database_url)


def registry() -> Registry:
    return Registry(engine())
