"""Coverage of an area: the basic-services matrix, capacity per 10,000 adults, ownership and freshness.

An *area* (``tsbkart.registry.areas``) is a regional health authority (RHF), a catchment area (HF), a
municipality or an Oslo bydel. Everything here reads a ``RegistrySnapshot`` and returns plain frozen dataclasses, so the area pages and the
atlas render the same numbers. Shapes, by example::

    area = resolve_area(snapshot.geography, "hf", "unn")
    # Area(kind="hf", code="unn", name="Universitetssykehuset Nord-Norge HF",
    #      kommuner=("5501", ...), bydeler=())
    summary = summarise_area(snapshot, area, population=load_population(2026), declarations=())
    summary.matrix[0]   # CoverageCell(basic_service="vurdering", status="present", unit_ids=("unn-..",))
    summary.capacity    # Capacity(beds=58, beds_unknown_units=3, places=0, adults=161234,
                        #          beds_per_10k=3.6, places_per_10k=0.0, population_year=2026)

A matrix cell is ``present`` when the registry holds at least one offer of that basic service in the area,
``missing`` only when a data steward has declared the registry complete for that service in that area
(``data/coverage_declarations.csv``), and ``unknown`` otherwise: an absent record is not evidence of an absent
service.
"""

from __future__ import annotations

import csv
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from tsbkart.domain.entities import Unit
from tsbkart.registry.areas import Area, teams_in_area, units_in_area
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab.loader import Vocabularies, load_vocabularies

CELL_STATUSES = ("present", "missing", "unknown")
# Adults are 18 and over: the age from which TSB for adults applies and the denominator the atlas uses.
ADULT_AGE = 18
PER = 10_000
DECLARATION_COLUMNS = ("area_code", "basic_service", "complete_as_of", "source", "steward")


class DeclarationError(ValueError):
    """The declarations file is malformed; the message names the file, row and field."""


@dataclass(frozen=True, slots=True)
class CoverageDeclaration:
    """A steward's statement that the registry lists every unit of ``basic_service`` in ``area_code``."""

    area_code: str
    basic_service: str
    complete_as_of: date
    source: str
    steward: str


@dataclass(frozen=True, slots=True)
class CoverageCell:
    """One cell of the basic-services matrix; ``unit_ids`` are the units whose offers make it present."""

    basic_service: str
    status: str  # one of CELL_STATUSES
    unit_ids: tuple[str, ...] = ()
    declaration: CoverageDeclaration | None = None
    # For ``vurdering`` only: assessment teams (vurderingsteam) of the area that assess for all of TSB. They
    # are the registry's evidence of the assessment service even when no unit carries a vurdering offer.
    team_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Capacity:
    """Beds and places in the area, and per 10,000 adults (None when the population is unknown)."""

    beds: int  # sum of stated bed counts
    beds_unknown_units: int  # inpatient units (døgn/avrusning/akutt offers) with no bed count
    places: int | None  # sum of stated places; None when no offer in the area states any
    adults: int | None
    population_year: int | None
    beds_per_10k: float | None
    places_per_10k: float | None


@dataclass(frozen=True, slots=True)
class OwnershipSplit:
    """Units and beds by public or private ownership (owner type vocab ``public`` attribute)."""

    public_units: int
    private_units: int
    unknown_units: int  # organisation missing or owner type without a ``public`` attribute
    public_beds: int
    private_beds: int


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old the area's facts are: record-level verified dates of its units."""

    oldest_verified: date | None
    median_verified: date | None
    unverified_units: int


@dataclass(frozen=True, slots=True)
class AreaCoverage:
    area: Area
    unit_ids: tuple[str, ...]
    matrix: tuple[CoverageCell, ...]
    capacity: Capacity
    ownership: OwnershipSplit
    freshness: Freshness


# --- Basic-services matrix --------------------------------------------------------------------------------


def load_declarations(path: Path | None = None) -> tuple[CoverageDeclaration, ...]:
    """Read the completeness declarations (default: the bundled ``data/coverage_declarations.csv``)."""
    path = path or Path(str(resources.files("tsbkart.atlas") / "data" / "coverage_declarations.csv"))
    known = set(load_vocabularies()["basic_services"].codes)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != DECLARATION_COLUMNS:
            raise DeclarationError(f"{path.name}: header must be {','.join(DECLARATION_COLUMNS)}")
        return tuple(
            _declaration(path.name, row_no, row, known) for row_no, row in enumerate(reader, start=2)
        )


