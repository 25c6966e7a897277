"""The steward template: an XLSX workbook (a sheet per kind, a documentation sheet, dropdowns from the
vocabularies) or a folder of CSV files with the header row. Built from the columns (``columns.py``, derived from
the field declarations)::

    write_xlsx_template(Path("tsbkart-mal.xlsx"))
    write_csv_templates(Path("mal/"))      # organisasjoner.csv, vurderingsteam.csv, enheter.csv, tilbud.csv
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tsbkart.exchange.columns import KindSpec, load_columns
from tsbkart.exchange.spreadsheet import csv_text
from tsbkart.vocab import load_vocabularies

DOC_SHEET = "dokumentasjon"
LIST_SHEET = "lister"
DATA_ROWS = 5000  # rows that get the dropdowns and text formatting
TYPE_LABELS = {
    "text": "tekst / text",
    "int": "heltall / whole number",
    "float": "tall / number",
    "bool": "ja/nei",
    "date": "dato / date (ÅÅÅÅ-MM-DD)",
    "code": "kode / code",
    "codes": "koder med ; / codes separated by ;",
    "list": "liste med ; / list separated by ;",
    "json": "JSON",
}


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _documentation(workbook: Any) -> None:
    sheet = workbook.create_sheet(DOC_SHEET)
    sheet.append(["tsbkart – mal for import / import template"])
    sheet.append(
        [
            "Rad 1 er overskrifter. Tom celle = ukjent. Lister skilles med ';'. Datoer som ÅÅÅÅ-MM-DD. "
            "Importen skriver ingenting hvis én rad er feil. / Row 1 is the header. Empty cell = unknown. "
            "Lists are separated by ';'. Dates as YYYY-MM-DD. Nothing is written if any row is wrong."
        ]
    )
    sheet.append([])
    sheet.append(
        [
            "ark / sheet",
            "kolonne / column",
            "type",
            "påkrevd / required",
            "koder / codes",
            "beskrivelse",
            "description",
            "eksempel / example",
        ]
    )
    vocabs = load_vocabularies()
    for spec in load_columns().values():
        for column in spec.columns:
            codes = ""
            if column.vocabulary:
                codes = ", ".join(vocabs[column.vocabulary].codes)
            elif column.choices:
                codes = ", ".join(column.choices)
            sheet.append(
                [
                    spec.sheet,
                    column.name,
                    TYPE_LABELS[column.type],
                    "ja" if column.required else "",
                    codes,
                    column.description["nb"],
                    column.description["en"],
                    column.example,
                ]
            )


def _lists(workbook: Any) -> dict[str, str]:
    """A sheet with one column of codes per vocabulary; returns vocabulary -> range formula for dropdowns."""
    sheet = workbook.create_sheet(LIST_SHEET)
    vocabs = load_vocabularies()
    names = sorted({c.vocabulary for s in load_columns().values() for c in s.columns if c.vocabulary})
    ranges: dict[str, str] = {}
    for index, name in enumerate([*names, "bool"], start=1):
        codes = ["ja", "nei"] if name == "bool" else list(vocabs[name].codes)
        sheet.cell(row=1, column=index, value=name)
        for offset, code in enumerate(codes, start=2):
            sheet.cell(row=offset, column=index, value=code)
        letter = _column_letter(index)
        ranges[name] = f"{LIST_SHEET}!${letter}$2:${letter}${len(codes) + 1}"
    return ranges


def _kind_sheet(workbook: Any, spec: KindSpec, ranges: dict[str, str]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = workbook.create_sheet(spec.sheet)
    sheet.append(list(spec.names))
    for index, column in enumerate(spec.columns, start=1):
        letter = _column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=column.required)
        cell.comment = Comment(f"{column.description['nb']}\n{column.description['en']}", "tsbkart")
        sheet.column_dimensions[letter].width = max(12, len(column.name) + 2)
        cells = f"{letter}2:{letter}{DATA_ROWS}"
        source = ranges.get(column.vocabulary or "") if column.type == "code" else None
        if column.type == "bool":
            source = ranges["bool"]
        if column.choices:
            source = '"' + ",".join(column.choices) + '"'
        if source:
            validation = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True)
            validation.error = "Velg en verdi fra listen / choose a value from the list"
            validation.add(cells)
            sheet.add_data_validation(validation)
        if column.type in ("text", "code", "codes", "list"):
            # Text format keeps ids, postal codes and municipality codes with their leading zeros.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"


def write_xlsx_template(path: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    _documentation(workbook)
    ranges = _lists(workbook)
    for spec in load_columns().values():
        _kind_sheet(workbook, spec, ranges)
    workbook.move_sheet(DOC_SHEET, offset=-workbook.index(workbook[DOC_SHEET]))
    workbook.save(path)
    return path


def write_csv_templates(directory: Path) -> list[Path]:
    """One header-only CSV file per kind, named so ``tsbkart import`` knows its kind."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in load_columns().values():
        path = directory / f"{spec.sheet}.csv"
        path.write_text(csv_text([list(spec.names)]), encoding="utf-8")
        paths.append(path)
    return paths
