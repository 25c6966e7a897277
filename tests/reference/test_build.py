from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tsbkart.db.engine import make_engine
from tsbkart.db.models import PopulationRow, RevisionRow
from tsbkart.domain.actors import Actor
from tsbkart.reference.build import (
    SEED_ACTOR,
    SEED_REASON,
    BundledState,
    build_reference,
    bundled_state,
    needs_build,
)
from tsbkart.registry.store import Registry, Upsert


def test_default_database_population_2026_sums_to_the_ssb_total(reference_engine: Engine) -> None:
    with Session(reference_engine) as session:
        total = session.scalar(
            select(func.sum(PopulationRow.population)).where(
                PopulationRow.year == 2026, PopulationRow.level == "kommune"
            )
        )
    assert total == 5_627_400


def test_the_seed_is_one_revision_by_the_reference_loader(reference_engine: Engine) -> None:
    with Session(reference_engine) as session:
        revisions = list(session.scalars(select(RevisionRow)))
    assert [(r.id, r.actor_kind, r.actor_id, r.actor_name) for r in revisions] == [
        (1, "system", SEED_ACTOR.id, SEED_ACTOR.name)
    ]
    snapshot = Registry(reference_engine).snapshot()
    assert len(snapshot.units) == 143 and all(u.provenance.source for u in snapshot.units.values())


def test_rebuilding_is_idempotent(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/b.sqlite")
    assert needs_build(engine)
    first = build_reference(engine, years=range(2026, 2027))
    second = build_reference(engine, years=range(2026, 2027))
    assert first.revision == 1 and second.revision is None
    assert not needs_build(engine)


def _older_bundled(engine: Engine, unit_id: str, name: str) -> None:
    """What an earlier version's bundled data looks like: the reference loader wrote another name."""
    registry = Registry(engine)
    held = registry.snapshot().units[unit_id]
    registry.commit([Upsert(replace(held, name=name))], actor=SEED_ACTOR, reason=SEED_REASON)


def test_a_freshly_built_registry_holds_this_versions_bundled_data(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/b.sqlite")
    build_reference(engine, years=range(2026, 2027))
    assert bundled_state(engine) == BundledState(outdated=0, edited=0, only_bundled=True)


def test_older_bundled_data_is_found_and_a_steward_change_is_told_apart(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/b.sqlite")
    build_reference(engine, years=range(2026, 2027))
    _older_bundled(engine, "unn-avrusning-tromso", "Avrusning Tromsø (old name)")
    state = bundled_state(engine)
    assert state == BundledState(outdated=1, edited=0, only_bundled=True) and not state.current
    registry = Registry(engine)
    held = registry.snapshot().units["unn-avrusning-tromso"]
    steward = Actor("user", "kari", "Kari")
    registry.commit([Upsert(replace(held, beds=99))], actor=steward, reason="beds from the annual report")
    assert bundled_state(engine) == BundledState(outdated=1, edited=1, only_bundled=False)