def _declaration(origin: str, row_no: int, row: dict[str, str], known: set[str]) -> CoverageDeclaration:
    for column in DECLARATION_COLUMNS:
        if not (row.get(column) or "").strip():
            raise DeclarationError(f"{origin}: row {row_no}: field {column!r} is empty")
    if row["basic_service"] not in known:
        raise DeclarationError(
            f"{origin}: row {row_no}: basic_service {row['basic_service']!r} is not a code"
        )
    try:
        as_of = date.fromisoformat(row["complete_as_of"])
    except ValueError as error:
        raise DeclarationError(f"{origin}: row {row_no}: complete_as_of: {error}") from error
    return CoverageDeclaration(row["area_code"], row["basic_service"], as_of, row["source"], row["steward"])


def basic_service_matrix(
    snapshot: RegistrySnapshot,
    area: Area,
    declarations: Iterable[CoverageDeclaration] = (),
    vocabularies: Vocabularies | None = None,
) -> tuple[CoverageCell, ...]:
    """One cell per basic service, in vocabulary order (vurdering, akutt, avrusning, poliklinikk_ambulant, døgn)."""
    vocabs = vocabularies or load_vocabularies()
    service_of = {t.code: t.get("basic_service") for t in vocabs["service_types"]}
    behind: dict[str, set[str]] = {code: set() for code in vocabs["basic_services"].codes}
    for unit in units_in_area(snapshot, area):
        for offer in snapshot.offers_of(unit.id):
            basic = service_of.get(offer.service_type)
            if basic in behind:
                behind[basic].add(unit.id)
    declared = {d.basic_service: d for d in declarations if d.area_code == area.code}
    teams = tuple(t.id for t in teams_in_area(snapshot, area) if t.scope == "all_tsb")
    cells = []
    for code, unit_ids in behind.items():
        team_ids = teams if code == "vurdering" else ()
        if unit_ids or team_ids:
            cells.append(CoverageCell(code, "present", tuple(sorted(unit_ids)), team_ids=team_ids))
        elif code in declared:
            cells.append(CoverageCell(code, "missing", (), declared[code]))
        else:
            cells.append(CoverageCell(code, "unknown"))
    return tuple(cells)


# --- Capacity per 10,000 adults ---------------------------------------------------------------------------


@cache
def _all_bydel_codes() -> tuple[str, ...]:
    from tsbkart.reference.geography import load_geography

    return tuple(sorted(a.code for a in load_geography().area_units.values() if a.kind == "bydel"))


def _unlisted_bydel_remainders(totals: pd.Series, areas: Sequence[Area]) -> dict[str, float]:
    """Residents of a municipality counted in no bydel row (SSB: no registered bydel, or Sentrum and Marka,
    which the population file does not list), by municipality code: kommune total minus its bydel rows."""
    parents = {code[:4] for area in areas for code in area.bydeler}
    remainders: dict[str, float] = {}
    for parent in parents:
        if ("kommune", parent) not in totals.index:
            continue
        listed = (
            totals.xs("bydel", level="level") if "bydel" in totals.index.get_level_values("level") else None
        )
        in_bydeler = (
            listed[[c for c in listed.index if c.startswith(parent)]].sum() if listed is not None else 0
        )
        remainders[parent] = float(totals[("kommune", parent)] - in_bydeler)
    return remainders


def adults_by_area(population: pd.DataFrame, areas: Sequence[Area]) -> dict[str, int | None]:
    """Residents aged 18+ of each area (keyed by area code), from ``load_population`` rows of one year.

    Sums kommune rows for ``area.kommuner`` and bydel rows for ``area.bydeler``. Bydel codes without a row
    (Oslo's Sentrum, Marka and "unknown district") share the municipality's remainder (total minus listed
    bydeler): it goes to the area that holds *all* of them (in SKDE's mapping they all belong to OUS), and
    otherwise the area's figure is None: an unknown denominator is not zero.
    """
    adults = population[population["age"] >= ADULT_AGE]
    totals = adults.groupby(["level", "code"], observed=True)["population"].sum()
    remainders = _unlisted_bydel_remainders(totals, areas)
    unlisted: dict[str, set[str]] = {}
    for code in _all_bydel_codes():
        if ("bydel", code) not in totals.index:
            unlisted.setdefault(code[:4], set()).add(code)
    result: dict[str, int | None] = {}
    for area in areas:
        listed = [("kommune", c) for c in area.kommuner] + [
            ("bydel", c) for c in area.bydeler if ("bydel", c) in totals.index
        ]
        missing_kommune = [c for c in area.kommuner if ("kommune", c) not in totals.index]
        missing_bydel = {c for c in area.bydeler if ("bydel", c) not in totals.index}
        if missing_kommune:
            result[area.code] = None
            continue
        total = (
            float(totals.reindex(pd.MultiIndex.from_tuples(listed, names=["level", "code"])).sum())
            if listed
            else 0.0
        )
        for parent in {c[:4] for c in missing_bydel}:
            owned = {c for c in missing_bydel if c.startswith(parent)}
            if owned != unlisted.get(parent, set()) or parent not in remainders:
                result[area.code] = None
                break
            total += remainders[parent]
        else:
            result[area.code] = int(total)
    return result


