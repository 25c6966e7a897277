from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.registry import factories as f
from tsbkart.db.models import ChangeRow, RevisionRow
from tsbkart.domain.actors import ANONYMOUS, Actor
from tsbkart.registry.changes import ABSENT
from tsbkart.registry.store import Delete, Registry, Upsert
from tsbkart.registry.validation import ValidationFailed
from tsbkart.registry.versions import Conflict, StaleRecord


class Clock:
    """A clock the test moves forward, so revision times are distinct and known."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(RevisionRow)) or 0,
            session.scalar(select(func.count()).select_from(ChangeRow)) or 0,
        )


def test_commit_writes_one_revision_with_a_change_per_record(engine: Engine) -> None:
    registry = Registry(engine, clock=Clock())
    revision = registry.commit(
        [Upsert(f.organisation()), Upsert(f.unit()), Upsert(f.offer())],
        actor=Actor.cli("tester"),
        reason="first load",
    )
    assert revision == 1
    assert _counts(engine) == (1, 3)
    snapshot = registry.snapshot()
    assert set(snapshot.units) == {"unit-a"}
    assert snapshot.offers_of("unit-a")[0].service_type == "poliklinikk"


def test_an_unchanged_record_makes_no_revision(engine: Engine) -> None:
    registry = Registry(engine, clock=Clock())
    registry.commit([Upsert(f.organisation())], actor=Actor.cli("t"), reason="r")
    assert registry.commit([Upsert(f.organisation())], actor=Actor.cli("t"), reason="again") is None
    assert _counts(engine) == (1, 1)


def test_update_and_delete_keep_before_and_after(engine: Engine) -> None:
    registry = Registry(engine, clock=Clock())
    registry.commit([Upsert(f.organisation()), Upsert(f.unit())], actor=Actor.cli("t"), reason="r")
    registry.commit([Upsert(f.unit(beds=12))], actor=Actor.cli("steward"), reason="beds from annual report")
    registry.commit([Delete("unit", "unit-a")], actor=Actor.cli("steward"), reason="closed")
    with Session(engine) as session:
        changes = session.scalars(
            select(ChangeRow).where(ChangeRow.entity_id == "unit-a").order_by(ChangeRow.id)
        )
        ops = [(c.op, (c.before or {}).get("beds"), (c.after or {}).get("beds")) for c in changes]
    assert ops == [("create", None, None), ("update", None, 12), ("delete", 12, None)]
    assert "unit-a" not in registry.snapshot().units


def test_invalid_batch_reports_every_problem_and_writes_nothing(engine: Engine) -> None:
    registry = Registry(engine, clock=Clock())
    bad = [
        Upsert(f.organisation(owner_type="state")),
        Upsert(f.unit(organisation_id="missing-org")),
        Upsert(f.offer(service_type="akut")),
        Upsert(f.offer(unit_id="unit-a", service_type="lar", target_groups=("teens",))),
        Upsert(f.organisation(id="org-b", orgnr="123456789")),
    ]
    with pytest.raises(ValidationFailed) as error:
        registry.commit(bad, actor=Actor.cli("t"), reason="r")
    fields = sorted((p.kind, p.field) for p in error.value.problems)
    assert fields == [
        ("offer", "service_type"),
        ("offer", "target_groups"),
        ("organisation", "orgnr"),
        ("organisation", "owner_type"),
        ("unit", "organisation_id"),
    ]
    assert _counts(engine) == (0, 0)


def test_unknown_geography_codes_are_rejected(engine: Engine) -> None:
    registry = Registry(engine, clock=Clock())
    with pytest.raises(ValidationFailed) as error:
        registry.commit(
            [Upsert(f.organisation()), Upsert(f.unit(catchment_code="atlantis", municipality_code="9999"))],
            actor=Actor.cli("t"),
            reason="r",
        )
    assert {p.field for p in error.value.problems} == {"catchment_code", "municipality_code"}


def test_deleting_a_missing_record_is_a_problem(engine: Engine) -> None:
    with pytest.raises(ValidationFailed, match="cannot delete"):
        Registry(engine).commit([Delete("unit", "nope")], actor=Actor.cli("t"), reason="r")


def test_actor_and_reason_are_required(engine: Engine) -> None:
    with pytest.raises(ValueError, match="non-empty id"):
        Registry(engine).commit([Upsert(f.organisation())], actor=Actor.cli(" "), reason="r")
    with pytest.raises(ValueError, match="needs a reason"):
        Registry(engine).commit([Upsert(f.organisation())], actor=Actor.cli("t"), reason=" ")
    with pytest.raises(ValueError, match="identified actor"):
        Registry(engine).commit([Upsert(f.organisation())], actor=ANONYMOUS, reason="r")
    with pytest.raises(TypeError, match="must be an Actor"):
        Registry(engine).commit([Upsert(f.organisation())], actor="free text", reason="r")  # type: ignore[arg-type]
    assert _counts(engine) == (0, 0)


def test_listeners_get_the_new_snapshot(engine: Engine) -> None:
    registry = Registry(engine, clock=Clock())
    seen: list[int] = []
    registry.on_commit(lambda snap: seen.append(snap.revision))
    registry.commit([Upsert(f.organisation())], actor=Actor.cli("t"), reason="r")
    registry.commit(
        [Upsert(replace(f.organisation(), name="Nytt navn"))], actor=Actor.cli("t"), reason="rename"
    )
    assert seen == [1, 2]


def test_bulk_insert_converts_json_and_dates_and_fills_missing_keys_with_null(empty_engine: Engine) -> None:
    from datetime import date

    from sqlalchemy import JSON, Column, Date, Integer, MetaData, String, Table

    from tsbkart.registry.store import bulk_insert

    table = Table(
        "bulk_probe",
        MetaData(),
        Column("a", String(10), primary_key=True),
        Column("b", JSON),
        Column("d", Date),
    )
    table.create(empty_engine)
    only_keys = Table("bulk_keys", MetaData(), Column("a", String(10), primary_key=True))
    only_keys.create(empty_engine)
    one_column = Table(
        "bulk_one",
        MetaData(),
        Column("n", Integer, primary_key=True, autoincrement=True),
        Column("b", String(5)),
    )
    one_column.create(empty_engine)
    with Session(empty_engine) as session, session.begin():
        bulk_insert(session, table, [{"a": "1", "b": {"x": [1, "æ"]}, "d": date(2026, 1, 2)}, {"a": "2"}])
        bulk_insert(session, only_keys, [{"a": "k1"}, {"a": "k2"}])
        bulk_insert(session, one_column, [{"b": "x"}, {}])  # one column, and a row without it
    with Session(empty_engine) as session:
        assert session.execute(select(table).order_by(table.c.a)).all() == [
            ("1", {"x": [1, "æ"]}, date(2026, 1, 2)),
            ("2", None, None),
        ]
        assert session.scalars(select(only_keys.c.a).order_by(only_keys.c.a)).all() == ["k1", "k2"]
        assert session.scalars(select(one_column.c.b).order_by(one_column.c.n)).all() == ["x", None]


def test_bulk_insert_constants_null_columns_and_booleans(empty_engine: Engine) -> None:
    # A column NULL in every row is not bound on SQLite; it must still be NULL, also where the table has a
    # default for it. Constants fill every row; booleans read back as booleans.
    from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, text

    from tsbkart.registry.store import bulk_insert

    table = Table(
        "bulk_nulls",
        MetaData(),
        Column("a", String(10), primary_key=True),
        Column("b", String(10)),
        Column("d", String(10), server_default=text("'default'")),
        Column("flag", Boolean),
        Column("version", Integer, nullable=False),
    )
    table.create(empty_engine)
    with Session(empty_engine) as session, session.begin():
        rows = [
            {"a": "1", "b": None, "d": None, "flag": True},
            {"a": "2", "b": None, "d": None, "flag": None},
        ]
        bulk_insert(session, table, rows, {"version": 7})
        bulk_insert(session, table, [{"a": "3", "b": None, "d": None, "flag": False}], {"version": 8})
    with Session(empty_engine) as session:
        assert session.execute(select(table).order_by(table.c.a)).all() == [
            ("1", None, None, True, 7),
            ("2", None, None, None, 7),
            ("3", None, None, False, 8),
        ]
    assert rows[0] == {"a": "1", "b": None, "d": None, "flag": True}  # the caller's rows are not changed


def test_a_large_batch_still_tells_updates_from_creates(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Above 4 x IN_CHUNK ids the store first looks up which ids exist (one query, not one per chunk).
    from tsbkart.registry import store

    monkeypatch.setattr(store, "IN_CHUNK", 2)
    registry = Registry(engine)
    offers = [f.offer(id=f"unit-a/o{i}", beds=i) for i in range(12)]
    registry.commit(
        [Upsert(f.organisation()), Upsert(f.unit()), *map(Upsert, offers[:3])],
        actor=Actor.cli("t"),
        reason="a",
    )
    changed = [replace(offers[1], beds=99), *offers[3:]]
    revision = registry.commit(map(Upsert, changed), actor=Actor.cli("t"), reason="b")
    with Session(engine) as session:
        ops = session.execute(
            select(ChangeRow.entity_id, ChangeRow.op).where(ChangeRow.revision_id == revision)
        ).all()
    assert sorted(ops) == sorted(
        [("unit-a/o1", "update"), *((f"unit-a/o{i}", "create") for i in range(3, 12))]
    )
    assert registry.snapshot().offers["unit-a/o1"].beds == 99


def test_every_record_carries_the_revision_that_last_wrote_it(engine: Engine) -> None:
    registry = Registry(engine, clock=Clock())
    registry.commit([Upsert(f.organisation()), Upsert(f.unit())], actor=Actor.cli("t"), reason="r")
    registry.commit([Upsert(f.unit(beds=3))], actor=Actor.cli("t"), reason="beds")
    snapshot = registry.snapshot()
    assert (snapshot.version("organisation", "org-a"), snapshot.version("unit", "unit-a")) == (1, 2)
    assert snapshot.version("unit", "nope") == ABSENT


def test_a_write_based_on_the_current_version_wins(engine: Engine) -> None:
    registry = Registry(engine, clock=Clock())
    registry.commit([Upsert(f.organisation()), Upsert(f.unit())], actor=Actor.cli("t"), reason="r")
    base = registry.snapshot().version("unit", "unit-a")
    assert registry.commit([Upsert(f.unit(beds=4), based_on=base)], actor=Actor.cli("a"), reason="r") == 2
    assert registry.commit([Upsert(f.unit("unit-b"), based_on=ABSENT)], actor=Actor.cli("a"), reason="r") == 3
    assert registry.commit([Delete("unit", "unit-b", based_on=3)], actor=Actor.cli("a"), reason="r") == 4


def test_a_stale_write_is_refused_naming_the_record_and_writes_nothing(engine: Engine) -> None:
    registry = Registry(engine, clock=Clock())
    registry.commit([Upsert(f.organisation()), Upsert(f.unit())], actor=Actor.cli("t"), reason="r")
    base = registry.snapshot().version("unit", "unit-a")
    registry.commit([Upsert(f.unit(beds=4), based_on=base)], actor=Actor.cli("first"), reason="r")
    counts = _counts(engine)
    with pytest.raises(
        Conflict, match=r"unit 'unit-a' has changed since version 1 \(now version 2\)"
    ) as error:
        registry.commit(
            [Upsert(f.unit(beds=9), based_on=base), Upsert(f.organisation(name="Ny"), based_on=1)],
            actor=Actor.cli("second"),
            reason="r",
        )
    assert error.value.records == (StaleRecord("unit", "unit-a", based_on=1, current=2),)
    assert _counts(engine) == counts
    assert registry.snapshot().units["unit-a"].beds == 4
    assert registry.snapshot().organisations["org-a"].name == "Organisasjon org-a"


def test_creating_a_record_that_exists_or_deleting_a_changed_one_conflicts(engine: Engine) -> None:
    registry = Registry(engine, clock=Clock())
    registry.commit([Upsert(f.organisation()), Upsert(f.unit())], actor=Actor.cli("t"), reason="r")
    with pytest.raises(Conflict, match="unit 'unit-a' already exists"):
        registry.commit([Upsert(f.unit(), based_on=ABSENT)], actor=Actor.cli("t"), reason="r")
    registry.commit([Upsert(f.unit(beds=1))], actor=Actor.cli("t"), reason="r")
    with pytest.raises(Conflict, match="changed since version 1"):
        registry.commit([Delete("unit", "unit-a", based_on=1)], actor=Actor.cli("t"), reason="r")
    registry.commit([Delete("unit", "unit-a")], actor=Actor.cli("t"), reason="r")
    with pytest.raises(Conflict, match="unit 'unit-a' has been deleted since version 2"):
        registry.commit([Upsert(f.unit(beds=5), based_on=2)], actor=Actor.cli("t"), reason="r")


def test_a_revision_records_who_approved_it(engine: Engine) -> None:
    registry = Registry(engine, clock=Clock())
    steward = Actor("user", "u-17", "Kari Nordmann")
    lead = Actor("user", "u-2", "Ola Nordmann")
    registry.commit([Upsert(f.organisation())], actor=steward, reason="r", approved_by=lead)
    with Session(engine) as session:
        row = session.scalars(select(RevisionRow)).one()
    assert (row.actor_kind, row.actor_id, row.actor_name) == ("user", "u-17", "Kari Nordmann")
    assert (row.approved_by_kind, row.approved_by_id, row.approved_by_name) == ("user", "u-2", "Ola Nordmann")
