"""Rendering: the cached unit JSON equals plain encoding; CSV cells are flat and formula-safe."""

from __future__ import annotations

import csv
import io

from tests.registry import factories as f
from tsbkart.query.filters import UnitFilter
from tsbkart.query.units import search_units
from tsbkart.reference.geography import load_geography
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.web.api.render import encode_json, page_body, to_csv
from tsbkart.web.api.unit_json import UnitJson


def test_cached_unit_json_is_byte_for_byte_plain_json() -> None:
    units = [f.unit("a", name="Åsgård «rus»"), f.unit("b", lat=None, lon=None, location_precision=None)]
    snap = RegistrySnapshot.build(
        load_geography(), organisations=[f.organisation()], units=units, offers=[f.offer("a", open_24_7=True)]
    )
    cache = UnitJson()
    for selection in (UnitFilter(), UnitFilter(near=(69.0, 18.0)), UnitFilter(limit=1, offset=1)):
        page = search_units(snap, selection)
        assert cache.page(snap, page) == encode_json(page_body(page))
        assert cache.page(snap, page) == encode_json(page_body(page))  # from the cache the second time


def test_csv_flattens_lists_and_nested_records_and_defuses_formulas() -> None:
    records = [
        {
            "id": "x",
            "codes": ["a", "b"],
            "provenance": {"source": "s", "verified": None},
            "name": "=HYPERLINK(1)",
        },
        {
            "id": "y",
            "codes": [],
            "provenance": {"source": "t", "verified": "2026-01-01"},
            "name": "ok",
            "flag": True,
        },
    ]
    rows = list(csv.DictReader(io.StringIO(to_csv(records, ["id"]).decode())))
    assert rows[0] == {"id": "x", "codes": "a;b", "provenance_source": "s", "provenance_verified": "", "name": "'=HYPERLINK(1)", "flag": ""}  # fmt: skip
    assert rows[1]["flag"] == "true"
    assert to_csv([], ["id", "name"]) == b"id,name\r\n"
