"""Export: CSV and XLSX round-trip through import unchanged; GeoJSON flags approximate locations."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from tsbkart.exchange.export import export_csv, geojson, write_csv_files, write_xlsx
from tsbkart.exchange.importer import import_files
from tsbkart.registry.snapshot import RegistrySnapshot

from .helpers import offer_row, seeded_registry, write_csv


def test_csv_export_has_the_template_header_and_sorted_rows(bundled_snapshot: RegistrySnapshot) -> None:
    lines = export_csv(bundled_snapshot, "offer").splitlines()
    assert lines[0].startswith("id,unit_id,service_type,target_groups,legal_basis")
    assert len(lines) == 1 + len(bundled_snapshot.offers)
    ids = [line.split(",")[0] for line in lines[1:]]
    assert ids == sorted(ids)


def test_exports_import_again_without_changes(engine: Engine, tmp_path: Path) -> None:
    registry = seeded_registry(engine)
    offers = [offer_row(1, languages="nb;en", waiting_weeks="2.5", waiting_as_of="2026-10-01"), offer_row(2)]
    assert import_files(
        registry, [write_csv(tmp_path / "in.csv", offers, "offer")], actor="t", reason="r", kind="offer"
    ).ok
    snapshot = registry.snapshot()
    csv_files = write_csv_files(snapshot, tmp_path / "csv")
    xlsx = write_xlsx(snapshot, tmp_path / "all.xlsx")
    for files in (csv_files, [xlsx]):
        report = import_files(registry, files, actor="t", reason="r")
        assert report.ok, report.problems
        assert report.revision is None  # identical records: nothing to write
        assert sum(report.rows.values()) == 1 + 1 + 2 + 2


def test_geojson_has_units_with_offers_and_approximate_flags(engine: Engine, tmp_path: Path) -> None:
    registry = seeded_registry(engine)
    import_files(registry, [write_csv(tmp_path / "tilbud.csv", [offer_row(1)])], actor="t", reason="r")
    collection = geojson(registry.snapshot())
    json.dumps(collection)  # serialisable as it is
    features = {f["id"]: f for f in collection["features"]}
    assert features["u1"]["geometry"] == {"type": "Point", "coordinates": [10.7, 59.9]}
    assert features["u1"]["properties"]["approximate"] is False
    assert features["u2"]["properties"]["approximate"] is True
    assert features["u2"]["properties"]["location_precision"] == "municipality"
    assert [o["id"] for o in features["u1"]["properties"]["offers"]] == ["u1/offer-0001"]
    assert features["u1"]["properties"]["organisation_name"] == "Synthetic HF"


def test_units_without_location_have_null_geometry(bundled_snapshot: RegistrySnapshot) -> None:
    features = geojson(bundled_snapshot)["features"]
    assert len(features) == len(bundled_snapshot.units)
    for feature in features:
        unit = bundled_snapshot.units[feature["id"]]
        assert (feature["geometry"] is None) == (unit.lat is None)
