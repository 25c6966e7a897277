"""Tests of the pure functions in scripts/build_boundaries.py, on small fixtures built here."""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_boundaries.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_boundaries", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_boundaries"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


bb = _load()


def _jagged_pair() -> tuple[Polygon, Polygon]:
    """Two neighbours sharing a zig-zag border with many small teeth, as real borders have."""
    border = [(10.0 + 0.01 * (i % 2), 60.0 + 0.005 * i) for i in range(0, 201)]  # 60.0 .. 61.0
    west = Polygon([(9.0, 60.0), *border, (9.0, 61.0)])
    east = Polygon([*border, (11.0, 61.0), (11.0, 60.0)])
    return west, east


# ---------------------------------------------------------------------------------------------- rekey


def test_rekey_renumbers_and_keeps_geometry() -> None:
    old = {"3001": box(0, 0, 1, 1), "0301": box(1, 0, 2, 1)}
    rows = [bb.KommuneRow("3101", "Halden", "3001"), bb.KommuneRow("0301", "Oslo", "0301")]
    areas = {a.code: a for a in bb.rekey(old, rows)}
    assert set(areas) == {"3101", "0301"}
    assert areas["3101"].name == "Halden"
    assert areas["3101"].covers == ("3101",)
    assert areas["3101"].geometry.equals(old["3001"])


def test_rekey_split_without_source_gives_one_combined_area() -> None:
    old = {"1507": box(0, 0, 1, 1)}
    rows = [bb.KommuneRow("1580", "Haram", "1507"), bb.KommuneRow("1508", "Ålesund", "1507")]
    (area,) = bb.rekey(old, rows)
    assert area.code == "1508+1580"
    assert area.covers == ("1508", "1580")
    assert area.name == "Ålesund + Haram"


def test_rekey_rejects_missing_and_unused_polygons() -> None:
    with pytest.raises(ValueError, match="no polygon"):
        bb.rekey({}, [bb.KommuneRow("3101", "Halden", "3001")])
    with pytest.raises(ValueError, match="map to no 2024"):
        old = {"3001": box(0, 0, 1, 1), "9999": box(2, 2, 3, 3)}
        bb.rekey(old, [bb.KommuneRow("3101", "Halden", "3001")])


def test_polygonal_drops_lines_from_repairs() -> None:
    mixed = shapely.GeometryCollection([box(0, 0, 1, 1), LineString([(2, 2), (3, 3)])])
    result = bb.polygonal(mixed)
    assert isinstance(result, MultiPolygon)
    assert result.area == pytest.approx(1.0)


# ------------------------------------------------------------------------------------------- simplify


def test_simplify_coverage_keeps_validity_shared_border_and_rounds() -> None:
    west, east = _jagged_pair()
    bowtie = Polygon([(20, 60), (21, 61), (21, 60), (20, 61)])  # self-intersecting input, repaired first
    repaired = bb.polygonal(shapely.make_valid(bowtie))
    out = bb.simplify_coverage([west, east, repaired], tolerance=0.02)
    assert all(g.is_valid and not g.is_empty and isinstance(g, MultiPolygon) for g in out)
    # fewer vertices than the input, same area to within a small fraction
    assert shapely.get_num_coordinates(out[0]) < shapely.get_num_coordinates(west)
    assert out[0].area + out[1].area == pytest.approx(west.area + east.area, rel=1e-3)
    # neighbours still share one border: no gap, no overlap
    assert shapely.coverage_is_valid(out[:2])
    assert out[0].intersection(out[1]).area == pytest.approx(0.0, abs=1e-12)
    union = shapely.union_all(out[:2])
    assert isinstance(union, Polygon) and not union.interiors
    # coordinates are on the 1e-5 grid, exteriors counter-clockwise (RFC 7946)
    for geom in out:
        for x, y in shapely.get_coordinates(geom):
            assert round(x, 5) == pytest.approx(x, abs=1e-9) and round(y, 5) == pytest.approx(y, abs=1e-9)
        assert all(p.exterior.is_ccw for p in geom.geoms)


