"""Import: all-or-nothing, every problem with file/row/field, one revision with actor and reason."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tsbkart.db.models import RevisionRow
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Provenance, Unit
from tsbkart.exchange.export import export_csv
from tsbkart.exchange.importer import import_files, merge
from tsbkart.exchange.tabular import read_file
from tsbkart.registry.store import Registry, Upsert

from .helpers import SOURCE, offer_row, seeded_registry, write_csv


def _export_all(registry: Registry) -> str:
    snapshot = registry.snapshot()
    return "".join(export_csv(snapshot, kind) for kind in ("organisation", "team", "unit", "offer"))


def _revisions(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(RevisionRow)) or 0)


def test_three_bad_rows_among_1000_are_all_reported_and_nothing_is_written(
    engine: Engine, tmp_path: Path
) -> None:
    registry = seeded_registry(engine)
    rows = [offer_row(i) for i in range(1000)]
    rows[99] = offer_row(99, open_24_7="kanskje")  # a cell that does not parse -> spreadsheet row 101
    rows[499] = offer_row(499, service_type="akut")  # registry validation: unknown code -> row 501
    rows[997] = offer_row(997, unit_id="no-such-unit")  # registry validation: reference -> row 999
    path = write_csv(tmp_path / "tilbud.csv", rows)
    before = _export_all(registry)

    report = import_files(registry, [path], actor=Actor.cli("steward"), reason="bulk update")

    assert not report.ok and report.revision is None
    assert [(p.file, p.row, p.field) for p in report.problems] == [
        ("tilbud.csv", 101, "open_24_7"),
        ("tilbud.csv", 501, "service_type"),
        ("tilbud.csv", 999, "unit_id"),
    ]
    assert "kanskje" in report.problems[0].message and "akut" in report.problems[1].message
    assert _export_all(Registry(engine)) == before
    assert _revisions(engine) == 1


def test_a_good_import_is_one_revision_with_actor_and_reason(engine: Engine, tmp_path: Path) -> None:
    registry = seeded_registry(engine)
    path = write_csv(tmp_path / "offers.csv", [offer_row(i) for i in range(50)])

    report = import_files(registry, [path], actor=Actor.cli("steward@ous"), reason="Q4 update")

    assert report.ok and report.created["offer"] == 50
    with Session(engine) as session:
        revision = session.scalars(select(RevisionRow).order_by(RevisionRow.id.desc())).first()
    assert revision is not None and revision.id == report.revision
    assert (revision.actor_kind, revision.actor_id, revision.actor_name) == (
        "cli",
        "steward@ous",
        "steward@ous",
    )
    assert (revision.reason, revision.change_count) == ("Q4 update", 50)
    assert len(registry.snapshot().offers_of("u1")) == 50
    again = import_files(registry, [path], actor=Actor.cli("steward@ous"), reason="Q4 update")
    assert again.ok and again.revision is None  # nothing changed, no empty revision
    assert _revisions(engine) == 2


def test_missing_columns_keep_values_and_empty_cells_mean_unknown(engine: Engine, tmp_path: Path) -> None:
    registry = seeded_registry(engine)
    path = tmp_path / "enheter.csv"
    # Only id, name, organisation_id, phone, source: lat/lon are not in the file and must survive.
    path.write_text(
        "id;name;organisation_id;phone;source\nu1;Unit one renamed;org;;synthetic test data\n",
        encoding="utf-8",
    )
    report = import_files(registry, [path], actor=Actor.cli("t"), reason="rename")
    assert report.ok, report.problems
    unit = registry.snapshot().units["u1"]
    assert (unit.name, unit.lat, unit.phone) == ("Unit one renamed", 59.9, None)


def test_field_provenance_survives_only_for_unchanged_fields() -> None:
    existing = {
        "id": "u",
        "beds": 4,
        "phone": "1",
        "field_provenance": {"beds": {"source": "a"}, "phone": {"source": "b"}},
    }
    merged = merge(existing, {"id": "u", "phone": "2"})
    assert merged["field_provenance"] == {"beds": {"source": "a"}}


def test_header_problems_and_duplicates_are_reported(engine: Engine, tmp_path: Path) -> None:
    registry = seeded_registry(engine)
    bad_header = tmp_path / "tilbud.csv"
    bad_header.write_text("id,unit_id,colour,source\nx,u1,red,s\n", encoding="utf-8")
    dupes = write_csv(tmp_path / "offers.csv", [offer_row(1), offer_row(2), offer_row(1)])
    report = import_files(registry, [bad_header, dupes], actor=Actor.cli("t"), reason="r")
    found = {(p.file, p.row, p.field) for p in report.problems}
    assert ("tilbud.csv", 1, "colour") in found
    assert ("tilbud.csv", 1, "service_type") in found  # required column missing
    assert ("offers.csv", 4, "id") in found
    assert not registry.snapshot().offers


def test_a_bad_unit_row_does_not_cascade_into_its_offers(engine: Engine, tmp_path: Path) -> None:
    registry = seeded_registry(engine)
    units = write_csv(
        tmp_path / "enheter.csv",
        [{"id": "u3", "name": "Three", "organisation_id": "org", "beds": "many", "source": SOURCE}],
        kind="unit",
    )
    offers = write_csv(tmp_path / "tilbud.csv", [offer_row(1, unit_id="u3")])
    report = import_files(registry, [units, offers], actor=Actor.cli("t"), reason="r")
    assert [(p.file, p.row, p.field) for p in report.problems] == [("enheter.csv", 2, "beds")]


def test_xlsx_sheets_import_with_typed_cells(engine: Engine, tmp_path: Path) -> None:
    registry = seeded_registry(engine)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "tilbud"
    sheet.append(
        ["id", "unit_id", "service_type", "beds", "open_24_7", "waiting_weeks", "waiting_as_of", "source"]
    )
    from datetime import datetime

    sheet.append(["u1/dogn", "u1", "dogn_kort", 12, True, 3.5, datetime(2026, 11, 1), SOURCE])
    sheet.append([None] * 8)  # blank rows are skipped but still counted
    sheet.append(["u1/dag", "u1", "dag", 2.5, "ja", None, None, SOURCE])
    notes = workbook.create_sheet("notater")
    notes.append(["my own notes"])
    path = tmp_path / "import.xlsx"
    workbook.save(path)

    report = import_files(registry, [path], actor=Actor.cli("t"), reason="r")
    assert [(p.sheet, p.row, p.field) for p in report.problems] == [
        ("notater", None, None),
        ("tilbud", 4, "beds"),
    ]
    del workbook["notater"]
    workbook["tilbud"].delete_rows(4)
    workbook.save(path)
    report = import_files(registry, [path], actor=Actor.cli("t"), reason="r")
    assert report.ok, report.problems
    offer = registry.snapshot().offers["u1/dogn"]
    assert (
        offer.beds,
        offer.open_24_7,
        offer.waiting_weeks,
        offer.waiting_as_of.isoformat() if offer.waiting_as_of else None,
    ) == (12, True, 3.5, "2026-11-01")


def test_norwegian_excel_csv_in_cp1252_with_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "enheter.csv"
    path.write_bytes(
        "id;name;organisation_id;lat;lon;location_precision;source\n"
        "u9;Rusbehandling Østfold;org;59,28;11,1;address;kilde\n".encode("cp1252")
    )
    rows, problems = read_file(path)
    assert not problems
    assert rows[0].values["name"] == "Rusbehandling Østfold" and rows[0].values["lat"] == 59.28


def test_unknown_file_names_need_a_kind(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerow(["id"])
    rows, problems = read_file(path)
    assert not rows and "--kind" in problems[0].message
    assert read_file(path, kind="offer")[1][0].field == "unit_id"


def test_a_changed_unit_keeps_the_rest_of_its_record(engine: Engine, tmp_path: Path) -> None:
    registry = seeded_registry(engine)
    registry.commit(
        [
            Upsert(
                Unit(
                    "u5",
                    "Five",
                    "org",
                    Provenance(SOURCE),
                    beds=3,
                    field_provenance={"beds": Provenance("https://example.org/beds")},
                )
            )
        ],
        actor=Actor.cli("t"),
        reason="r",
    )
    path = write_csv(
        tmp_path / "enheter.csv",
        [
            {
                "id": "u5",
                "name": "Five",
                "organisation_id": "org",
                "beds": "3",
                "phone": "22 00 00 00",
                "source": SOURCE,
            }
        ],
        kind="unit",
    )
    assert import_files(registry, [path], actor=Actor.cli("t"), reason="r").ok
    unit = registry.snapshot().units["u5"]
    assert unit.phone == "22 00 00 00" and unit.field_provenance["beds"].source == "https://example.org/beds"
