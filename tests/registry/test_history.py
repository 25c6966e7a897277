import tempfile
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.registry import factories as f
from tsbkart.domain.actors import Actor
from tsbkart.registry.history import as_of, record_history, replay, series
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.records import to_json
from tsbkart.registry.store import Delete, Registry, Upsert, fetch_current


class DayClock:
    """Each commit happens on the next day at noon UTC, starting 2026-01-01."""

    def __init__(self) -> None:
        self.now = datetime(2025, 12, 31, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(days=1)
        return self.now


def _tables(engine: Engine) -> dict[str, dict[str, dict[str, object]]]:
    with Session(engine) as session:
        return {kind: fetch_current(session, kind).records for kind in KINDS.names()}


def _versions(engine: Engine) -> dict[str, dict[str, int]]:
    with Session(engine) as session:
        return {kind: fetch_current(session, kind).versions for kind in KINDS.names()}


def test_replaying_the_history_rebuilds_the_tables_exactly(engine: Engine) -> None:
    registry = Registry(engine, clock=DayClock())
    registry.commit(
        [Upsert(f.organisation()), Upsert(f.unit()), Upsert(f.offer())], actor=Actor.cli("a"), reason="load"
    )
    registry.commit(
        [Upsert(f.unit(beds=8)), Upsert(f.offer(service_type="dogn_kort", beds=8))],
        actor=Actor.cli("b"),
        reason="r",
    )
    registry.commit([Delete("offer", "unit-a/poliklinikk")], actor=Actor.cli("c"), reason="closed")
    registry.commit(
        [Upsert(f.team()), Upsert(f.offer(service_type="dogn_kort", beds=6, assessment_team_id="team-a"))],
        actor=Actor.cli("d"),
        reason="routing",
    )
    with Session(engine) as session:
        state, versions, last = replay(session)
    assert last == 4
    assert state == _tables(engine)
    assert versions == _versions(engine)
    assert versions["offer"] == {"unit-a/dogn_kort": 4} and versions["unit"] == {"unit-a": 2}


def test_as_of_returns_the_earlier_state_after_an_edit(engine: Engine) -> None:
    registry = Registry(engine, clock=DayClock())
    registry.commit(
        [Upsert(f.organisation()), Upsert(f.unit(beds=10))], actor=Actor.cli("a"), reason="load"
    )  # 2026-01-01
    registry.commit([Upsert(f.unit(beds=14))], actor=Actor.cli("b"), reason="expansion")  # 2026-01-02
    assert as_of(engine, date(2026, 1, 1)).units["unit-a"].beds == 10
    assert as_of(engine, date(2026, 1, 2)).units["unit-a"].beds == 14
    assert as_of(engine, date(2025, 12, 31)).units == {}
    assert registry.snapshot().units["unit-a"].beds == 14


def test_history_of_a_unit_includes_its_offers_with_diffs(engine: Engine) -> None:
    registry = Registry(engine, clock=DayClock())
    registry.commit([Upsert(f.organisation()), Upsert(f.unit())], actor=Actor.cli("a"), reason="load")
    registry.commit(
        [Upsert(f.offer(waiting_weeks=3.0, waiting_as_of=date(2026, 1, 2)))],
        actor=Actor.cli("b"),
        reason="offer",
    )
    registry.commit([Upsert(f.unit(phone="+47 22 00 00 00"))], actor=Actor.cli("c"), reason="phone")
    entries = record_history(engine, "unit", "unit-a")
    assert [(e.revision_id, e.kind, e.op) for e in entries] == [
        (1, "unit", "create"),
        (2, "offer", "create"),
        (3, "unit", "update"),
    ]
    assert entries[2].changed == {"phone": (None, "+47 22 00 00 00")}
    assert entries[2].actor == Actor("cli", "c", "c") and entries[2].reason == "phone"
    assert entries[2].approved_by is None


edits = st.lists(
    st.tuples(st.sampled_from(["unit-a", "unit-b", "unit-c"]), st.one_of(st.none(), st.integers(0, 60))),
    min_size=1,
    max_size=12,
)


def _fresh_engine(folder: str) -> Engine:
    from tsbkart.db.engine import make_engine
    from tsbkart.db.migrate import upgrade
    from tsbkart.reference.build import write_geography
    from tsbkart.reference.geography import load_geography

    engine = make_engine(f"sqlite:///{folder}/h.sqlite")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
    return engine


@settings(max_examples=20, deadline=None)
@given(edits)
def test_replay_matches_tables_after_any_sequence_of_edits(steps: list[tuple[str, int | None]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = _fresh_engine(folder)
        registry = Registry(engine, clock=DayClock())
        registry.commit([Upsert(f.organisation())], actor=Actor.cli("t"), reason="org")
        present: set[str] = set()
        for unit_id, beds in steps:
            if beds is None and unit_id in present:
                registry.commit([Delete("unit", unit_id)], actor=Actor.cli("t"), reason="delete")
                present.discard(unit_id)
            elif beds is not None:
                registry.commit(
                    [Upsert(f.unit(id=unit_id, beds=beds))], actor=Actor.cli("t"), reason="upsert"
                )
                present.add(unit_id)
        with Session(engine) as session:
            state, versions, _ = replay(session)
        assert state == _tables(engine)
        assert versions == _versions(engine)
        assert set(state["unit"]) == present
        assert {k: to_json(v) for k, v in registry.snapshot().units.items()} == state["unit"]
        engine.dispose()


# --- series: snapshots at many dates in one pass ---------------------------------------------------------

offer_edits = st.lists(
    st.tuples(
        st.sampled_from(["unit-a", "unit-b"]),
        st.sampled_from(["unit", "offer"]),
        st.one_of(st.none(), st.integers(0, 30)),
    ),
    min_size=1,
    max_size=10,
)


@settings(max_examples=15, deadline=None)
@given(offer_edits, st.lists(st.integers(-2, 14), min_size=1, max_size=6))
def test_series_equals_as_of_at_every_date(steps: list[tuple[str, str, int | None]], days: list[int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = _fresh_engine(folder)
        registry = Registry(engine, clock=DayClock())
        registry.commit([Upsert(f.organisation())], actor=Actor.cli("t"), reason="org")
        units: set[str] = set()
        for unit_id, kind, beds in steps:
            offer_id = f"{unit_id}/dogn_kort"
            if kind == "unit" and beds is None and unit_id in units:
                offer = [Delete("offer", offer_id)] if offer_id in registry.snapshot().offers else []
                registry.commit([*offer, Delete("unit", unit_id)], actor=Actor.cli("t"), reason="delete")
                units.discard(unit_id)
            elif kind == "unit" and beds is not None:
                registry.commit([Upsert(f.unit(id=unit_id, beds=beds))], actor=Actor.cli("t"), reason="u")
                units.add(unit_id)
            elif kind == "offer" and unit_id in units:
                change = (
                    Delete("offer", offer_id)
                    if beds is None and offer_id in registry.snapshot().offers
                    else Upsert(f.offer(unit_id=unit_id, service_type="dogn_kort", beds=beds))
                )
                registry.commit([change], actor=Actor.cli("t"), reason="o")
        dates = [date(2026, 1, 1) + timedelta(days=d) for d in days]
        snapshots = series(engine, dates)
        assert len(snapshots) == len(dates)
        for when, snapshot in zip(dates, snapshots, strict=True):
            expected = as_of(engine, when)
            assert snapshot == expected
            assert snapshot.offers_of("unit-a") == expected.offers_of("unit-a")
        engine.dispose()


def test_series_follows_as_of_when_a_clock_stepped_back(engine: Engine) -> None:
    times = iter(datetime(2026, 1, d, 12, tzinfo=UTC) for d in (1, 5, 3))  # the third commit is dated earlier
    registry = Registry(engine, clock=lambda: next(times))
    registry.commit([Upsert(f.organisation()), Upsert(f.unit(beds=1))], actor=Actor.cli("a"), reason="1")
    registry.commit([Upsert(f.unit(beds=5))], actor=Actor.cli("a"), reason="5")
    registry.commit([Upsert(f.unit(id="unit-b", beds=3))], actor=Actor.cli("a"), reason="3")
    dates = [date(2026, 1, 2), date(2026, 1, 4), date(2026, 1, 6)]
    found = series(engine, dates)
    assert found == [as_of(engine, d) for d in dates]
    assert [sorted(s.units) for s in found] == [["unit-a"], ["unit-a", "unit-b"], ["unit-a", "unit-b"]]
