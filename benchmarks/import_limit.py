"""The row limit on a maximal XLSX sheet: how fast `tsbkart import` refuses Excel's largest sheet, 1,048,576 rows.

Everything here is SYNTHETIC (ids "synthetic-...", source "synthetic benchmark data"). The workbook is written
as raw XML into a zip (openpyxl would take minutes to write it): one `tilbud` sheet with the header and
1,048,576 - 1 offer rows of inline strings. Two forms of the same sheet:

- with its `<dimension ref="A1:D1048576">`, as Excel writes it: the importer refuses it from the stated size
  before reading a row;
- without a dimension (as some tools write it): the importer reads rows until the limit is passed
  (TSBKART_IMPORT_MAX_ROWS, default 500,000) and stops there.

The baseline (the peer) is what a naive reader does: openpyxl's read-only mode iterating every row of the
sheet, which is what the importer did before it had a row limit. Prints time and peak memory (max RSS of a
child process per case) and the ratios, and last ``RESULT import_limit_refusal_ratio <value> ratio``: the
time to refuse the undimensioned sheet over the time to read it all (lower is better; the dimensioned sheet
is refused in well under a second).

    python benchmarks/import_limit.py [--rows 1048576]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
import zipfile
from pathlib import Path

SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>'
)
PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="tilbud" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}
HEADER = ("id", "unit_id", "service_type", "source")


def _row(number: int, cells: tuple[str, ...]) -> str:
    inner = "".join(
        f'<c r="{"ABCD"[i]}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(cells)
    )
    return f'<row r="{number}">{inner}</row>'


def write_sheet(path: Path, rows: int, dimension: bool) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            dim = f'<dimension ref="A1:D{rows}"/>' if dimension else ""
            sheet.write(SHEET_START.format(dimension=dim).encode())
            sheet.write(_row(1, HEADER).encode())
            chunk: list[str] = []
            for number in range(2, rows + 1):
                chunk.append(
                    _row(
                        number,
                        (f"synthetic-u/{number}", "synthetic-u", "poliklinikk", "synthetic benchmark data"),
                    )
                )
                if len(chunk) == 10_000:
                    sheet.write("".join(chunk).encode())
                    chunk = []
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())


def _tsbkart(path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from tsbkart.exchange.tabular import read_file

    start = time.perf_counter()
    rows, problems = read_file(Path(path))
    seconds = time.perf_counter() - start
    queue.put((seconds, len(rows), problems[0].message if problems else "no problem"))


def _openpyxl(path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from openpyxl import load_workbook

    start = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    queue.put((time.perf_counter() - start, len(rows), "read every row"))


def measure(target: object, path: Path) -> tuple[float, int, str, float]:
    """(seconds, rows, outcome, peak MiB) of ``target`` run in a fresh child process."""
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    child = multiprocessing.get_context("fork").Process(target=target, args=(str(path), queue))
    child.start()
    seconds, rows, outcome = queue.get()
    child.join()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, rows, outcome, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_048_576)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        stated, bare = Path(folder) / "tilbud.xlsx", Path(folder) / "offers.xlsx"
        start = time.perf_counter()
        write_sheet(stated, args.rows, dimension=True)
        write_sheet(bare, args.rows, dimension=False)
        print(
            f"synthetic XLSX sheets of {args.rows:,} rows written in {time.perf_counter() - start:.1f} s "
            f"({stated.stat().st_size / 1e6:.1f} MB each)"
        )
        # Max RSS of children only grows: measure the smallest first so each peak is its own.
        refused_stated = measure(_tsbkart, stated)
        refused_bare = measure(_tsbkart, bare)
        baseline = measure(_openpyxl, bare)
    for label, (seconds, rows, outcome, peak) in (
        ("tsbkart, dimension stated", refused_stated),
        ("tsbkart, no dimension", refused_bare),
        ("openpyxl reads every row (baseline)", baseline),
    ):
        print(f"{label}: {seconds:.2f} s, {rows:,} rows kept, peak RSS so far {peak:.0f} MiB: {outcome[:90]}")
    ratio = refused_bare[0] / baseline[0]
    print(
        f"ratio refusal (no dimension) / full read: {ratio:.3f}; dimension stated / full read: "
        f"{refused_stated[0] / baseline[0]:.4f}"
    )
    print(f"RESULT import_limit_refusal_ratio {ratio:.3f} ratio")


if __name__ == "__main__":
    main()
