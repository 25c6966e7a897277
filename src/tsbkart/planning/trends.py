"""Trends from the registry's own history (#13): the trend indicators of ``atlas/indicators.yaml`` at many dates.

Two times meet here. **Transaction time** is when the registry learnt a fact (its revisions; ``history.series``
gives the registry as recorded at each date in one pass). **Valid time** is when a service was in the world:
``opened_on``/``closed_on`` on units and offers, as their source states them. On each date the registry *in
service* is built from both (``in_service``):

* a unit or offer whose latest known version states ``opened_on`` counts from that day until ``closed_on``
  (excluded), with its latest known facts, whether or not the registry had recorded it by then (``dated``);
* one without ``opened_on`` counts as it was recorded on that day (``undated``), unless it was closed by then;
* an undated record of today's registry not yet recorded on that day is **not** counted: it may have existed,
  so it is reported (``unrecorded``), never taken as absent for certain;
* a unit is also in service when one of its offers is (an offer cannot open at a unit that does not exist).

Areas are today's on every date (the geography of the latest snapshot), as the population is: a series keeps
its meaning across municipal reforms.

Every row says what it rests on (``basis``: ``valid time``, ``transaction time``, ``mixed`` or ``none``).
Values are per catchment area; a region's and the nation's are sums over their catchment areas::

    frame = trend_frame(engine)                   # yearly on 1 January from first_year, and today
    # date indicator level code name region_code value numerator denominator unknown population_year
    #      dated undated unrecorded basis
    trend_frame(engine, dates=[date(2024, 1, 1)], indicator_ids=["beds_per_10k"], levels=("nation",))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tsbkart.atlas.coverage import basic_service_matrix, capacity
from tsbkart.atlas.indicators import TrendEntry, indicator_file, trend_indicators
from tsbkart.domain.calendar import today as norway_today
from tsbkart.domain.entities import RegistryRecord, ServiceOffer, Unit
from tsbkart.quality.freshness import FreshnessRules, is_stale, load_freshness
from tsbkart.reference.population import load_population
from tsbkart.registry.areas import resolve_area, units_in_area
from tsbkart.registry.history import series
from tsbkart.registry.snapshot import RegistrySnapshot

__all__ = [
    "BASES",
    "TREND_COLUMNS",
    "TREND_LEVELS",
    "InService",
    "in_service",
    "trend_dates",
    "trend_frame",
    "trend_table",
]

TREND_LEVELS = ("catchment", "region", "nation")
TREND_COLUMNS = [
    "date",
    "indicator",
    "level",
    "code",
    "name",
    "region_code",
    "value",
    "numerator",
    "denominator",
    "unknown",
    "population_year",
    "dated",
    "undated",
    "unrecorded",
    "basis",
]
BASES = ("valid time", "transaction time", "mixed", "none")
PER = 10_000


@dataclass(frozen=True)
class InService:
    """The registry in service on ``day``, and how each unit and offer came to be counted."""

    day: date
    snapshot: RegistrySnapshot
    dated: frozenset[tuple[str, str]]  # (kind, id) counted by valid time
    undated: frozenset[tuple[str, str]]  # counted as recorded on the day (transaction time)
    unrecorded: frozenset[tuple[str, str]]  # undated in today's registry, not yet recorded on the day


def _open_on(record: Unit | ServiceOffer, day: date) -> bool:
    return record.closed_on is None or record.closed_on > day


def in_service(latest: RegistrySnapshot, recorded: RegistrySnapshot, day: date) -> InService:
    """The units and offers in service on ``day`` (rules in the module docstring); other kinds as recorded."""
    chosen: dict[tuple[str, str], RegistryRecord] = {}
    dated: set[tuple[str, str]] = set()
    undated: set[tuple[str, str]] = set()
    unrecorded: set[tuple[str, str]] = set()
    for kind in ("unit", "offer"):
        known: Mapping[str, Unit | ServiceOffer] = latest.units if kind == "unit" else latest.offers
        then: Mapping[str, Unit | ServiceOffer] = recorded.units if kind == "unit" else recorded.offers
        for record_id in sorted(known.keys() | then.keys()):
            key = (kind, record_id)
            newest = known.get(record_id)
            if newest is not None and newest.opened_on is not None:
                if newest.opened_on <= day and _open_on(newest, day):
                    chosen[key] = newest
                    dated.add(key)
                continue
            version = then.get(record_id)
            if version is None:
                unrecorded.add(key)
            elif version.opened_on is not None:  # dated then, since deleted or undated: as it was recorded
                if version.opened_on <= day and _open_on(version, day):
                    chosen[key] = version
                    dated.add(key)
            elif _open_on(version, day):
                chosen[key] = version
                undated.add(key)
    for key, record in list(chosen.items()):
        unit_key = ("unit", getattr(record, "unit_id", ""))
        if key[0] == "offer" and unit_key not in chosen:
            unit = latest.units.get(unit_key[1]) or recorded.units.get(unit_key[1])
            if unit is not None:
                chosen[unit_key] = unit
                (dated if key in dated else undated).add(unit_key)
    others = _other_kinds(latest, recorded)
    # Today's areas on every date: the bundled population is on today's codes, and area units valid only
    # since a reform (2024) would leave earlier dates with no people to count per area.
    snapshot = RegistrySnapshot.build(
        latest.geography,
        records=[*chosen.values(), *others],
        revision=recorded.revision,
        taken_at=recorded.taken_at,
    )
    unrecorded -= dated | undated
    return InService(day, snapshot, frozenset(dated), frozenset(undated), frozenset(unrecorded))


def _other_kinds(latest: RegistrySnapshot, recorded: RegistrySnapshot) -> list[RegistryRecord]:
    """Teams and any other kind as recorded on the day (they have no valid time); organisations also from today's
    registry, since a dated unit of today's registry needs its organisation."""
    out: list[RegistryRecord] = []
    for kind in recorded.by_kind:
        if kind in ("unit", "offer"):
            continue
        then = recorded.records(kind)
        out += then.values()
        if kind == "organisation":
            out += [r for i, r in latest.records(kind).items() if i not in then]
    return out


