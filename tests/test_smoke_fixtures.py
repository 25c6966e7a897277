"""The shared fixtures build what they promise (a failure here explains many others)."""

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tsbkart.db.models import AreaUnitRow, PopulationRow
from tsbkart.registry.snapshot import RegistrySnapshot


def test_bundled_snapshot_has_every_source_backed_unit(bundled_snapshot: RegistrySnapshot) -> None:
    assert len(bundled_snapshot.units) == 143
    assert len(bundled_snapshot.teams) == 28


def test_engine_fixture_has_geography(engine: Engine) -> None:
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AreaUnitRow)) == 375


def test_reference_engine_has_2026_population(reference_engine: Engine) -> None:
    with Session(reference_engine) as session:
        total = session.scalar(
            select(func.sum(PopulationRow.population)).where(
                PopulationRow.year == 2026, PopulationRow.level == "kommune"
            )
        )
    assert total == 5_627_400
