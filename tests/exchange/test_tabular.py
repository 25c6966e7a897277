"""Reading sheets: columnar parsing gives exactly what parsing cell by cell gives, problems included."""

from __future__ import annotations

import gc
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsbkart.exchange.cells import Cell, CellError, make_parser, parse_int
from tsbkart.exchange.columns import load_columns
from tsbkart.exchange.importer import collector_paused
from tsbkart.exchange.tabular import RawSheet, parse_column, parse_sheet

TEXT_CELLS = st.sampled_from(["", " ", "3", "03", " 7 ", "x", "ja", "nei", "2026-11-01", "1,5", "a;b", None])
TYPED_CELLS = st.one_of(
    TEXT_CELLS,
    st.integers(-3, 3),
    st.sampled_from([1.0, 1.5, 0.0, True, False, date(2026, 1, 2), datetime(2026, 1, 2, 3, 4)]),
)


def cell_by_cell(parse: Any, cells: list[Cell]) -> tuple[list[Any], dict[int, str]]:
    values: list[Any] = []
    errors: dict[int, str] = {}
    for i, cell in enumerate(cells):
        try:
            values.append(parse(cell))
        except CellError as error:
            values.append(None)
            errors[i] = str(error)
    return values, errors


@pytest.mark.parametrize("column", [c for spec in load_columns().values() for c in spec.columns], ids=str)
@settings(max_examples=25)
@given(cells=st.lists(TYPED_CELLS, max_size=30))
def test_parse_column_equals_parsing_each_cell(column: Any, cells: list[Cell]) -> None:
    parse = make_parser(column)
    values, errors = parse_column(parse, cells)
    assert (values, {i: str(text) for i, text in errors.items()}) == cell_by_cell(parse, cells)


@pytest.mark.parametrize("column", [c for spec in load_columns().values() for c in spec.columns], ids=str)
@settings(max_examples=25)
@given(cells=st.lists(TEXT_CELLS, max_size=30))
def test_a_text_only_column_parses_as_any_other(column: Any, cells: list[Cell]) -> None:
    parse = make_parser(column)
    assert parse_column(parse, cells, text_only=True) == parse_column(parse, cells)


def test_equal_cells_of_different_types_are_parsed_apart() -> None:
    # 1 == 1.0 == True in Python; a bool is not a whole number, so a shared cache entry would be wrong.
    values, errors = parse_column(parse_int, [1, True, 1.0, "1"])
    assert values == [1, None, 1, 1]
    assert list(errors) == [1]


def _sheet(rows: list[list[Cell]], header: list[str], text_only: bool = False) -> RawSheet:
    return RawSheet("offer", "tilbud.csv", None, header, list(enumerate(rows, start=2)), text_only=text_only)


def test_problems_come_in_row_then_column_order_and_rows_keep_their_numbers() -> None:
    header = ["id", "unit_id", "service_type", "open_24_7", "beds", "source"]
    rows: list[list[Cell]] = [
        ["a", "u1", "akutt", "ja", "2", "s"],
        ["", "", "", "", "", ""],  # blank: skipped, but row numbers stay as the spreadsheet shows them
        ["b", "u1", "akutt", "kanskje", "x", "s"],
        ["c", "", "akutt", "nei", "1", "s"],
    ]
    problems: list[Any] = []
    parsed = parse_sheet(_sheet(rows, header, text_only=True), problems)
    assert [(p.row, p.field) for p in problems] == [(4, "open_24_7"), (4, "beds"), (5, "unit_id")]
    assert [(r.row, r.ok) for r in parsed] == [(2, True), (4, False), (5, False)]
    assert parsed[0].values["open_24_7"] is True and parsed[0].values["beds"] == 2


def test_list_values_are_not_shared_between_rows() -> None:
    header = ["id", "unit_id", "service_type", "target_groups", "source"]
    rows: list[list[Cell]] = [["a", "u1", "akutt", "adults", "s"], ["b", "u1", "akutt", "adults", "s"]]
    parsed = parse_sheet(_sheet(rows, header, text_only=True), [])
    first, second = (r.values["target_groups"] for r in parsed)
    assert first == second == ["adults"] and first is not second


def test_a_bad_cell_in_a_list_column_is_a_problem_not_a_crash() -> None:
    # A bad language code raised TypeError ('NoneType' object is not iterable) before the fix.
    header = ["id", "unit_id", "service_type", "languages", "source"]
    rows: list[list[Cell]] = [["a", "u1", "akutt", "nb", "s"], ["b", "u1", "akutt", "norsk", "s"]]
    problems: list[Any] = []
    parsed = parse_sheet(_sheet(rows, header, text_only=True), problems)
    assert [(p.row, p.field) for p in problems] == [(3, "languages")]
    assert [(r.row, r.ok) for r in parsed] == [(2, True), (3, False)]


def test_short_typed_rows_are_padded_and_blank_typed_rows_skipped() -> None:
    header = ["id", "unit_id", "service_type", "beds", "source"]
    rows: list[list[Cell]] = [["a", "u1", "akutt"], [None, " ", None], ["b", "u1", "akutt", 3.0, "s"]]
    problems: list[Any] = []
    parsed = parse_sheet(_sheet(rows, header), problems)
    assert [r.row for r in parsed] == [2, 4]
    assert parsed[1].values["beds"] == 3
    assert [(p.row, p.field) for p in problems] == [(2, "source")]  # required, and missing on the short row


def test_an_empty_sheet_has_no_rows(tmp_path: Path) -> None:
    assert parse_sheet(_sheet([], ["id", "unit_id", "service_type", "source"]), []) == []


def test_the_collector_is_back_on_after_an_import_fails() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_bad_code_in_a_list_column_is_a_problem_not_a_crash() -> None:
    # Found by the fuzz test: a failed list cell left None, which the per-row list copy then choked on.
    header = ["id", "unit_id", "service_type", "languages", "source"]
    problems: list[Any] = []
    parsed = parse_sheet(
        _sheet([["a", "u1", "akutt", "nb;EN", "s"], ["b", "u1", "akutt", "nb", "s"]], header), problems
    )
    assert [(p.row, p.field) for p in problems] == [(2, "languages")]
    assert [r.ok for r in parsed] == [False, True] and parsed[1].values["languages"] == ["nb"]


def test_field_names_are_the_interned_identifiers_not_the_headers_own_strings() -> None:
    # Records are built with these names as keyword arguments: Python matches an interned name by identity,
    # any other string by comparing text against every parameter (measured: ~7 % of a large import).
    header = ["".join(["i", "d"]), "".join(["unit", "_id"]), "service_type", "source"]
    rows = parse_sheet(_sheet([["x/a", "x", "akutt", "s"]], header, text_only=True), [])
    assert all(name is sys.intern(name) for name in rows[0].values)