def trend_dates(today: date | None = None, first_year: int | None = None) -> tuple[date, ...]:
    """1 January of each year from ``first_year`` (``indicators.yaml``) to ``today``'s year, then ``today``."""
    today = today or norway_today()
    first = first_year or indicator_file().trends.first_year
    yearly = tuple(date(year, 1, 1) for year in range(first, today.year + 1))
    return yearly if yearly and yearly[-1] == today else (*yearly, today)


def trend_frame(
    engine: Engine,
    dates: Sequence[date] | None = None,
    indicator_ids: Iterable[str] | None = None,
    levels: Sequence[str] = TREND_LEVELS,
    today: date | None = None,
    latest: RegistrySnapshot | None = None,
) -> pd.DataFrame:
    """The trend indicators at ``dates`` (default ``trend_dates``), one row per date, indicator and area.

    The registry as recorded at each date comes from one ``history.series`` pass; ``latest`` (default: the
    registry at the end of ``today``) is today's knowledge, whose stated opening and closing dates apply.
    """
    today = today or norway_today()
    days = tuple(sorted(set(dates or trend_dates(today))))
    snapshots = series(engine, [*days] if latest is not None else [*days, today])
    known = latest or snapshots[-1]
    return trend_table(known, dict(zip(days, snapshots[: len(days)], strict=True)), indicator_ids, levels)


def trend_table(
    latest: RegistrySnapshot,
    recorded: Mapping[date, RegistrySnapshot],
    indicator_ids: Iterable[str] | None = None,
    levels: Sequence[str] = TREND_LEVELS,
    freshness: FreshnessRules | None = None,
) -> pd.DataFrame:
    """``trend_frame`` from snapshots already built: ``recorded`` maps each date to the registry recorded then."""
    wanted = set(indicator_ids) if indicator_ids is not None else None
    chosen = [d for d in trend_indicators() if wanted is None or d.id in wanted]
    if wanted is not None and len(chosen) != len(wanted):
        known = ", ".join(d.id for d in trend_indicators())
        raise ValueError(f"unknown trend indicator in {sorted(wanted)}; known: {known}")
    unknown_levels = set(levels) - set(TREND_LEVELS)
    if unknown_levels:
        raise ValueError(f"unknown level {sorted(unknown_levels)[0]!r}; known: {', '.join(TREND_LEVELS)}")
    rules = freshness or load_freshness()
    rows: list[dict[str, object]] = []
    for day, snapshot in sorted(recorded.items()):
        view = in_service(latest, snapshot, day)
        population = _population(day.year)
        for definition in chosen:
            rows += _catchment_rows(view, latest, definition, population, rules)
    catchments = pd.DataFrame(rows)
    frame = _with_totals(catchments, latest) if len(catchments) else pd.DataFrame(columns=TREND_COLUMNS)
    frame = frame[frame["level"].isin(levels)]
    return _labelled(frame).reset_index(drop=True)[TREND_COLUMNS]


_POPULATION: dict[int, pd.DataFrame] = {}


def _population(year: int) -> pd.DataFrame:
    """The bundled population on 1 January of ``year``, or of its nearest bundled year (``population_year``)."""
    if year not in _POPULATION:
        bundled = load_population()
        years = bundled["year"].unique()
        nearest = int(years[np.abs(years - year).argmin()])
        _POPULATION[year] = bundled[bundled["year"] == nearest].reset_index(drop=True)
    return _POPULATION[year]


