"""Bad CSV structure and limits: one clear problem each, located; never a traceback, never a dropped value.

Each case here either raised from the csv module or was silently accepted before the importer was hardened.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tsbkart.exchange.limits import ImportLimits
from tsbkart.exchange.tabular import kind_for_header, read_file

HEADER = "id;unit_id;service_type;source"
LIMITS = ImportLimits(max_file_bytes=10_000, max_rows=5, max_cell_chars=50, max_unzipped_bytes=100_000)


def _write(tmp_path: Path, text: str, name: str = "tilbud.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _problems(path: Path, limits: ImportLimits | None = None) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.field, p.message) for p in read_file(path, limits=limits)[1]]


def test_a_field_over_csvs_own_limit_is_one_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\nu1/a;u1;akutt;kilde\nu1/b;u1;akutt;{'x' * 131_073}\n")
    [(row, _, message)] = _problems(path)
    assert row == 3 and "longer than" in message


def test_a_cell_over_the_configured_limit_is_reported_with_its_field(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\nu1/a;u1;akutt;{'k' * 51}\n")
    [(row, field, message)] = _problems(path, LIMITS)
    assert (row, field) == (2, "source") and "51 characters, over the limit of 50" in message


def test_cr_only_line_endings_read_like_lf(tmp_path: Path) -> None:
    text = f"{HEADER}\nu1/a;u1;akutt;kilde\nu1/b;u1;dogn_kort;kilde\n"
    lf, cr = _write(tmp_path, text), _write(tmp_path, text.replace("\n", "\r"), "offers.csv")
    assert [r.values for r in read_file(cr)[0]] == [r.values for r in read_file(lf)[0]]
    assert [r.row for r in read_file(cr)[0]] == [2, 3] and not read_file(cr)[1]


def test_a_stray_cr_inside_an_unquoted_cell_is_one_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\r\nu1/a;u1;akutt;kilde\r\nu1/b;u1;ak\rutt;kilde\r\n")
    [(row, _, message)] = _problems(path)
    assert row == 3 and "carriage return" in message


def test_a_file_cut_inside_a_quoted_cell_is_reported_not_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, f'{HEADER}\nu1/a;u1;akutt;kilde\nu1/b;u1;akutt;"kilde som ble')
    [(row, _, message)] = _problems(path)
    assert row == 3 and "quoted cell" in message


def test_text_after_a_closing_quote_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, f'{HEADER}\nu1/a;u1;"akutt"x;kilde\n')
    assert [(r, m[:20]) for r, _, m in _problems(path)] == [(2, "text after a closing")]


def test_a_truncated_last_row_is_reported_not_padded(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\nu1/a;u1;akutt;kilde\nu1/b;u1")
    rows, problems = read_file(path)
    assert [(p.row, p.message[:30]) for p in problems] == [(3, "the row has 2 cells but the he")]
    assert [r.ok for r in rows] == [True, False]  # read for its id, never imported


def test_values_beyond_the_header_are_reported_not_dropped(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER};\nu1/a;u1;akutt;kilde;;\nu1/b;u1;akutt;kilde;;ekstra\n")
    # Empty cells beyond the header are fine (Excel writes them); a value is not.
    assert [(r, m[:40]) for r, _, m in _problems(path)] == [(3, "a value in column 6 (F), beyond the head")]


def test_a_value_under_an_empty_header_cell_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "id;unit_id;;service_type;source\nu1/a;u1;;akutt;kilde\nu1/b;u1;x;akutt;kilde\n")
    assert [(r, m[:36]) for r, _, m in _problems(path)] == [(3, "a value in column 3 (C), which has n")]


def test_row_and_file_size_limits(tmp_path: Path) -> None:
    rows = "".join(f"u1/{i};u1;akutt;kilde\n" for i in range(6))
    [(row, _, message)] = _problems(_write(tmp_path, f"{HEADER}\n{rows}"), LIMITS)
    assert row == 7 and "more than 5 data rows" in message
    big = _write(tmp_path, f"{HEADER}\n" + "u1/a;u1;akutt;kilde\n" * 600, "offers.csv")
    [(row, _, message)] = _problems(big, LIMITS)
    assert row is None and "over the limit of 10000" in message


def test_unreadable_paths_are_problems(tmp_path: Path) -> None:
    (tmp_path / "tilbud.csv").mkdir()
    [(row, _, message)] = _problems(tmp_path / "tilbud.csv")
    assert row is None and "cannot be read" in message
    assert "NUL" in _problems(_write(tmp_path, "i\x00d\x00\n", "units.csv"))[0][2]


# --- #11: a CSV file's kind from its header row ------------------------------------------------------------


def test_the_kind_of_a_csv_comes_from_its_header_when_the_name_does_not_say(tmp_path: Path) -> None:
    path = tmp_path / "export (3).csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [["id", "unit_id", "service_type", "source"], ["u1/a", "u1", "akutt", "k"]]
        )
    rows, problems = read_file(path)
    assert not problems and [(r.kind, r.values["service_type"]) for r in rows] == [("offer", "akutt")]


@pytest.mark.parametrize(
    ("header", "kinds"),
    [
        (["id", "name", "owner_type", "source"], ["organisation"]),
        (["id", "name", "organisation_id", "street_address", "source"], ["unit"]),
        (["id", "name", "scope", "source"], ["team"]),
        (["id", "name", "organisation_id", "source"], ["team", "unit"]),  # both fit: ambiguous
        (["id", "name", "source", "colour"], []),
    ],
)
def test_kind_for_header(header: list[str], kinds: list[str]) -> None:
    assert kind_for_header(header) == kinds


def test_an_ambiguous_header_asks_for_the_kind(tmp_path: Path) -> None:
    path = _write(tmp_path, "id;name;organisation_id;source\nx;X;org;k\n", "data.csv")
    [(_, _, message)] = _problems(path)
    assert "team, unit" in message and "--kind" in message
    assert read_file(path, "unit")[0][0].kind == "unit"