def test_simplify_coverage_never_drops_a_small_island() -> None:
    tiny = box(5.0, 60.0, 5.0002, 60.0002)
    (out,) = bb.simplify_coverage([tiny], tolerance=0.05)
    assert not out.is_empty and out.is_valid


def test_longitude_scaling_round_trips() -> None:
    geom = box(10.0, 60.0, 11.0, 61.0)
    factor = math.cos(math.radians(65))
    assert bb._scale_lon(bb._scale_lon(geom, factor), 1 / factor).equals_exact(geom, 1e-12)


# ------------------------------------------------------------------------------------------- dissolve


def _hf_rows() -> list[dict[str, str]]:
    return [
        {"code": "3201", "level": "kommune", "hf_vp": "Akershus universitetssykehus HF"},
        {"code": "3203", "level": "kommune", "hf_vp": "Akershus universitetssykehus HF"},
        {"code": "3301", "level": "kommune", "hf_vp": "Vestre Viken HF"},
        {"code": "030101", "level": "bydel", "hf_vp": "Lovisenberg"},
        {"code": "030110", "level": "bydel", "hf_vp": "Akershus universitetssykehus HF"},
        {"code": "030199", "level": "bydel", "hf_vp": "OUS"},
    ]


def test_dissolve_catchments_merges_neighbours_and_splits_out_oslo() -> None:
    areas = [
        bb.Area("3201", "Bærum", ("3201",), bb.polygonal(box(0, 0, 1, 1))),
        bb.Area("3203", "Asker", ("3203",), bb.polygonal(box(1, 0, 2, 1))),
        bb.Area("3301", "Drammen", ("3301",), bb.polygonal(box(0, 1, 2, 2))),
        bb.Area("0301", "Oslo", ("0301",), bb.polygonal(box(2, 0, 3, 2))),
    ]
    features = {f["properties"]["hf"]: f for f in bb.dissolve_catchments(areas, _hf_rows())}
    ahus = features["Akershus universitetssykehus HF"]
    assert ahus["properties"]["kommuner"] == ["3201", "3203"]
    assert ahus["properties"]["oslo_part"] is True
    assert ahus["properties"]["oslo_bydeler"] == ["030110"]
    assert shapely.geometry.shape(ahus["geometry"]).equals(box(0, 0, 2, 1))
    assert features["Vestre Viken HF"]["properties"]["oslo_part"] is False
    lovisenberg = features["Lovisenberg"]
    assert lovisenberg["geometry"] is None and lovisenberg["properties"]["oslo_bydeler"] == ["030101"]
    assert "OUS" not in features  # only the "uoppgitt" bydel code, which is no area
    oslo = features[None]["properties"]
    assert oslo["split_by_bydel"] is True and oslo["kommuner"] == ["0301"]
    assert oslo["hf_by_bydel"] == {"030101": "Lovisenberg", "030110": "Akershus universitetssykehus HF"}


def test_dissolve_refuses_a_polygon_spanning_two_catchments() -> None:
    areas = [bb.Area("3201+3301", "x", ("3201", "3301"), bb.polygonal(box(0, 0, 1, 1)))]
    with pytest.raises(ValueError, match="several catchments"):
        bb.dissolve_catchments(areas, _hf_rows())


# --------------------------------------------------------------------------------------------- output


def test_write_collection_is_compact_geojson(tmp_path: Path) -> None:
    geom = bb.finish(box(6.1234567, 62.1, 6.2, 62.2))
    area = bb.Area("1508+1580", "Ålesund + Haram", ("1508", "1580"), geom)
    size = bb.write_collection(tmp_path / "k.geojson", bb.kommune_features([area]))
    text = (tmp_path / "k.geojson").read_text(encoding="utf-8")
    assert size == len(text.encode("utf-8"))
    data = json.loads(text)
    assert data["type"] == "FeatureCollection"
    (feature,) = data["features"]
    expected = {"code": "1508+1580", "name": "Ålesund + Haram", "covers": ["1508", "1580"]}
    assert feature["properties"] == expected
    assert max(len(d) for d in re.findall(r"\.(\d+)", json.dumps(feature["geometry"]))) <= 5
