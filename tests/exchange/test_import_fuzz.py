"""Fuzzing the importer: every generated file ends in a clear problem report or a valid import, never in a
traceback, and a failed import leaves the database exactly as it was.

Files are generated from the template's columns with hostile cells (bad codes and numbers, control and
invisible characters, javascript: URLs, future dates, quotes, separators, long text), then serialised with a
random delimiter, line ending and encoding, and sometimes cut short or hit by a stray byte; XLSX files are
real workbooks, or damaged and hostile ones (flipped and cut bytes, a DTD with entities). At least 500 files
per run (``FUZZ_EXAMPLES``), with small limits so the limits are hit too.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.db.models import RevisionRow
from tsbkart.domain.actors import Actor
from tsbkart.exchange.columns import load_columns
from tsbkart.exchange.importer import import_files
from tsbkart.exchange.limits import ImportLimits
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.store import Registry
from tsbkart.registry.validation import KnownIds, validate_records

from .helpers import seeded_registry

FUZZ_EXAMPLES = int(os.environ.get("TSBKART_FUZZ_EXAMPLES", "500"))
LIMITS = ImportLimits(max_file_bytes=40_000, max_rows=12, max_cell_chars=120, max_unzipped_bytes=400_000)

HOSTILE = [
    "",
    " ",
    "kanskje",
    "ja",
    "nei",
    "-1",
    "1e309",
    "NaN",
    "3,5",
    "12",
    "0301",
    "4601",
    "2026-11-01",
    "2999-01-01",
    "31.12.2026",
    "u1",
    "u2",
    "org",
    "team",
    "ous",
    "akutt",
    "poliklinikk",
    "open",
    "adults;rop",
    "nb;en",
    "x;;y",
    "javascript:alert(document.cookie)",
    "https://example.org/x",
    "www.example.org",
    "\x1b[31mred",
    "ring\x07",
    "evil\u202etxt.exe",
    "zero\u200bwidth",
    "two\nlines",
    "tab\tbed",
    "cr\ronly",
    'quote"inside',
    '"',
    ";",
    ",",
    "Døgnenhet på Ås – «rus»",
    "D\ufffdgn",
    "U1/B",
    "a//b",
    "x" * 130,
    '=HYPERLINK("http://x")',
    "\x00",
]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]
ENDINGS = ["\n", "\r\n", "\r"]
DELIMITERS = [";", ",", "\t"]
ILLEGAL_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
NAMES = {kind: [spec.sheet, kind, f"{kind}s"] for kind, spec in load_columns().items()}


def _digest(engine: Engine) -> tuple[int, list[object]]:
    """The revision count and every row of every record table: equal means nothing was written."""
    with Session(engine) as session:
        revisions = int(session.scalar(select(func.count()).select_from(RevisionRow)) or 0)
        rows = [
            list(session.execute(select(KINDS[kind].table).order_by(KINDS[kind].table.c.id)))
            for kind in KINDS.names()
        ]
    return revisions, rows


@pytest.fixture(scope="module")
def fuzz_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'fuzz.sqlite'}")
        upgrade(engine)
        with Session(engine) as session, session.begin():
            write_geography(session, load_geography())
        seeded_registry(engine)
        yield engine
        engine.dispose()


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, list[str], list[list[str]]]:
    kind = draw(st.sampled_from(sorted(NAMES)))
    columns = list(load_columns()[kind].names)
    required = [c.name for c in load_columns()[kind].columns if c.required]
    header = required + draw(st.lists(st.sampled_from(columns), max_size=6, unique=True))
    header = list(dict.fromkeys(header))
    if draw(st.integers(0, 9)) == 0:
        header.append(draw(st.sampled_from(["colour", "", "id", "ID"])))  # unknown, empty or duplicated
    cell = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))
    rows = draw(st.lists(st.lists(cell, min_size=len(header), max_size=len(header)), max_size=8))
    for row in rows:
        if "id" in header and draw(st.booleans()):
            row[header.index("id")] = draw(st.sampled_from(["u1/a", "u1/b", "u9", "org2", "team2", "u1"]))
    if rows and draw(st.integers(0, 5)) == 0:
        rows[-1] = rows[-1][: draw(st.integers(0, len(header)))]  # a cut or widened last row
        rows[-1] += draw(st.lists(cell, max_size=2))
    return kind, header, rows


def _csv_text(header: list[str], rows: list[list[str]], delimiter: str, ending: str, quote_all: bool) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        lineterminator=ending,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    kind, header, rows = draw(tables())
    text = _csv_text(
        header, rows, draw(st.sampled_from(DELIMITERS)), draw(st.sampled_from(ENDINGS)), draw(st.booleans())
    )
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace" if draw(st.booleans()) else "ignore")
    damage = draw(st.integers(0, 5))
    if damage == 0:
        data = data[: _at(draw, data)]  # cut short
    elif damage == 1:
        at = _at(draw, data)
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]  # stray bytes
    name = draw(st.sampled_from([*NAMES[kind], "data", "export (2)"]))
    return f"{name}.{draw(st.sampled_from(['csv', 'csv', 'txt']))}", data


def _at(draw: st.DrawFn, data: bytes) -> int:
    """A position in ``data`` drawn as a share of its length, so the draws do not depend on the length."""
    return len(data) * draw(st.integers(0, 1000)) // 1000


def _workbook(kind: str, header: list[str], rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    workbook.properties.created = workbook.properties.modified = datetime(2026, 1, 1)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = load_columns()[kind].sheet
    sheet.append(header)
    for row in rows:
        sheet.append([ILLEGAL_IN_XML.sub("", c) for c in row])  # openpyxl refuses what XML cannot hold
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_dtd(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = (
                    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
                    + part
                )
            target.writestr(info, part)
    return out.getvalue()


@st.composite
def xlsx_files(draw: st.DrawFn) -> tuple[str, bytes]:
    kind, header, rows = draw(tables())
    data = _workbook(kind, header, rows)
    damage = draw(st.integers(0, 4))
    if damage == 0:
        data = data[: _at(draw, data)]
    elif damage == 1:
        at = min(_at(draw, data), len(data) - 1)
        data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    elif damage == 2:
        data = _with_dtd(data)
    return f"{draw(st.sampled_from(['tilbud', 'registry', 'x']))}.xlsx", data


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(files=st.lists(st.one_of(csv_files(), csv_files(), csv_files(), xlsx_files()), min_size=1, max_size=2))
def test_any_file_gives_a_clear_report_or_a_valid_import(
    fuzz_engine: Engine, files: list[tuple[str, bytes]]
) -> None:
    registry = Registry(fuzz_engine)
    before = _digest(fuzz_engine)
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, (name, data) in enumerate(files):
            path = Path(folder) / str(number) / name
            path.parent.mkdir()
            path.write_bytes(data)
            paths.append(path)
        report = import_files(
            registry, paths, actor=Actor.cli("fuzz"), reason="fuzz", limits=LIMITS
        )  # must not raise
    if report.ok:
        snapshot = Registry(fuzz_engine).snapshot()
        known = KnownIds({kind: set(snapshot.records(kind)) for kind in KINDS.names()})
        records = [r for kind in KINDS.names() for r in snapshot.records(kind).values()]
        assert [p for p in validate_records(records, known) if p.field != "municipality_code"] == []
        return
    assert _digest(fuzz_engine) == before  # nothing written
    for problem in report.problems:
        assert problem.message.strip() and "\n" not in problem.message and "Traceback" not in problem.message
        assert problem.file in {p.name for p in paths} or problem.file == ""
