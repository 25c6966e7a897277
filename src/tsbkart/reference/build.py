"""Build a database from the bundled reference data: schema, geography, population and the registry seed.

Idempotent: geography and population are replaced as a whole in one transaction when their content differs;
the registry seed is committed through ``Registry.commit``, so a re-run only adds a revision for what changed.

On a database that is already built, ``bundled_state`` says how the registry stands to this version's bundled
records (``tsbkart db build-default`` loads them only while the reference loader is the registry's only
writer, so no steward's or import's change is written over)::

    bundled_state(engine)   # BundledState(outdated=3, edited=1, only_bundled=False)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import ColumnElement, Engine, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from tsbkart.db.migrate import upgrade
from tsbkart.db.models import AreaUnitRow, CatchmentRow, PopulationRow, RegionRow, RevisionRow
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import RegistryRecord
from tsbkart.reference.geography import load_geography
from tsbkart.reference.population import load_population
from tsbkart.reference.seed import load_seed
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.records import to_json
from tsbkart.registry.snapshot import Geography
from tsbkart.registry.store import Registry, Upsert

SEED_ACTOR = Actor("system", "reference-loader", "tsbkart reference loader")
SEED_REASON = "Bundled open reference data (tsb_units, tsb_private_providers, vurderingsteam; see .source.md)"
POPULATION_CHUNK = 50_000

Progress = Callable[[str, int, int], None]  # (task, done, total)


@dataclass(frozen=True, slots=True)
class BuildReport:
    area_units: int
    population_rows: int
    revision: int | None  # the seed revision, None when the registry already matched


def write_geography(session: Session, geo: Geography) -> None:
    session.execute(delete(AreaUnitRow))
    session.execute(delete(CatchmentRow))
    session.execute(delete(RegionRow))
    session.execute(insert(RegionRow), [{"code": r.code, "name": r.name} for r in geo.regions.values()])
    session.execute(
        insert(CatchmentRow),
        [
            {"code": c.code, "name": c.name, "short_name": c.short_name, "region_code": c.region_code}
            for c in geo.catchments.values()
        ],
    )
    session.execute(
        insert(AreaUnitRow),
        [
            {
                "code": a.code,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
                "name": a.name,
                "kind": a.kind,
                "county": a.county,
                "catchment_code": a.catchment_code,
                "lat": a.lat,
                "lon": a.lon,
                "parent_code": a.parent_code,
                "point_source": a.point_source,
            }
            for a in geo.area_units.values()
        ],
    )


def _write_population(session: Session, frame: pd.DataFrame, progress: Progress | None) -> int:
    """Replace the population table. Uses the driver's bulk path: COPY on PostgreSQL, executemany on SQLite."""
    session.execute(delete(PopulationRow))
    columns = ("year", "code", "sex", "age", "level", "population")
    rows = list(
        zip(
            frame["year"].astype(int).tolist(),
            frame["code"].tolist(),
            frame["sex"].astype(str).tolist(),
            frame["age"].astype(int).tolist(),
            frame["level"].astype(str).tolist(),
            frame["population"].astype(int).tolist(),
            strict=True,
        )
    )
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.cursor()
        with cursor.copy(f"COPY population ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO population ({', '.join(columns)}) VALUES ({placeholders})"
        for start in range(0, len(rows), POPULATION_CHUNK):
            connection.exec_driver_sql(statement, rows[start : start + POPULATION_CHUNK])
            if progress:
                progress("population", min(start + POPULATION_CHUNK, len(rows)), len(rows))
    return len(rows)


def _seed_records(geo: Geography) -> list[RegistryRecord]:
    seed = load_seed(geo)
    return [*seed.organisations, *seed.teams, *seed.units, *seed.offers]


def build_reference(
    engine: Engine, *, years: range | None = None, progress: Progress | None = None
) -> BuildReport:
    """Migrate the schema and load everything bundled. ``years`` limits the population (tests use one year)."""
    upgrade(engine)
    geo = load_geography()
    population = load_population()
    if years is not None:
        population = population[population["year"].isin(list(years))]
    with Session(engine) as session, session.begin():
        write_geography(session, geo)
        existing = session.scalar(select(func.count()).select_from(PopulationRow)) or 0
        rows = existing
        if existing != len(population):
            rows = _write_population(session, population, progress)
    changes = [Upsert(r) for r in _seed_records(geo)]
    revision = Registry(engine).commit(changes, actor=SEED_ACTOR, reason=SEED_REASON)
    return BuildReport(area_units=len(geo.area_units), population_rows=rows, revision=revision)


@dataclass(frozen=True, slots=True)
class BundledState:
    """How a built registry stands to this version's bundled records.

    outdated: bundled records the registry lacks or holds otherwise; edited: how many of those someone other
    than the reference loader wrote last (a steward, an import); only_bundled: every revision is the
    reference loader's, so loading the bundled records overwrites nobody's work."""

    outdated: int
    edited: int
    only_bundled: bool

    @property
    def current(self) -> bool:
        return self.outdated == 0


def _by_others() -> ColumnElement[bool]:
    return or_(RevisionRow.actor_kind != SEED_ACTOR.kind, RevisionRow.actor_id != SEED_ACTOR.id)


def bundled_state(engine: Engine) -> BundledState:
    """Compare the registry with the bundled records (``Registry.commit`` would write the same difference)."""
    snapshot = Registry(engine).snapshot()
    versions: list[int] = []
    outdated = 0
    for record in _seed_records(load_geography()):
        kind = KINDS.of(record).name
        held = snapshot.records(kind).get(record.id)
        if held is None or to_json(held) != to_json(record):
            outdated += 1
            if held is not None:
                versions.append(snapshot.version(kind, record.id))
    with Session(engine) as session:
        by_others = set(
            session.scalars(select(RevisionRow.id).where(RevisionRow.id.in_(set(versions)), _by_others()))
        )
        only_bundled = session.scalar(select(RevisionRow.id).where(_by_others()).limit(1)) is None
    edited = sum(1 for v in versions if v in by_others)
    return BundledState(outdated=outdated, edited=edited, only_bundled=only_bundled)


def needs_build(engine: Engine) -> bool:
    """True when the database has no schema or no geography yet."""
    from sqlalchemy import inspect

    if not inspect(engine).has_table("regions"):
        return True
    with Session(engine) as session:
        return not session.scalar(select(func.count()).select_from(RegionRow))
