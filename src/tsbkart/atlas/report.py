"""Plain data for the atlas: coverage rows for any area and the printable report of one catchment area.

The basic-services matrix comes from :mod:`tsbkart.atlas.coverage` (present / missing / unknown: missing only
with a steward's completeness declaration). The atlas adds two columns that are not basic services: LAR and
low-threshold LAR. They have no declarations, so they are ``present`` or ``unknown``, never ``missing``.

Shape, by example::

    report = build_report(snapshot, "unn", population, declarations)
    report.matrix[0]    # MatrixCell(code="vurdering", kind="basic", status="present", unit_ids=(...), team_ids=(...))
    report.gaps         # the cells whose status is not "present" (missing or unknown, each labelled as such)
    report.access[0]    # AccessFigure(service="akutt", share_30=0.41, share_60=0.7, share_120=0.98, ...)
    report.positions[0] # Position(indicator_id="beds_per_10k", value=3.6, rank=(4, 20), national=1.55, ...)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tsbkart.atlas.access import nearest_distance, share_within_by_area, supply_points
from tsbkart.atlas.coverage import AreaCoverage, CoverageDeclaration, summarise_area
from tsbkart.atlas.demand import demand_points
from tsbkart.atlas.indicators import Indicator, IndicatorTable, indicator_table, indicators
from tsbkart.atlas.variation_view import rank_of
from tsbkart.registry.areas import resolve_area, units_in_area
from tsbkart.registry.snapshot import RegistrySnapshot

__all__ = [
    "ACCESS_SERVICES",
    "EXTRA_COLUMNS",
    "AccessFigure",
    "CatchmentReport",
    "MatrixCell",
    "Position",
    "build_report",
    "coverage_matrix",
    "coverage_table",
]

#: Non-basic service types shown as extra matrix columns.
EXTRA_COLUMNS = ("lar", "lar_lavterskel")
#: Services whose nearest distance the report shows.
ACCESS_SERVICES = ("akutt", "avrusning", "dogn", "lar")


@dataclass(frozen=True, slots=True)
class MatrixCell:
    code: str  # basic-service code, or service type code for extra columns
    kind: str  # "basic" | "extra"
    status: str  # "present" | "missing" | "unknown"
    unit_ids: tuple[str, ...] = ()
    team_ids: tuple[str, ...] = ()
    declaration_source: str | None = None


@dataclass(frozen=True, slots=True)
class AccessFigure:
    """Share (0..1) of the area's adults within 30/60/120 km of the nearest unit offering ``service``."""

    service: str
    share_30: float | None
    share_60: float | None
    share_120: float | None
    mean_km: float | None  # population-weighted mean distance to the nearest unit
    max_km: float | None
    supply_units: int


@dataclass(frozen=True, slots=True)
class Position:
    indicator: Indicator
    value: float | None
    rank: tuple[int, int] | None  # (rank, of K), highest first
    national: float | None


@dataclass(frozen=True)
class CatchmentReport:
    code: str
    name: str
    region_code: str
    coverage: AreaCoverage
    matrix: tuple[MatrixCell, ...]
    gaps: tuple[MatrixCell, ...]
    access: tuple[AccessFigure, ...]
    positions: tuple[Position, ...]
    approximate_points: tuple[str, ...]  # demand points placed on Oslo's point


def coverage_matrix(snapshot: RegistrySnapshot, coverage: AreaCoverage) -> tuple[MatrixCell, ...]:
    """The coverage module's basic-services cells plus the LAR columns, in display order."""
    cells = [
        MatrixCell(
            c.basic_service,
            "basic",
            c.status,
            c.unit_ids,
            c.team_ids,
            c.declaration.source if c.declaration else None,
        )
        for c in coverage.matrix
    ]
    units = units_in_area(snapshot, coverage.area)
    for code in EXTRA_COLUMNS:
        ids = tuple(
            sorted(u.id for u in units if any(o.service_type == code for o in snapshot.offers_of(u.id)))
        )
        cells.append(MatrixCell(code, "extra", "present" if ids else "unknown", ids))
    return tuple(cells)


