"""What every command needs: settings, an engine on the configured database, and a console."""

from __future__ import annotations

from functools import cache

import typer
from rich.console import Console
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from tsbkart.cli.translation import gettext_for
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
    return Registry(registry_engine())


def registry_engine() -> Engine:
    """The configured engine, for commands that read the registry: a database without the registry's
    tables ends the command with a message saying what to run, instead of a database error."""
    if not has_registry(engine()):
        say = gettext_for(settings().default_language)
        console.print(
            say(
                "The database has no registry yet. Run `tsbkart db build-default` (the bundled data) or "
                "`tsbkart db upgrade` (an empty registry) first."
            ),
            markup=False,
        )
        raise typer.Exit(2)
    return engine()


def has_registry(engine: Engine) -> bool:
    try:
        return inspect(engine).has_table("revisions")
    except SQLAlchemyError:
        return False