def _catchment_rows(
    view: InService,
    latest: RegistrySnapshot,
    definition: TrendEntry,
    population: pd.DataFrame,
    rules: FreshnessRules,
) -> list[dict[str, object]]:
    geography = view.snapshot.geography
    rows = []
    for code, catchment in sorted(geography.catchments.items()):
        area = resolve_area(geography, "hf", code)
        assert area is not None  # the code comes from the geography itself
        units = units_in_area(view.snapshot, area)
        offers = [o for u in units for o in view.snapshot.offers_of(u.id)]
        keys = {("unit", u.id) for u in units} | {("offer", o.id) for o in offers}
        later = {u.id for u in units_in_area(latest, area)}
        unrecorded = sum(
            1
            for kind, record_id in view.unrecorded
            if (kind == "unit" and record_id in later)
            or (kind == "offer" and latest.offers[record_id].unit_id in later)
        )
        numerator, denominator, unknown = _measure(
            definition, view.snapshot, area, units, offers, population, view.day, rules
        )
        rows.append(
            {
                "date": view.day,
                "indicator": definition.id,
                "level": "catchment",
                "code": code,
                "name": catchment.name,
                "region_code": catchment.region_code,
                "numerator": numerator,
                "denominator": denominator,
                "unknown": unknown,
                "population_year": int(population["year"].iloc[0]),
                "dated": len(keys & view.dated),
                "undated": len(keys & view.undated),
                "unrecorded": unrecorded,
            }
        )
    return rows


def _measure(
    definition: TrendEntry,
    snapshot: RegistrySnapshot,
    area: object,
    units: Sequence[Unit],
    offers: Sequence[ServiceOffer],
    population: pd.DataFrame,
    day: date,
    rules: FreshnessRules,
) -> tuple[float, float, int]:
    """(numerator, denominator, unknown) of one catchment area; ``unknown`` counts what could not be counted."""
    if definition.kind == "lar_trusts":
        wanted = set(definition.service_types)
        return float(any(o.service_type in wanted for o in offers)), 1.0, 0
    if definition.kind == "basic_services":
        cells = basic_service_matrix(snapshot, area)  # type: ignore[arg-type]
        return float(sum(c.status == "present" for c in cells)), float(len(cells)), 0
    if definition.kind == "capacity":
        found = capacity(snapshot, area, population)  # type: ignore[arg-type]
        return float(found.beds), float(found.adults or 0), found.beds_unknown_units
    facts = [("unit", u) for u in units] + [("offer", o) for o in offers]
    fresh = sum(
        1
        for kind, record in facts
        if (verified := record.provenance.verified) is not None
        and verified <= day
        and not is_stale(verified, day, rules.cycle(kind))
    )
    return float(fresh), float(len(facts)), 0


def _with_totals(catchments: pd.DataFrame, latest: RegistrySnapshot) -> pd.DataFrame:
    """Catchment rows plus one row per region and one for the nation, each the sum over its catchment areas."""
    sums = ["numerator", "denominator", "unknown", "dated", "undated", "unrecorded"]
    keys = ["date", "indicator", "population_year"]
    regions = catchments.groupby([*keys, "region_code"], as_index=False)[sums].sum()
    regions = regions.assign(
        level="region",
        code=regions["region_code"],
        name=regions["region_code"].map(lambda c: _region_name(latest, c)),
    )
    nation = catchments.groupby(keys, as_index=False)[sums].sum()
    nation = nation.assign(level="nation", code="norge", name="Norge", region_code=None)
    return pd.concat([catchments.assign(level="catchment"), regions, nation], ignore_index=True)


def _region_name(snapshot: RegistrySnapshot, code: str) -> str:
    region = snapshot.geography.regions.get(code)
    return region.name if region is not None else code


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """``value`` from numerator and denominator by the indicator's kind, and the ``basis`` of each row."""
    kinds = {d.id: d.kind for d in trend_indicators()}
    kind = frame["indicator"].map(kinds)
    numerator = frame["numerator"].to_numpy(float)
    denominator = frame["denominator"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(denominator > 0, numerator / denominator, np.nan)
    scale = kind.map({"basic_services": 100.0, "verified_share": 100.0, "capacity": float(PER)}).to_numpy(
        float
    )
    value = np.where(kind == "lar_trusts", numerator, ratio * scale)
    dated, undated = frame["dated"].to_numpy(int), frame["undated"].to_numpy(int)
    basis = np.select(
        [(dated > 0) & (undated > 0), dated > 0, undated > 0],
        ["mixed", "valid time", "transaction time"],
        default="none",
    )
    return frame.assign(value=value, basis=basis)
