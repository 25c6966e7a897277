"""Entry point: ``tsbkart --help``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from tsbkart.cli import atlas as atlas_commands
from tsbkart.cli import backup as backup_commands
from tsbkart.cli import exchange as exchange_commands
from tsbkart.cli import plan as plan_commands
from tsbkart.cli import stewardship as stewardship_commands
from tsbkart.cli import tokens as token_commands
from tsbkart.cli.context import console, engine, out, print_message, registry_engine, settings
from tsbkart.db.migrate import upgrade
from tsbkart.domain.messages import Message
from tsbkart.reference.build import build_reference, bundled_state, needs_build
from tsbkart.registry.history import record_history

app = typer.Typer(
    help="tsbkart: the map of Norwegian specialised substance-use treatment (TSB).", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema and the default database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every Alembic migration to the configured database (TSBKART_DATABASE_URL)."""
    upgrade(engine())
    console.print("[green]Schema is at the newest migration.[/green]")


def _load_reference(population_from: int | None) -> None:
    years = range(population_from, 2027) if population_from else None
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn(), console=console
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(task: str, done: int, total: int) -> None:
            if task not in tasks:
                tasks[task] = bar.add_task(f"Loading {task}", total=total)
            bar.update(tasks[task], completed=done)

        report = build_reference(engine(), years=years, progress=progress)
    counts = {"areas": report.area_units, "rows": f"{report.population_rows:,}"}
    if report.revision:
        loaded = Message(
            "Reference data loaded: {areas} areas, {rows} population rows, revision {revision}.",
            revision=report.revision,
            **counts,
        )
    else:
        loaded = Message(
            "Reference data loaded: {areas} areas, {rows} population rows, no registry changes.", **counts
        )
    print_message(loaded)


@db_app.command("build-default")
def db_build_default() -> None:
    """Build the database from the bundled reference data if it is missing (what `make run` calls); on a
    built one, upgrade the schema and load newer bundled data while nobody but the reference loader has
    written to the registry (otherwise only say what `tsbkart load-reference` would change)."""
    if needs_build(engine()):
        _load_reference(None)
        return
    upgrade(engine())
    state = bundled_state(engine())
    if state.current:
        print_message(Message("Database present; schema checked; it holds this version's bundled data."))
    elif state.only_bundled:
        print_message(
            Message(
                "Database present; schema checked. {count} records differ from this version's bundled data and "
                "nobody but the reference loader has changed the registry: loading this version's bundled data.",
                count=state.outdated,
            )
        )
        _load_reference(None)
    else:
        print_message(
            Message(
                "Database present; schema checked. {count} bundled records differ from this version's bundled "
                "data ({edited} of them last changed by a steward or an import); they were not loaded, so that "
                "no one's changes are written over. To load this version's bundled data, run "
                "`tsbkart load-reference --overwrite-edits`: it writes the bundled version over those records, "
                "steward changes included.",
                count=state.outdated,
                edited=state.edited,
            ),
            "yellow",
        )


@app.command("load-reference")
def load_reference(
    population_from: Annotated[
        int | None, typer.Option(help="Only load population from this year on.")
    ] = None,
    overwrite_edits: Annotated[
        bool,
        typer.Option(
            "--overwrite-edits", help="Write the bundled version over records a steward or an import changed."
        ),
    ] = False,
) -> None:
    """(Re)load the bundled geography, population and source-backed registry records; refuses to write over
    records a steward or an import changed last unless ``--overwrite-edits`` says so."""
    if not overwrite_edits and not needs_build(engine()):
        upgrade(engine())
        state = bundled_state(engine())
        if state.edited:
            print_message(
                Message(
                    "Nothing loaded: {edited} of the {count} records that differ from this version's bundled data "
                    "were last changed by a steward or an import, and loading would write the bundled version "
                    "over them. Run `tsbkart load-reference --overwrite-edits` to load it anyway.",
                    count=state.outdated,
                    edited=state.edited,
                ),
                "yellow",
            )
            raise typer.Exit(1)
    _load_reference(population_from)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes serving the same port; each follows the others' commits.")
    ] = 1,
) -> None:
    """Serve the map, pages and JSON API."""
    import uvicorn
    from sqlalchemy.engine import make_url

    from tsbkart.web.operations.server import prepare_workers, server_options

    if needs_build(engine()):
        _load_reference(None)
    database = make_url(settings().database_url).render_as_string(hide_password=True)
    console.print(
        f"Serving tsbkart at http://{host}:{port} with {workers} process(es) (database: {database})"
    )
    prepare_workers(workers)
    uvicorn.run(
        "tsbkart.web.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **server_options(settings()),
    )


@app.command()
def history(
    unit: Annotated[str, typer.Argument(help="Unit id (or another record's id with --kind).")],
    kind: Annotated[str, typer.Option(help="organisation, unit, offer or team.")] = "unit",
) -> None:
    """Show a record's revisions with what each changed (a unit includes its service offers)."""
    entries = record_history(registry_engine(), kind, unit)
    if not entries:
        console.print(f"[red]No history for {kind} {unit!r}.[/red]")
        raise typer.Exit(1)
    for e in entries:
        out.print(
            f"[bold]rev {e.revision_id}[/bold] · {e.created_at:%Y-%m-%d %H:%M} UTC · {escape(e.actor.label)}"
            + (f" · approved by {escape(e.approved_by.label)}" if e.approved_by else "")
            + f" · {escape(e.reason)}",
            soft_wrap=True,
        )
        out.print(f"  {e.op} {e.kind} {escape(e.entity_id)}")
        for name, (old, new) in e.changed.items():
            if name != "field_provenance":
                out.print(f"    {name}: {escape(repr(old))} → {escape(repr(new))}", soft_wrap=True)


@app.command()
def version() -> None:
    """Print the version."""
    from tsbkart import __version__

    out.print(__version__)


exchange_commands.register(app)
atlas_commands.register(app)
stewardship_commands.register(app)
token_commands.register(app)
plan_commands.register(app)
backup_commands.register(app)

__all__ = ["app", "date"]
