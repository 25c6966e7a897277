"""AppState directly: the read model follows commits made here at once and commits made elsewhere when its
revision follower checks (driven by hand here: ``follower.check()`` is one tick of the follower thread), and
past snapshots (``as_of``) are cached, bounded and dropped when a revision arrives."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import Engine

from tests.registry import factories as f
from tsbkart.domain.actors import Actor
from tsbkart.registry.store import Registry, Upsert
from tsbkart.settings import Settings
from tsbkart.web import state as state_module
from tsbkart.web.state import AppState

WHO = Actor.cli("test")


class Calendar:
    """The registry's clock (revision and snapshot times): noon UTC on the day the test sets."""

    def __init__(self) -> None:
        self.day = date(2026, 1, 1)

    def __call__(self) -> datetime:
        return datetime.combine(self.day, time(12), tzinfo=UTC)


def _state(engine: Engine, calendar: Calendar | None = None) -> tuple[AppState, Registry]:
    registry = Registry(engine, clock=calendar or Calendar())
    return AppState(Settings(database_url=str(engine.url)), registry), registry


def test_a_commit_through_the_apps_registry_is_served_at_once(engine: Engine) -> None:
    state, registry = _state(engine)
    assert state.snapshot().revision == 0
    registry.commit([Upsert(f.organisation()), Upsert(f.unit())], actor=WHO, reason="r")
    assert state.snapshot().revision == 1 and set(state.snapshot().units) == {"unit-a"}


def test_a_commit_from_another_process_is_served_after_the_followers_next_check(engine: Engine) -> None:
    state, _ = _state(engine)
    state.follower.check()
    before = state.snapshot()
    Registry(engine).commit([Upsert(f.organisation()), Upsert(f.unit())], actor=WHO, reason="elsewhere")
    assert state.snapshot() is before  # a read never queries the database
    state.follower.check()
    after = state.snapshot()
    assert after.revision == 1 and after.version("unit", "unit-a") == 1 and set(after.units) == {"unit-a"}
    state.follower.check()
    assert state.snapshot() is after  # nothing new: the same object


def test_past_snapshots_are_cached_until_a_revision_arrives(engine: Engine) -> None:
    calendar = Calendar()
    state, registry = _state(engine, calendar)
    registry.commit([Upsert(f.organisation()), Upsert(f.unit(beds=1))], actor=WHO, reason="r")
    calendar.day = date(2026, 1, 2)
    registry.commit([Upsert(f.unit(beds=2))], actor=WHO, reason="r")
    first = state.snapshot(date(2026, 1, 1))
    assert first.units["unit-a"].beds == 1 and first.revision == 1
    assert state.snapshot(date(2026, 1, 1)) is first
    assert state.snapshot(date(2026, 1, 2)).units["unit-a"].beds == 2
    registry.commit([Upsert(f.unit(beds=3))], actor=WHO, reason="r")
    again = state.snapshot(date(2026, 1, 1))
    assert again is not first and again.units == first.units


def test_the_past_cache_is_bounded_and_keeps_the_most_recently_used(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state_module, "AS_OF_CACHE_SIZE", 2)
    state, registry = _state(engine)
    registry.commit([Upsert(f.organisation())], actor=WHO, reason="r")
    days = [date(2026, 1, d) for d in (1, 2, 3)]
    one, two = state.snapshot(days[0]), state.snapshot(days[1])
    assert state.snapshot(days[0]) is one  # day 1 is now the most recently used
    state.snapshot(days[2])  # evicts day 2
    assert state.snapshot(days[0]) is one
    assert state.snapshot(days[1]) is not two


def test_each_new_snapshot_gets_its_indexes_before_a_request_asks(engine: Engine) -> None:
    # After a commit (here or, through the follower, in another process) the first search or list would build
    # the snapshot's indexes (about 0.3 s at 10,000 units): a thread builds them first.
    registry = Registry(engine, clock=Calendar())
    state = AppState(Settings(database_url=str(engine.url), warm_indexes=True), registry)

    def not_built_here(snapshot: object) -> object:
        raise AssertionError("the index should have been built already")

    registry.commit([Upsert(f.organisation()), Upsert(f.unit())], actor=WHO, reason="r")
    assert state.warming is not None
    state.warming.join()
    snapshot = state.snapshot()
    assert snapshot.revision == 1
    snapshot.derived("finder.index", not_built_here)
    snapshot.derived("query.unit_index", not_built_here)
    other = Registry(engine, clock=Calendar())
    other.commit([Upsert(f.unit(id="unit-b"))], actor=WHO, reason="another process")
    state.follower.check()
    assert state.warming is not None
    state.warming.join()
    assert state.snapshot().revision == 2
    state.snapshot().derived("finder.index", not_built_here)


def test_without_warm_indexes_no_thread_is_started(engine: Engine) -> None:
    state, registry = _state(engine)  # the suite's settings: TSBKART_WARM_INDEXES=false
    registry.commit([Upsert(f.organisation())], actor=WHO, reason="r")
    assert state.warming is None
