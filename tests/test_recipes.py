"""The recipes "Add a field" and "Add a kind" in docs/architecture.md, followed to the letter.

Each test makes the one declaration the recipe asks for, runs the migration as plain DDL, and sees the new
field or kind come out of the generic code: import, export, the template, the API and the unit page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Column, Date, Engine, Table, text
from sqlalchemy.orm import DeclarativeBase

from tests.registry import factories as f
from tests.registry.test_kinds import NOTE, Note, NoteBase
from tests.web.api_client import client_for
from tsbkart.db.models import UnitRow
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Unit
from tsbkart.domain.schema import fact
from tsbkart.exchange.columns import load_columns
from tsbkart.exchange.export import export_csv, write_csv_files
from tsbkart.exchange.importer import import_files
from tsbkart.exchange.template import write_csv_templates
from tsbkart.query.records import record_json, unit_detail
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.store import Registry, Upsert
from tsbkart.views.unit_page import build_unit_page
from tsbkart.web.api.schemas import record_model

# --- Add a field -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RenovatedUnit(Unit):
    """``Unit`` with the field the recipe adds (here as a subclass, so the real class stays untouched)."""

    renovated_on: date | None = field(
        default=None,
        metadata=fact(
            "Renovated on", help="Date the unit was last renovated.", example="2026-03-01", shown=True
        ),
    )


class RenovatedBase(DeclarativeBase):
    pass


class RenovatedUnitRow(RenovatedBase):
    """The units table with the new column, as the ORM model would declare it."""

    __table__ = Table(
        "units",
        RenovatedBase.metadata,
        *(
            Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
            for c in UnitRow.__table__.c
        ),
        Column("renovated_on", Date),
    )


@pytest.fixture
def renovated_units(engine: Engine) -> Iterator[Engine]:
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE units ADD COLUMN renovated_on DATE"))  # the migration
    with KINDS.declared(replace(KINDS["unit"], cls=RenovatedUnit, row=RenovatedUnitRow)):
        yield engine


def _write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_new_field_is_imported_exported_served_and_shown(renovated_units: Engine, tmp_path: Path) -> None:
    registry = Registry(renovated_units)
    registry.commit([Upsert(f.organisation())], actor=Actor.cli("tester"), reason="organisation")
    assert "renovated_on" in load_columns()["unit"].names
    sheet = _write(
        tmp_path / "enheter.csv",
        "id;name;organisation_id;renovated_on;source",
        "unit-a;Enhet A;org-a;2026-03-01;https://example.org/a",
    )
    report = import_files(registry, [sheet], actor=Actor.cli("tester"), reason="opening dates")
    assert report.ok and report.created["unit"] == 1, report.problems
    unit = registry.snapshot().units["unit-a"]
    assert isinstance(unit, RenovatedUnit) and unit.renovated_on == date(2026, 3, 1)

    exported = export_csv(registry.snapshot(), "unit").splitlines()
    assert "renovated_on" in exported[0].split(",") and "2026-03-01" in exported[1].split(",")
    templates = write_csv_templates(tmp_path / "mal")
    assert "renovated_on" in (tmp_path / "mal" / "enheter.csv").read_text(encoding="utf-8") and templates

    assert unit_detail(registry.snapshot(), unit)["renovated_on"] == "2026-03-01"
    page = build_unit_page(registry.snapshot(), "unit-a", today=date(2026, 11, 1))
    assert page is not None
    fact_ = next(x for x in page.facts if x.field == "renovated_on")
    assert (fact_.label, fact_.type, fact_.value) == ("Renovated on", "date", date(2026, 3, 1))

    client = client_for(renovated_units)
    assert client.get("/api/v1/units/unit-a").json()["renovated_on"] == "2026-03-01"
    html = client.get("/enhet/unit-a?lang=en").text
    assert '<th scope="row">Renovated on</th>' in html and "1 Mar 2026" in html


def test_a_bad_value_of_the_new_field_is_located(renovated_units: Engine, tmp_path: Path) -> None:
    registry = Registry(renovated_units)
    registry.commit([Upsert(f.organisation())], actor=Actor.cli("tester"), reason="organisation")
    sheet = _write(
        tmp_path / "enheter.csv", "id;name;organisation_id;renovated_on;source", "u;U;org-a;mars;kilde"
    )
    report = import_files(registry, [sheet], actor=Actor.cli("tester"), reason="bad date")
    assert [(p.row, p.field) for p in report.problems] == [(2, "renovated_on")]


# --- Add a kind --------------------------------------------------------------------------------------------


@pytest.fixture
def notes(engine: Engine) -> Iterator[Engine]:
    NoteBase.metadata.create_all(engine)  # the migration
    with KINDS.declared(NOTE):
        yield engine


def test_a_new_kind_is_imported_exported_and_served(notes: Engine, tmp_path: Path) -> None:
    registry = Registry(notes)
    registry.commit([Upsert(f.organisation()), Upsert(f.unit())], actor=Actor.cli("tester"), reason="unit")
    sheet = _write(
        tmp_path / "merknader.csv",
        "id;unit_id;text;noted_on;source",
        "n1;unit-a;Ny adresse fra mars.;2026-03-01;https://example.org/n",
        "n2;unit-x;Om en enhet som ikke finnes.;;https://example.org/n",
    )
    report = import_files(registry, [sheet], actor=Actor.cli("tester"), reason="notes")
    assert [(p.row, p.field, p.message) for p in report.problems] == [
        (3, "unit_id", "unit 'unit-x' does not exist")
    ]
    sheet.write_text("\n".join(sheet.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    report = import_files(registry, [sheet], actor=Actor.cli("tester"), reason="notes")
    assert report.ok and report.created["note"] == 1, report.problems
    note = registry.snapshot().records("note")["n1"]
    assert note == Note("n1", "unit-a", "Ny adresse fra mars.", note.provenance, date(2026, 3, 1))

    written = write_csv_files(registry.snapshot(), tmp_path / "export")
    assert tmp_path / "export" / "merknader.csv" in written
    again = import_files(registry, written, actor=Actor.cli("tester"), reason="round trip")
    assert again.ok and again.revision is None  # the export imports back unchanged

    body = record_json(note)
    assert body["noted_on"] == "2026-03-01" and body["provenance"]["source"] == "https://example.org/n"
    model = record_model("NoteOut", Note, "A note.")
    assert model.model_validate(body).model_dump() == body
