"""Writers in separate processes on the same records, on SQLite and PostgreSQL (the ``engine`` fixture).

Exactly one of two writers based on the same version wins; the other gets a ``Conflict`` naming the record;
an import and a steward's edit made while it runs both survive; and every change's ``before`` is the state
the change really replaced.
"""

from __future__ import annotations

import csv
import itertools
import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.registry import factories as f
from tests.registry.writers import TIMEOUT, child_url, cli_import, set_beds, set_phone_until_it_sticks
from tsbkart.db.models import ChangeRow
from tsbkart.domain.actors import Actor
from tsbkart.registry.records import to_json
from tsbkart.registry.store import Registry, Upsert

spawn = multiprocessing.get_context("spawn")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _importable_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    # A spawned process imports the writer's module by name with the parent's sys.path, which pytest's
    # importlib mode leaves without the repository root.
    monkeypatch.syspath_prepend(str(ROOT))


def _changes(engine: Engine, unit_id: str) -> list[ChangeRow]:
    with Session(engine) as session:
        query = select(ChangeRow).where(ChangeRow.kind == "unit", ChangeRow.entity_id == unit_id)
        return list(session.scalars(query.order_by(ChangeRow.id)))


def _run(*processes: Any) -> None:
    for process in processes:
        process.join(TIMEOUT)
        assert process.exitcode == 0, f"{process.name} exited with {process.exitcode}"


def _seed(engine: Engine) -> Registry:
    registry = Registry(engine)
    registry.commit([Upsert(f.organisation()), Upsert(f.unit())], actor=Actor.cli("seed"), reason="seed")
    return registry


def test_two_writers_on_one_record_one_wins_the_other_gets_a_conflict(engine: Engine) -> None:
    _seed(engine)
    prior = to_json(f.unit())
    url = child_url(engine)
    both_read = spawn.Barrier(2)
    results = spawn.Queue()
    writers = [
        spawn.Process(target=set_beds, args=(url, "unit-a", beds, both_read, results), name=f"writer-{beds}")
        for beds in (10, 20)
    ]
    for writer in writers:
        writer.start()
    outcomes = sorted((results.get(timeout=TIMEOUT) for _ in writers), key=lambda r: r[0])
    _run(*writers)

    (lost, lost_beds, message, stale), (won, won_beds, revision, base) = outcomes
    assert (lost, won) == ("conflict", "won") and {lost_beds, won_beds} == {10, 20}
    assert base == 1 and revision == 2
    assert message.startswith("unit 'unit-a' has changed since version 1 (now version 2)")
    assert stale == [("unit", "unit-a", 1, 2)]
    create, update = _changes(engine, "unit-a")
    assert (create.op, update.op) == ("create", "update")
    assert update.before == prior and update.before == create.after
    assert update.after is not None and update.after["beds"] == won_beds
    snapshot = Registry(engine).snapshot()
    assert snapshot.units["unit-a"].beds == won_beds and snapshot.version("unit", "unit-a") == 2


def _unit_csv(path: Path, beds: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "name", "organisation_id", "source", "beds"])
        writer.writerow(["unit-a", "Enhet unit-a", "org-a", "https://example.org/test-source", str(beds)])
    return path


@pytest.mark.parametrize("pause", ["parsed", "merging"])
def test_an_import_and_a_concurrent_edit_both_survive(engine: Engine, tmp_path: Path, pause: str) -> None:
    """``parsed``: the edit commits after the import has read its file, before the import's transaction.
    ``merging``: the edit is made while the import merges its rows (where the import used to merge against a
    snapshot taken before its transaction, and so put the old phone back); now the import holds the write
    lock there, so the edit waits, gets a conflict (the import changed the unit), reads again and re-applies."""
    _seed(engine)
    url = child_url(engine)
    paused, go, committing = spawn.Event(), spawn.Event(), spawn.Event()
    results = spawn.Queue()
    path = _unit_csv(tmp_path / "units.csv", beds=42)
    importer = spawn.Process(
        target=cli_import, args=(url, str(path), pause, paused, go, results), name="import"
    )
    steward = spawn.Process(
        target=set_phone_until_it_sticks, args=(url, "unit-a", "+47 22 00 00 00", committing, results)
    )
    importer.start()
    assert paused.wait(TIMEOUT)
    steward.start()
    assert committing.wait(TIMEOUT)
    if pause == "parsed":
        assert results.get(timeout=TIMEOUT) == ("edited", 0)  # nothing else was writing: no conflict
    go.set()
    outcomes = [results.get(timeout=TIMEOUT) for _ in range(1 if pause == "parsed" else 2)]
    _run(importer, steward)

    imported = next(o for o in outcomes if isinstance(o[0], int))
    assert imported[0] == 0, imported[1]
    if pause == "merging":
        assert ("edited", 1) in outcomes
    unit = Registry(engine).snapshot().units["unit-a"]
    assert (unit.beds, unit.phone) == (42, "+47 22 00 00 00")
    changes = _changes(engine, "unit-a")
    assert [c.op for c in changes] == ["create", "update", "update"]
    for earlier, later in itertools.pairwise(changes):
        assert later.before == earlier.after  # each change's before is the state it replaced
