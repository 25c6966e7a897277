"""``tsbkart backup`` and ``tsbkart restore`` (issue #12). Thin: parse arguments, call ``tsbkart.backup``, print.

A restore is recorded in the audit log (action ``database_restored``) once the restored database verifies.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from tsbkart.backup.copies import BackupFailed, backup, restore
from tsbkart.backup.verify import Verification
from tsbkart.cli.context import console, engine, settings
from tsbkart.cli.context import say as say_in
from tsbkart.cli.translation import Gettext, translate
from tsbkart.domain.messages import Message
from tsbkart.stewardship import audit
from tsbkart.stewardship.roles import ActorRef

Language = Annotated[
    str | None, typer.Option(help="Language of the messages: nb or en (default: TSBKART_DEFAULT_LANGUAGE).")
]


def _fail(say: Gettext, error: BackupFailed) -> None:
    console.print(f"[red]{escape(translate(error.text, say))}[/red]")
    if error.verification is not None:
        _print_checks(say, error.verification)
    raise typer.Exit(1)


def _print_checks(say: Gettext, result: Verification) -> None:
    for check in result.checks:
        mark = "[green]✓[/green]" if not check.problems else "[red]✗[/red]"
        console.print(f"  {mark} {escape(say(check.name))}")
        for problem in check.problems:
            console.print(f"      {escape(translate(problem, say))}")


def backup_command(
    output: Annotated[Path, typer.Option(help="Backup file, or a folder for a time-stamped file.")] = Path(
        "var"
    )
    / "backups",
    language: Language = None,
) -> None:
    """Back up the configured database: SQLite's online backup API, or pg_dump for PostgreSQL."""
    say = say_in(language)
    try:
        path = backup(settings().database_url, output)
    except BackupFailed as error:
        _fail(say, error)
        return
    done = Message("Backup written to {path} ({size} bytes).", path=path, size=path.stat().st_size)
    console.print(f"[green]{escape(translate(done, say))}[/green]")


def restore_command(
    backup_file: Annotated[Path, typer.Argument(help="A file written by tsbkart backup.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before replacing the database.")] = False,
    language: Language = None,
) -> None:
    """Replace the configured database with a backup, then verify it (integrity, schema, history, audit)."""
    say = say_in(language)
    url = settings().database_url
    if not yes:
        question = Message("Replace the database {url} with {path}?", url=_shown(url), path=backup_file)
        typer.confirm(translate(question, say), abort=True)
    try:
        result = restore(url, backup_file)
    except BackupFailed as error:
        _fail(say, error)
        return
    _print_checks(say, result)
    if not result.ok:
        console.print(f"[red]{escape(say('The restored database fails verification.'))}[/red]")
        raise typer.Exit(1)
    actor = ActorRef("system", "cli", f"cli:{getpass.getuser()}")
    audit.record(engine(), audit.AuditEvent("database_restored", actor, source=backup_file.name))
    console.print(
        f"[green]{escape(translate(Message('Restored from {path}.', path=backup_file), say))}[/green]"
    )


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