def coverage_table(
    snapshot: RegistrySnapshot,
    kind: str,
    population: pd.DataFrame | None,
    declarations: Iterable[CoverageDeclaration] = (),
    codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per area of ``kind`` (``hf``, ``rhf``, ``kommune``): matrix statuses, capacity, ownership,
    freshness. Columns: ``kind, code, name``, one per matrix cell (status), ``beds, beds_unknown_units,
    beds_per_10k, places_per_10k, adults, public_units, private_units, unknown_owner_units, oldest_verified,
    unverified_units``. Raises KeyError for an unknown code in ``codes``."""
    declared = tuple(declarations)
    geo = snapshot.geography
    if codes is None:
        source = {"hf": geo.catchments, "rhf": geo.regions, "kommune": geo.area_units}[kind]
        codes = sorted(source)
    rows = []
    for code in codes:
        area = resolve_area(geo, kind, code)
        if area is None:
            raise KeyError(code)
        summary = summarise_area(snapshot, area, population, declared)
        row: dict[str, object] = {"kind": kind, "code": code, "name": area.name}
        row.update({cell.code: cell.status for cell in coverage_matrix(snapshot, summary)})
        cap, own, fresh = summary.capacity, summary.ownership, summary.freshness
        row.update(
            beds=cap.beds,
            beds_unknown_units=cap.beds_unknown_units,
            beds_per_10k=cap.beds_per_10k,
            places_per_10k=cap.places_per_10k,
            adults=cap.adults,
            public_units=own.public_units,
            private_units=own.private_units,
            unknown_owner_units=own.unknown_units,
            oldest_verified=fresh.oldest_verified,
            unverified_units=fresh.unverified_units,
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _access(snapshot: RegistrySnapshot, demand: pd.DataFrame, code: str) -> tuple[AccessFigure, ...]:
    figures = []
    own = demand[demand["catchment_code"] == code]
    for service in ACCESS_SERVICES:
        supply = supply_points(snapshot, service)
        nearest = nearest_distance(own, supply)
        shares = share_within_by_area(nearest, "catchment", (30.0, 60.0, 120.0))
        by_threshold = dict(zip(shares["threshold"], shares["share"], strict=True))
        cost = nearest["cost"].to_numpy(float)
        pop = nearest["population"].to_numpy(float)
        finite = np.isfinite(cost).all() and len(cost) > 0 and pop.sum() > 0
        figures.append(
            AccessFigure(
                service,
                by_threshold.get(30.0),
                by_threshold.get(60.0),
                by_threshold.get(120.0),
                float(np.average(cost, weights=pop)) if finite else None,
                float(cost.max()) if finite else None,
                len(supply),
            )
        )
    return tuple(figures)


def build_report(
    snapshot: RegistrySnapshot,
    catchment_code: str,
    population: pd.DataFrame,
    declarations: Iterable[CoverageDeclaration] = (),
    tables: Mapping[str, IndicatorTable] | None = None,
) -> CatchmentReport | None:
    """Everything the printable report of one catchment area shows; None for an unknown code.

    ``population``: one year of ``load_population`` (the latest is what the pages use). ``tables``: indicator
    tables already computed for this snapshot and population (by id), to reuse across reports.
    """
    catchment = snapshot.geography.catchments.get(catchment_code)
    area = resolve_area(snapshot.geography, "hf", catchment_code)
    if catchment is None or area is None:
        return None
    summary = summarise_area(snapshot, area, population, tuple(declarations))
    matrix = coverage_matrix(snapshot, summary)
    demand = demand_points(snapshot.geography, population)
    positions = []
    for definition in indicators():
        table = (tables or {}).get(definition.id) or indicator_table(snapshot, definition.id, population)
        value = table.rows.loc[table.rows["code"] == catchment_code, "value"]
        number = float(value.iloc[0]) if len(value) and pd.notna(value.iloc[0]) else None
        positions.append(Position(definition, number, rank_of(table, catchment_code), table.national))
    own = demand[(demand["catchment_code"] == catchment_code) & demand["approximate"]]
    return CatchmentReport(
        code=catchment_code,
        name=catchment.name,
        region_code=catchment.region_code,
        coverage=summary,
        matrix=matrix,
        gaps=tuple(c for c in matrix if c.status != "present"),
        access=_access(snapshot, demand, catchment_code),
        positions=tuple(positions),
        approximate_points=tuple(own["name"]),
    )


@dataclass(frozen=True, slots=True)
class ReportSource:
    """One source the report rests on and how many registry records (or indicators) cite it."""

    source: str  # a URL or a document reference
    cited_by: int


def report_sources(snapshot: RegistrySnapshot, report: CatchmentReport) -> tuple[ReportSource, ...]:
    """The record sources of the area's units, their offers and the teams in the matrix, then the indicators'
    data sources; most cited first::

        (ReportSource("https://www.unn.no/...", 14), ..., ReportSource("SKDE Helseatlas (...)", 2))
    """
    cited: dict[str, int] = {}
    team_ids = {t for cell in report.matrix for t in cell.team_ids}
    provenances = [snapshot.units[u].provenance for u in report.coverage.unit_ids if u in snapshot.units]
    provenances += [o.provenance for u in report.coverage.unit_ids for o in snapshot.offers_of(u)]
    provenances += [snapshot.teams[t].provenance for t in sorted(team_ids) if t in snapshot.teams]
    for provenance in provenances:
        cited[provenance.source] = cited.get(provenance.source, 0) + 1
    registry = sorted(cited.items(), key=lambda item: (-item[1], item[0]))
    data: dict[str, int] = {}
    for position in report.positions:
        data[position.indicator.source] = data.get(position.indicator.source, 0) + 1
    return tuple(ReportSource(s, n) for s, n in registry) + tuple(ReportSource(s, n) for s, n in data.items())
