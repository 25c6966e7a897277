"""Snapshots: ``with_changes`` previews a draft without touching the snapshot, and the registry's snapshot,
kept current by applying committed changes, always equals a full reload (hypothesis over edit sequences, with
commits from a second Registry standing in for another process)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.registry import factories as f
from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.domain.actors import Actor
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography
from tsbkart.registry.changes import ABSENT, Change
from tsbkart.registry.snapshot import Geography, RegistrySnapshot
from tsbkart.registry.store import Delete, Registry, Upsert

WHO = Actor.cli("test")
EMPTY_GEOGRAPHY = Geography.build([], [], [])


def _content(snapshot: RegistrySnapshot) -> dict[str, object]:
    """Everything a reader can see, in iteration order."""
    units = sorted(set(snapshot.units) | {o.unit_id for o in snapshot.offers.values()})
    return {
        "organisations": list(snapshot.organisations.items()),
        "units": list(snapshot.units.items()),
        "offers": list(snapshot.offers.items()),
        "teams": list(snapshot.teams.items()),
        "offers_of": {u: snapshot.offers_of(u) for u in units},
        "versions": {kind: dict(ids) for kind, ids in snapshot.versions.items() if ids},
        "revision": snapshot.revision,
    }


def test_with_changes_previews_a_draft_and_leaves_the_snapshot_as_it_was() -> None:
    base = RegistrySnapshot.build(
        EMPTY_GEOGRAPHY,
        organisations=[f.organisation()],
        units=[f.unit(), f.unit("unit-b")],
        offers=[f.offer(), f.offer("unit-b")],
        versions={
            "organisation": {"org-a": 1},
            "unit": {"unit-a": 1, "unit-b": 3},
            "offer": {"unit-a/poliklinikk": 2},
        },
        revision=3,
    )
    before = _content(base)
    moved = replace(f.offer(), unit_id="unit-b", beds=4)
    draft = base.with_changes([Upsert(moved), Delete("unit", "unit-a"), Upsert(f.unit("unit-0"))])

    assert _content(base) == before
    assert list(draft.units) == ["unit-0", "unit-b"]  # sorted like a snapshot built from scratch
    assert draft.offers_of("unit-a") == () and [o.id for o in draft.offers_of("unit-b")] == [
        "unit-a/poliklinikk",
        "unit-b/poliklinikk",
    ]
    assert draft.offers["unit-a/poliklinikk"].beds == 4
    # A draft keeps the versions its edits were based on; a new record has none; the revision stays.
    assert draft.version("offer", "unit-a/poliklinikk") == 2 and draft.version("unit", "unit-0") == ABSENT
    assert draft.version("unit", "unit-a") == ABSENT and draft.revision == 3
    rebuilt = RegistrySnapshot.build(
        EMPTY_GEOGRAPHY,
        organisations=draft.organisations.values(),
        units=draft.units.values(),
        offers=draft.offers.values(),
        versions=draft.versions,
        revision=3,
    )
    assert _content(draft) == _content(rebuilt)


UNITS = ("u-0", "u-1", "u-2")
OFFERS = ("o-0", "o-1", "o-2", "o-3")
steps = st.lists(
    st.tuples(
        st.sampled_from(["unit", "offer", "drop-unit", "drop-offer"]),
        st.integers(0, len(UNITS) - 1),
        st.integers(0, len(OFFERS) - 1),
        st.integers(0, 40),
        st.booleans(),  # commit through the second Registry ("another process")
    ),
    min_size=1,
    max_size=10,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the geography, copied for every example (building one takes seconds)."""
    path = tmp_path_factory.mktemp("snapshot") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
    engine.dispose()
    return path


def _changes(step: tuple[str, int, int, int, bool], snapshot: RegistrySnapshot) -> list[Change]:
    op, u, o, beds, _ = step
    unit_id, offer_id = UNITS[u], OFFERS[o]
    if op == "unit":
        return [Upsert(f.unit(unit_id, beds=beds))]
    if op == "offer":
        missing = [] if unit_id in snapshot.units else [Upsert(f.unit(unit_id))]
        return [*missing, Upsert(replace(f.offer(unit_id), id=offer_id, beds=beds))]
    if op == "drop-unit" and unit_id in snapshot.units:
        return [*(Delete("offer", x.id) for x in snapshot.offers_of(unit_id)), Delete("unit", unit_id)]
    if op == "drop-offer" and offer_id in snapshot.offers:
        return [Delete("offer", offer_id)]
    return []


@settings(max_examples=25, deadline=None)
@given(sequence=steps)
def test_the_kept_snapshot_equals_a_full_reload_after_any_edits(
    template: Path, sequence: list[tuple[str, int, int, int, bool]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(template, f"{folder}/s.sqlite")
        engine = make_engine(f"sqlite:///{folder}/s.sqlite")
        mine, other = Registry(engine), Registry(engine)
        mine.commit([Upsert(f.organisation())], actor=WHO, reason="org")
        for step in sequence:
            writer = other if step[4] else mine
            changes = _changes(step, mine.snapshot())
            if changes:
                writer.commit(changes, actor=WHO, reason="step")
            assert _content(mine.snapshot()) == _content(Registry(engine).load_snapshot())
        engine.dispose()
