"""The areas index page (``/omrade``): every region, its catchment areas and their municipalities, as plain data.

Shape, by example::

    index = build_areas_index(snapshot)
    index.regions[0]                      # RegionEntry(code="helse-midt-norge", name="Helse Midt-Norge RHF", ...)
    index.regions[0].catchments[0]        # CatchmentEntry(code="helse-more-og-romsdal", name="...", units=9, ...)
    index.regions[0].catchments[0].areas  # (AreaEntry(code="1505", name="Kristiansund", kind="kommune"), ...)

Municipalities split between catchment areas (Oslo) appear under each catchment that serves one of their city
districts, with those districts; every list is sorted by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from tsbkart.registry.snapshot import RegistrySnapshot


@dataclass(frozen=True, slots=True)
class AreaEntry:
    code: str
    name: str
    kind: str  # "kommune" | "bydel"


@dataclass(frozen=True, slots=True)
class CatchmentEntry:
    code: str
    name: str
    units: int  # units of the registry located in the catchment area
    areas: tuple[AreaEntry, ...]


@dataclass(frozen=True, slots=True)
class RegionEntry:
    code: str
    name: str
    catchments: tuple[CatchmentEntry, ...]


@dataclass(frozen=True, slots=True)
class AreasIndex:
    regions: tuple[RegionEntry, ...]
    municipalities: int
    city_districts: int


def build_areas_index(snapshot: RegistrySnapshot) -> AreasIndex:
    geography = snapshot.geography
    areas_of: dict[str, list[AreaEntry]] = {}
    for area in geography.area_units.values():
        if not area.catchment_code:
            continue
        listed = areas_of.setdefault(area.catchment_code, [])
        listed.append(AreaEntry(area.code, area.name, area.kind))
        parent = geography.area_units.get(area.parent_code or "")
        if parent is not None and parent.catchment_code is None:  # Oslo: listed with its districts
            city = AreaEntry(parent.code, parent.name, parent.kind)
            if city not in listed:
                listed.append(city)
    units_of: dict[str, int] = {}
    for unit in snapshot.units.values():
        if unit.catchment_code:
            units_of[unit.catchment_code] = units_of.get(unit.catchment_code, 0) + 1
    catchments_of: dict[str, list[CatchmentEntry]] = {}
    for catchment in geography.catchments.values():
        entries = tuple(sorted(areas_of.get(catchment.code, ()), key=lambda a: (a.kind != "kommune", a.name)))
        entry = CatchmentEntry(catchment.code, catchment.name, units_of.get(catchment.code, 0), entries)
        catchments_of.setdefault(catchment.region_code, []).append(entry)
    regions = tuple(
        RegionEntry(r.code, r.name, tuple(sorted(catchments_of.get(r.code, ()), key=lambda c: c.name)))
        for r in sorted(geography.regions.values(), key=lambda r: r.name)
    )
    kinds = [a.kind for a in geography.area_units.values()]
    return AreasIndex(regions, kinds.count("kommune"), kinds.count("bydel"))
