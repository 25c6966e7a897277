from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tsbkart.db.engine import make_engine
from tsbkart.db.models import PopulationRow, RevisionRow
from tsbkart.reference.build import SEED_ACTOR, build_reference, needs_build
from tsbkart.registry.store import Registry


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
