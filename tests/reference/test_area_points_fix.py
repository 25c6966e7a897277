"""area_points_fix.csv: sourced point corrections (Haram) and Oslo bydel points, checked against the bundled lists."""

from __future__ import annotations

import csv
import math
import re
from fractions import Fraction

import pytest

from tsbkart.reference.files import data_path, read_csv
from tsbkart.reference.geography import load_geography

FIX_FILE = "area_points_fix.csv"
OSLO_POINT = (59.97, 10.78)
# Mainland Norway with its coastal islands (not Svalbard/Jan Mayen), generous margins.
NORWAY_LAT, NORWAY_LON = (57.5, 71.5), (4.0, 31.5)
DMS = re.compile(r"(\d+)°(\d+)′(?:([\d.]+)″)?([NSEW])")


def _rows() -> list[dict[str, str]]:
    return [row for _, row in read_csv(FIX_FILE)]


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def test_header_is_exact() -> None:
    with data_path(FIX_FILE).open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == ["code", "lat", "lon", "method", "source"]


def test_codes_are_unique_and_known() -> None:
    codes = [row["code"] for row in _rows()]
    known = {row["code"] for _, row in read_csv("kommune_hf.csv")}
    known |= {row["kommunenummer_2024"] for _, row in read_csv("kommuner_2024.csv")}
    assert len(codes) == len(set(codes))
    assert set(codes) <= known, set(codes) - known


def test_unknown_bydel_has_no_point() -> None:
    assert "030199" not in {row["code"] for row in _rows()}


def test_every_row_cites_a_url_and_a_method() -> None:
    for row in _rows():
        assert row["source"].startswith("https://"), row
        assert row["method"].strip(), row


def test_points_lie_in_norway() -> None:
    for row in _rows():
        lat, lon = float(row["lat"]), float(row["lon"])
        assert NORWAY_LAT[0] < lat < NORWAY_LAT[1], row
        assert NORWAY_LON[0] < lon < NORWAY_LON[1], row


def test_bydel_points_lie_near_oslo() -> None:
    bydeler = [row for row in _rows() if row["code"].startswith("0301") and len(row["code"]) == 6]
    assert len(bydeler) >= 10
    for row in bydeler:
        assert _km((float(row["lat"]), float(row["lon"])), OSLO_POINT) < 25.0, row


@pytest.mark.parametrize("row", _rows(), ids=lambda row: row["code"])
def test_decimal_point_is_the_exact_conversion_of_the_quoted_dms(row: dict[str, str]) -> None:
    """The method column keeps the source's degrees-minutes-seconds text; lat/lon must be its conversion."""
    parts = DMS.findall(row["method"])
    assert [hemisphere for *_, hemisphere in parts] == ["N", "E"], row["method"]
    converted = [
        float(Fraction(int(d)) + Fraction(int(m), 60) + (Fraction(s) / 3600 if s else 0))
        for d, m, s, _ in parts
    ]
    assert float(row["lat"]) == pytest.approx(converted[0], abs=1e-6)
    assert float(row["lon"]) == pytest.approx(converted[1], abs=1e-6)


def test_haram_no_longer_carries_alesunds_point() -> None:
    units = load_geography().area_units
    haram, alesund = units["1580"], units["1508"]
    assert haram.lat is not None and haram.lon is not None
    assert alesund.lat is not None and alesund.lon is not None
    assert (haram.lat, haram.lon) != (alesund.lat, alesund.lon)
    # Brattvåg area, north-east of Ålesund town: well apart, not a rounding difference.
    assert _km((haram.lat, haram.lon), (alesund.lat, alesund.lon)) > 5.0
    assert haram.point_source is not None and "wikipedia.org" in haram.point_source


def test_loader_gives_bydeler_their_points() -> None:
    units = load_geography().area_units
    fixed = {row["code"]: row for row in _rows()}
    gamle_oslo = units["030101"]
    assert (gamle_oslo.lat, gamle_oslo.lon) == (float(fixed["030101"]["lat"]), float(fixed["030101"]["lon"]))
    assert units["030199"].lat is None and units["030199"].point_source is None
