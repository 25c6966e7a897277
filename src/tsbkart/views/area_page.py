"""The area page (RHF, catchment area, municipality or Oslo bydel) as plain data.

Shape, by example::

    page = build_area_page(snapshot, "hf", "unn", population=load_population(2026), declarations=())
    page.coverage.matrix    # tuple[CoverageCell, ...] (see tsbkart.atlas.coverage)
    page.units              # tuple[Unit, ...] located in the area, by name
    page.parents            # (AreaLink(kind="rhf", code="helse-nord", name="Helse Nord RHF"),)
    page.children           # AreaLinks to the catchments of an RHF or the municipalities of a catchment
    page.depth              # DepthRow: how many of the units state phone, web page, waiting time, ...
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from tsbkart.atlas.coverage import AreaCoverage, CoverageDeclaration, summarise_area
from tsbkart.domain.entities import Organisation, Unit
from tsbkart.exchange.spreadsheet import Cell
from tsbkart.quality.depth import DepthFact, DepthRow, area_depth, load_depth_rules
from tsbkart.registry.areas import resolve_area
from tsbkart.registry.snapshot import RegistrySnapshot


@dataclass(frozen=True, slots=True)
class AreaLink:
    kind: str  # "rhf" | "hf" | "kommune" (bydel codes use "kommune" too)
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class AreaPage:
    link: AreaLink
    area_type: str  # "rhf" | "hf" | "kommune" | "bydel" (what to call it on the page)
    coverage: AreaCoverage
    units: tuple[Unit, ...]
    organisations: dict[str, Organisation]
    parents: tuple[AreaLink, ...]
    children: tuple[AreaLink, ...]
    oslo_split: bool  # part of the area's residents are counted by Oslo bydel
    depth: DepthRow  # how many of the area's units state each fact a referrer acts on
    depth_facts: tuple[DepthFact, ...]


def build_area_page(
    snapshot: RegistrySnapshot,
    kind: str,
    code: str,
    population: pd.DataFrame | None,
    declarations: Iterable[CoverageDeclaration] = (),
) -> AreaPage | None:
    """The page of area ``kind``/``code``, or None when there is no such area."""
    geography = snapshot.geography
    area = resolve_area(geography, kind, code)
    if area is None:
        return None
    coverage = summarise_area(snapshot, area, population, declarations)
    units = tuple(snapshot.units[u] for u in coverage.unit_ids)
    area_unit = geography.area_units.get(code) if kind == "kommune" else None
    return AreaPage(
        link=AreaLink(kind, code, area.name),
        area_type="bydel" if area_unit is not None and area_unit.kind == "bydel" else kind,
        coverage=coverage,
        units=units,
        organisations={
            u.organisation_id: o for u in units if (o := snapshot.organisations.get(u.organisation_id))
        },
        parents=_parents(snapshot, kind, code),
        children=_children(snapshot, kind, code),
        oslo_split=bool(area.bydeler) or code == "0301",
        depth=area_depth(snapshot, coverage.unit_ids),
        depth_facts=load_depth_rules().facts,
    )


def _parents(snapshot: RegistrySnapshot, kind: str, code: str) -> tuple[AreaLink, ...]:
    geography = snapshot.geography
    links: list[AreaLink] = []
    if kind == "kommune":
        unit = geography.area_units[code]
        if unit.parent_code and unit.parent_code in geography.area_units:
            parent = geography.area_units[unit.parent_code]
            links.append(AreaLink("kommune", parent.code, parent.name))
        catchment = geography.catchments.get(unit.catchment_code or "")
        if catchment is not None:
            links.append(AreaLink("hf", catchment.code, catchment.name))
            kind, code = "hf", catchment.code
    if kind == "hf":
        region = geography.regions.get(geography.catchments[code].region_code)
        if region is not None:
            links.append(AreaLink("rhf", region.code, region.name))
    return tuple(reversed(links))


def _children(snapshot: RegistrySnapshot, kind: str, code: str) -> tuple[AreaLink, ...]:
    geography = snapshot.geography
    if kind == "rhf":
        found = [
            AreaLink("hf", c.code, c.name) for c in geography.catchments.values() if c.region_code == code
        ]
    elif kind == "hf":
        found = [
            AreaLink("kommune", a.code, a.name)
            for a in geography.area_units.values()
            if a.catchment_code == code
        ]
    else:
        found = [
            AreaLink("kommune", a.code, a.name)
            for a in geography.area_units.values()
            if a.parent_code == code
        ]
    return tuple(sorted(found, key=lambda link: link.name))


# Download names of an area's tables: CSV one table per file, XLSX both as sheets of one workbook.
AREA_TABLES = ("matrix", "units")


def area_tables(page: AreaPage, snapshot: RegistrySnapshot) -> dict[str, list[list[Cell]]]:
    """The area's basic-services matrix and its units as rows, the header first (codes, not labels, so a
    spreadsheet can join them with the API's vocabularies)::

        {"matrix": [["basic_service", "status", "unit_ids", "team_ids", "declared_complete_as_of"],
                    ["akutt", "present", "unn-avrusning-tromso", "", None], ...],
         "units": [["id", "name", "organisation", "owner_type", "municipality_code", "service_types",
                    "lat", "lon", "approximate", "source", "verified"], ...]}
    """
    matrix: list[list[Cell]] = [
        ["basic_service", "status", "unit_ids", "team_ids", "declared_complete_as_of"]
    ]
    for cell in page.coverage.matrix:
        declared = cell.declaration.complete_as_of if cell.declaration else None
        matrix.append(
            [cell.basic_service, cell.status, ";".join(cell.unit_ids), ";".join(cell.team_ids), declared]
        )
    units: list[list[Cell]] = [
        [
            "id",
            "name",
            "organisation",
            "owner_type",
            "municipality_code",
            "service_types",
            "lat",
            "lon",
            "approximate",
            "source",
            "verified",
        ]
    ]
    for unit in page.units:
        organisation = page.organisations.get(unit.organisation_id)
        services = sorted({o.service_type for o in snapshot.offers_of(unit.id)})
        units.append(
            [
                unit.id,
                unit.name,
                organisation.name if organisation else None,
                organisation.owner_type if organisation else None,
                unit.municipality_code,
                ";".join(services),
                unit.lat,
                unit.lon,
                unit.is_approximate,
                unit.provenance.source,
                unit.provenance.verified,
            ]
        )
    return {"matrix": matrix, "units": units}
