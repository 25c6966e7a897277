"""Writers the concurrency tests run in separate processes (spawned: they share nothing but the database).

Each takes a database URL (``child_url``) and reports through a multiprocessing queue, so a test asserts on
what really happened in the other process.
"""

from __future__ import annotations

import os
from dataclasses import replace
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier, Event
from typing import Any

from sqlalchemy import Engine, text

from tsbkart.db.engine import make_engine
from tsbkart.domain.actors import Actor
from tsbkart.registry.store import Registry, Upsert
from tsbkart.registry.versions import Conflict

TIMEOUT = 120.0  # seconds a writer waits for the test to let it go on before giving up


def child_url(engine: Engine) -> str:
    """A URL another process can open on the same database (and, on PostgreSQL, the test's own schema)."""
    url = engine.url
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def set_beds(url: str, unit_id: str, beds: int, both_read: Barrier, results: Queue[Any]) -> None:
    """Read the unit, wait until the other writer has read it too, then write ``beds`` based on what was read."""
    registry = Registry(make_engine(url))
    snapshot = registry.snapshot()
    base = snapshot.version("unit", unit_id)
    edited = replace(snapshot.units[unit_id], beds=beds)
    both_read.wait(TIMEOUT)
    try:
        revision = registry.commit(
            [Upsert(edited, based_on=base)], actor=Actor.cli(f"writer-{beds}"), reason="beds"
        )
    except Conflict as conflict:
        stale = [(r.kind, r.id, r.based_on, r.current) for r in conflict.records]
        results.put(("conflict", beds, str(conflict), stale))
    else:
        results.put(("won", beds, revision, base))


def set_phone_until_it_sticks(
    url: str, unit_id: str, phone: str, committing: Event, results: Queue[Any]
) -> None:
    """A steward's edit: read, change the phone, write based on what was read; on a conflict, read again."""
    registry = Registry(make_engine(url))
    conflicts = 0
    while True:
        snapshot = registry.snapshot()
        edited = replace(snapshot.units[unit_id], phone=phone)
        committing.set()
        try:
            registry.commit(
                [Upsert(edited, based_on=snapshot.version("unit", unit_id))],
                actor=Actor("user", "steward-1", "Kari Steward"),
                reason="new phone number",
            )
        except Conflict:
            conflicts += 1
            continue
        results.put(("edited", conflicts))
        return


def cli_import(url: str, path: str, pause: str, paused: Event, go: Event, results: Queue[Any]) -> None:
    """``tsbkart import`` of ``path``, holding still at ``pause`` until the test sets ``go``.

    ``pause="parsed"``: after the files are read, before the write transaction (where an edit used to be lost).
    ``pause="merging"``: inside the write transaction, while the rows are merged with the current records.
    """
    from typer.testing import CliRunner

    from tsbkart.cli.main import app
    from tsbkart.exchange import importer

    os.environ["TSBKART_DATABASE_URL"] = url
    target = "read_file" if pause == "parsed" else "build_records"
    original = getattr(importer, target)

    def held(*args: Any, **kwargs: Any) -> Any:
        out = original(*args, **kwargs) if pause == "parsed" else None
        paused.set()
        if not go.wait(TIMEOUT):
            raise TimeoutError("the test never let the import go on")
        return out if pause == "parsed" else original(*args, **kwargs)

    setattr(importer, target, held)
    result = CliRunner().invoke(
        app, ["import", path, "--kind", "unit", "--actor", "importer", "--reason", "beds"]
    )
    results.put((result.exit_code, result.output))
