"""The template: a sheet per kind with the documented columns, dropdowns from the vocabularies."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from tsbkart.exchange.columns import load_columns
from tsbkart.exchange.tabular import read_file
from tsbkart.exchange.template import write_csv_templates, write_xlsx_template
from tsbkart.vocab import load_vocabularies


def test_xlsx_template_sheets_columns_and_dropdowns(tmp_path: Path) -> None:
    path = write_xlsx_template(tmp_path / "mal.xlsx")
    workbook = load_workbook(path)
    assert workbook.sheetnames == [
        "dokumentasjon",
        "lister",
        "organisasjoner",
        "vurderingsteam",
        "enheter",
        "tilbud",
    ]
    offers = workbook["tilbud"]
    header = [c.value for c in offers[1]]
    assert header == list(load_columns()["offer"].names)
    validations = {str(v.sqref): v for v in offers.data_validations.dataValidation}
    service_type = validations["C2:C5000"]
    ref = service_type.formula1.split("!")[1].replace("$", "")
    codes = [c.value for row in workbook["lister"][ref] for c in row]
    assert codes == list(load_vocabularies()["service_types"].codes)
    assert offers["A1"].comment is not None


def test_documentation_sheet_lists_every_column(tmp_path: Path) -> None:
    workbook = load_workbook(write_xlsx_template(tmp_path / "mal.xlsx"))
    documented = {
        (row[0], row[1]) for row in workbook["dokumentasjon"].iter_rows(min_row=5, values_only=True)
    }
    expected = {(spec.sheet, c.name) for spec in load_columns().values() for c in spec.columns}
    assert documented == expected


def test_empty_templates_read_without_problems(tmp_path: Path) -> None:
    assert read_file(write_xlsx_template(tmp_path / "mal.xlsx")) == ([], [])
    for path in write_csv_templates(tmp_path / "csv"):
        assert read_file(path) == ([], [])
        with path.open() as handle:
            assert next(csv.reader(handle)) == list(load_columns()[_kind(path)].names)


def _kind(path: Path) -> str:
    return {s.sheet: k for k, s in load_columns().items()}[path.stem]