def unit_beds(snapshot: RegistrySnapshot, unit: Unit) -> int | None:
    """The unit's bed count as stated, else the sum of its offers' stated beds, else None (unknown)."""
    if unit.beds is not None:
        return unit.beds
    stated = [o.beds for o in snapshot.offers_of(unit.id) if o.beds is not None]
    return sum(stated) if stated else None


def _is_inpatient(snapshot: RegistrySnapshot, unit: Unit, vocabs: Vocabularies) -> bool:
    inpatient = {t.code for t in vocabs["service_types"] if t.get("level") in (3, 4)}
    return any(o.service_type in inpatient for o in snapshot.offers_of(unit.id))


def capacity(
    snapshot: RegistrySnapshot,
    area: Area,
    population: pd.DataFrame | None,
    vocabularies: Vocabularies | None = None,
) -> Capacity:
    """Beds and places of the area's units; rates per 10,000 adults when ``population`` is given."""
    vocabs = vocabularies or load_vocabularies()
    units = units_in_area(snapshot, area)
    beds = 0
    unknown = 0
    for unit in units:
        count = unit_beds(snapshot, unit)
        if count is None:
            unknown += int(_is_inpatient(snapshot, unit, vocabs))
        else:
            beds += count
    stated = [o.places for u in units for o in snapshot.offers_of(u.id) if o.places is not None]
    places = sum(stated) if stated else None
    adults: int | None = None
    year: int | None = None
    if population is not None and len(population):
        year = int(population["year"].max())
        adults = adults_by_area(population[population["year"] == year], [area])[area.code]
    return Capacity(
        beds=beds,
        beds_unknown_units=unknown,
        places=places,
        adults=adults,
        population_year=year,
        beds_per_10k=beds * PER / adults if adults else None,
        places_per_10k=places * PER / adults if adults and places is not None else None,
    )


# --- Ownership and freshness -----------------------------------------------------------------------------


def ownership(
    snapshot: RegistrySnapshot, units: Iterable[Unit], vocabularies: Vocabularies | None = None
) -> OwnershipSplit:
    """Count units and beds by the ``public`` attribute of their organisation's owner type."""
    vocabs = vocabularies or load_vocabularies()
    public_of = {t.code: t.get("public") for t in vocabs["owner_types"]}
    counts = {"public": 0, "private": 0, "unknown": 0}
    beds = {"public": 0, "private": 0, "unknown": 0}
    for unit in units:
        organisation = snapshot.organisations.get(unit.organisation_id)
        flag = public_of.get(organisation.owner_type) if organisation else None
        side = "unknown" if flag is None else ("public" if flag else "private")
        counts[side] += 1
        beds[side] += unit_beds(snapshot, unit) or 0
    return OwnershipSplit(
        counts["public"], counts["private"], counts["unknown"], beds["public"], beds["private"]
    )


def freshness(units: Iterable[Unit]) -> Freshness:
    """Oldest and median record-level verified date; units without one are counted, not guessed."""
    units = tuple(units)
    dates = sorted(u.provenance.verified for u in units if u.provenance.verified is not None)
    median = date.fromordinal(int(statistics.median_low([d.toordinal() for d in dates]))) if dates else None
    return Freshness(dates[0] if dates else None, median, len(units) - len(dates))


def summarise_area(
    snapshot: RegistrySnapshot,
    area: Area,
    population: pd.DataFrame | None,
    declarations: Iterable[CoverageDeclaration] = (),
    vocabularies: Vocabularies | None = None,
) -> AreaCoverage:
    """Everything the area page and the atlas show about one area."""
    vocabs = vocabularies or load_vocabularies()
    units = units_in_area(snapshot, area)
    return AreaCoverage(
        area=area,
        unit_ids=tuple(u.id for u in units),
        matrix=basic_service_matrix(snapshot, area, declarations, vocabs),
        capacity=capacity(snapshot, area, population, vocabs),
        ownership=ownership(snapshot, units, vocabs),
        freshness=freshness(units),
    )
