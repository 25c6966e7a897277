"""What every command needs: settings, an engine on the configured database, and a console."""

from __future__ import annotations

from functools import cache

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from tsbkart.cli.translation import Gettext, gettext_for, known_language
from tsbkart.db.engine import make_engine
from tsbkart.domain.messages import Message
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


def say(language: str | None = None) -> Gettext:
    """Messages in ``language``, else in TSBKART_DEFAULT_LANGUAGE (bokmål when that is not one we have)."""
    chosen = language or settings().default_language
    return gettext_for(chosen if known_language(chosen) else "nb")


def print_message(message: Message, colour: str = "green") -> None:
    """``message`` in the user's language (``say``), on standard error, in ``colour``."""
    console.print(f"[{colour}]{escape(message.translate(say()))}[/{colour}]")


def registry() -> Registry:
    return Registry(registry_engine())


def registry_engine() -> Engine:
    """The configured engine, for commands that read the registry: a database without the registry's
    tables ends the command with a message saying what to run, instead of a database error."""
    if not has_registry(engine()):
        console.print(
            say()(
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
