"""Hostile and damaged XLSX files: one clear problem each, decided before openpyxl parses anything."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

from tsbkart.exchange.limits import ImportLimits
from tsbkart.exchange.tabular import read_file

LIMITS = ImportLimits(max_file_bytes=10_000_000, max_rows=5, max_cell_chars=100, max_unzipped_bytes=2_000_000)
HEADER = ["id", "unit_id", "service_type", "source"]
SHEET = "xl/worksheets/sheet1.xml"


def _workbook(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "tilbud"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _rewrite(path: Path, part: str, change: bytes | Callable[[bytes], bytes]) -> Path:
    """Copy ``path`` with one part replaced (bytes) or transformed (a function of the old bytes)."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change(parts[part]) if callable(change) else change
    out = path.with_name(f"x-{path.name}")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out


def _one(path: Path, limits: ImportLimits | None = None) -> str:
    rows, problems = read_file(path, limits=limits)
    assert rows == [] and len(problems) == 1, problems
    assert problems[0].file == path.name
    return problems[0].message


def test_a_file_that_is_not_a_zip_archive(tmp_path: Path) -> None:
    path = tmp_path / "tilbud.xlsx"
    path.write_text("id;unit_id\n")  # a CSV renamed .xlsx
    assert "not a zip archive" in _one(path)


def test_a_truncated_and_a_corrupted_workbook(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "good.xlsx", [["u1/a", "u1", "akutt", "kilde"]])
    data = good.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    assert "not a zip archive" in _one(cut) or "damaged" in _one(cut)
    flipped = bytearray(data)
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + 10  # inside the compressed sheet
    flipped[start : start + 8] = b"\x00" * 8
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(bytes(flipped))
    assert "cannot be read" in _one(broken) or "damaged" in _one(broken)


def test_a_zip_bomb_is_refused_from_the_archive_directory(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "tilbud.xlsx", [["u1/a", "u1", "akutt", "kilde"]])
    bomb = _rewrite(good, "xl/sharedStrings.xml", b"<sst>" + b" " * 5_000_000 + b"</sst>")  # a new part
    assert bomb.stat().st_size < 100_000
    assert "decompress to" in _one(bomb, LIMITS)


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "tilbud.xlsx", [["u1/a", "u1", "akutt", "kilde"]])
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    laughs = f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY l0 "ha">{entities}]>'.encode()

    def inject(old: bytes) -> bytes:
        return laughs + old.replace(b">u1/a<", b">&l9;<")

    assert "document type declaration" in _one(_rewrite(good, SHEET, inject))


def test_xxe_is_refused_and_reads_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    good = _workbook(tmp_path / "tilbud.xlsx", [["u1/a", "u1", "akutt", "kilde"]])
    doctype = f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file://{secret}">]>'.encode()
    xxe = _rewrite(good, SHEET, lambda old: doctype + old.replace(b">u1/a<", b">&x;<"))
    message = _one(xxe)
    assert "document type declaration" in message and "TOP-SECRET" not in message


def test_entities_hidden_after_a_long_prologue_are_refused_by_defusedxml(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "tilbud.xlsx", [["u1/a", "u1", "akutt", "kilde"]])
    comment = b"<!--" + b"x" * 70_000 + b"-->"
    hidden = _rewrite(
        good,
        SHEET,
        lambda old: (
            b'<?xml version="1.0"?>'
            + comment
            + b'<!DOCTYPE worksheet [<!ENTITY e "boom">]>'
            + old.replace(b">u1/a<", b">&e;<")
        ),
    )
    assert "cannot be read" in _one(hidden)


def test_a_sheet_stating_more_rows_than_the_limit_is_refused_before_its_rows_are_read(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "tilbud.xlsx", [["u1/a", "u1", "akutt", "kilde"]])
    huge = _rewrite(
        path, "xl/worksheets/sheet1.xml", lambda old: re.sub(rb'ref="A1:D2"', b'ref="A1:XFD1048576"', old)
    )
    assert "more than 5 data rows" in _one(huge, LIMITS)


def test_a_hostile_dimension_does_not_pad_rows(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "tilbud.xlsx", [["u1/a", "u1", "akutt", "kilde"]])
    wide = _rewrite(
        path, "xl/worksheets/sheet1.xml", lambda old: old.replace(b'ref="A1:D2"', b'ref="A1:XFD2"')
    )
    rows, problems = read_file(wide)
    assert not problems and rows[0].values == {
        "id": "u1/a",
        "unit_id": "u1",
        "service_type": "akutt",
        "source": "kilde",
    }


def test_rows_over_the_limit_without_a_dimension(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "tilbud.xlsx", [[f"u1/{i}", "u1", "akutt", "kilde"] for i in range(7)])
    undimensioned = _rewrite(
        path, "xl/worksheets/sheet1.xml", lambda old: re.sub(rb"<dimension [^>]*>", b"", old)
    )
    _, problems = read_file(undimensioned, limits=LIMITS)
    assert [(p.row, p.message[:20]) for p in problems] == [(7, "more than 5 data row")]


def test_values_beyond_the_header_and_long_cells(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "tilbud.xlsx",
        [["u1/a", "u1", "akutt", "kilde", None, "stray"], ["u1/b", "u1", "akutt", "k" * 101], ["u1/c", "u1"]],
    )
    _, problems = read_file(path, limits=LIMITS)
    assert [(p.sheet, p.row, p.field, p.message[:26]) for p in problems] == [
        ("tilbud", 2, None, "a value in column 6 (F), b"),
        ("tilbud", 3, "source", "the cell has 101 character"),
        ("tilbud", 4, "service_type", "service_type is required"),  # a short XLSX row is normal; empty cells
        ("tilbud", 4, "source", "source is required"),
    ]


def test_a_workbook_without_a_workbook_part(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    path = tmp_path / "tilbud.xlsx"
    path.write_bytes(buffer.getvalue())
    assert "not an Excel workbook" in _one(path)


def test_openpyxl_parses_with_defusedxml() -> None:
    import openpyxl

    assert openpyxl.DEFUSEDXML is True  # a dependency: without it openpyxl expands entities
