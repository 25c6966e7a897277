"""Areas of the geography and the records located in them: the one definition the area pages, the atlas and
the API filters share.

An *area* is a regional health authority (RHF, ``rhf``), a catchment area (HF, ``hf``), a municipality or an
Oslo bydel (both ``kommune``; a bydel has a 6-digit code). Shapes, by example::

    area = resolve_area(snapshot.geography, "hf", "unn")
    # Area(kind="hf", code="unn", name="Universitetssykehuset Nord-Norge HF",
    #      kommuner=("5501", ...), bydeler=())
    area_of_code(snapshot.geography, "030101")   # any region, catchment, kommune or bydel code
    units_in_area(snapshot, area)                # tuple[Unit, ...] located in the area, by name

A unit is in a municipality when its municipality code is the municipality's or one of its bydeler's, and in
a bydel only when its municipality code is the bydel's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from tsbkart.domain.entities import AreaUnit, AssessmentTeam, Unit
from tsbkart.registry.snapshot import Geography, RegistrySnapshot

AREA_KINDS = ("rhf", "hf", "kommune")


@dataclass(frozen=True, slots=True)
class Area:
    """An area and the kommune and bydel codes whose residents it covers (for population sums).

    ``kind`` is ``rhf``, ``hf`` or ``kommune`` (a bydel is ``kommune`` kind with a 6-digit code). ``kommuner``
    holds 4-digit codes counted at kommune level, ``bydeler`` Oslo bydel codes counted at bydel level; a code
    is never in both, so the two population levels are never added for the same residents.
    """

    kind: str
    code: str
    name: str
    kommuner: tuple[str, ...]
    bydeler: tuple[str, ...]


def resolve_area(geography: Geography, kind: str, code: str) -> Area | None:
    """The area ``kind``/``code`` with its population members, or None when unknown."""
    if kind == "hf":
        catchment = geography.catchments.get(code)
        if catchment is None:
            return None
        return _area_of_catchments(geography, "hf", code, catchment.name, {code})
    if kind == "rhf":
        region = geography.regions.get(code)
        if region is None:
            return None
        codes = {c.code for c in geography.catchments.values() if c.region_code == code}
        return _area_of_catchments(geography, "rhf", code, region.name, codes)
    if kind == "kommune":
        unit = geography.area_units.get(code)
        if unit is None:
            return None
        if unit.kind == "bydel":
            return Area("kommune", code, unit.name, (), (code,))
        return Area("kommune", code, unit.name, (code,), ())
    return None


def area_kind_of(geography: Geography, code: str) -> str | None:
    """``hf``, ``rhf`` or ``kommune`` for a catchment, region, kommune or bydel code; None when unknown."""
    for kind, codes in (
        ("hf", geography.catchments),
        ("rhf", geography.regions),
        ("kommune", geography.area_units),
    ):
        if code in codes:
            return kind
    return None


def area_of_code(geography: Geography, code: str) -> Area | None:
    """The area a code names, whatever its kind (what the API's ``area=`` filter takes)."""
    kind = area_kind_of(geography, code)
    return resolve_area(geography, kind, code) if kind is not None else None


def _area_of_catchments(geography: Geography, kind: str, code: str, name: str, catchments: set[str]) -> Area:
    kommuner = sorted(
        a.code
        for a in geography.area_units.values()
        if a.kind == "kommune" and a.catchment_code in catchments
    )
    bydeler = sorted(
        a.code for a in geography.area_units.values() if a.kind == "bydel" and a.catchment_code in catchments
    )
    # When every bydel of a municipality lies in the area, count the municipality row instead: it also holds
    # residents without a registered bydel, which the bydel rows leave out.
    parents = {geography.area_units[b].parent_code for b in bydeler}
    for parent in sorted(p for p in parents if p is not None):
        children = {a.code for a in geography.area_units.values() if a.parent_code == parent}
        if children <= set(bydeler):
            bydeler = [b for b in bydeler if b not in children]
            kommuner = sorted([*kommuner, parent])
    return Area(kind, code, name, tuple(kommuner), tuple(bydeler))


def _parent_of(area_units: Mapping[str, AreaUnit], code: str) -> str | None:
    unit = area_units.get(code)
    return unit.parent_code if unit else None


Located = TypeVar("Located", Unit, AssessmentTeam)


def _in_area(records: Iterable[Located], area: Area, geo: Mapping[str, AreaUnit]) -> tuple[Located, ...]:
    """Records of the area by region, catchment or municipality code (a bydel's parent counts), by name."""
    if area.kind == "rhf":
        selected = [r for r in records if r.region_code == area.code]
    elif area.kind == "hf":
        selected = [r for r in records if r.catchment_code == area.code]
    else:
        selected = [
            r
            for r in records
            if r.municipality_code == area.code
            or (r.municipality_code is not None and _parent_of(geo, r.municipality_code) == area.code)
        ]
    return tuple(sorted(selected, key=lambda r: (r.name, r.id)))


def units_in_area(snapshot: RegistrySnapshot, area: Area) -> tuple[Unit, ...]:
    """Units located in the area (by region, catchment or municipality code), sorted by name."""
    return _in_area(snapshot.units.values(), area, snapshot.geography.area_units)


def teams_in_area(snapshot: RegistrySnapshot, area: Area) -> tuple[AssessmentTeam, ...]:
    """Assessment teams of the area (by region, catchment or municipality code), sorted by name."""
    return _in_area(snapshot.teams.values(), area, snapshot.geography.area_units)
