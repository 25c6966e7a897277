"""Opening an XLSX file that may be hostile: the archive is checked before openpyxl parses anything.

An XLSX file is a zip archive of XML parts. Before parsing, ``check_archive`` refuses a file that is not a
zip archive, is corrupt or encrypted, is not a workbook, would decompress to more than the limit (a zip
bomb), or has an XML part with a document type declaration (Excel never writes one; entity definitions are
how "billion laughs" and XXE attacks work). openpyxl then parses with ``defusedxml`` (a dependency), which
refuses entities in any case. Every failure is one ``Message``, never an exception::

    check_archive(Path("bomb.xlsx"), limits)
    # Message("the workbook would decompress to {size} bytes, over the limit of {limit} ...")
"""

from __future__ import annotations

import warnings
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tsbkart.domain.messages import Message
from tsbkart.exchange.limits import ImportLimits

# Bytes of each XML part read to look for a DTD: a declaration can only come before the root element.
_PROLOGUE_BYTES = 64 * 1024
_XML_PARTS = (".xml", ".rels", ".vml")


class UnreadableWorkbook(ValueError):
    """openpyxl could not read the workbook; ``text`` says so in words."""

    def __init__(self, text: Message) -> None:
        super().__init__(str(text))
        self.text = text


def check_archive(path: Path, limits: ImportLimits) -> Message | None:
    """Why ``path`` must not be parsed, or None when it may be."""
    try:
        if not zipfile.is_zipfile(path):
            return Message("not an XLSX workbook (the file is not a zip archive); save it as .xlsx or .csv")
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            return _check_members(archive, infos, limits)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        RuntimeError,
    ) as error:
        return Message("the XLSX workbook is damaged and cannot be read ({error})", error=error)


def _check_members(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: ImportLimits
) -> Message | None:
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        return Message("the zip archive is not an Excel workbook (it has no xl/workbook.xml)")
    if any(info.flag_bits & 0x1 for info in infos):
        return Message("the workbook is encrypted or password-protected; save an unprotected copy")
    size = sum(info.file_size for info in infos)
    if size > limits.max_unzipped_bytes:
        return Message(
            "the workbook would decompress to {size} bytes, over the limit of {limit} bytes "
            "(TSBKART_IMPORT_MAX_UNZIPPED_BYTES)",
            size=size,
            limit=limits.max_unzipped_bytes,
        )
    for info in infos:
        if info.filename.lower().endswith(_XML_PARTS):
            with archive.open(info) as part:
                prologue = part.read(_PROLOGUE_BYTES)
            if b"<!DOCTYPE" in prologue or b"<!ENTITY" in prologue:
                return Message(
                    "the workbook's part {part} has an XML document type declaration, which Excel never "
                    "writes; refused because such declarations carry entity and external-reference attacks",
                    part=info.filename,
                )
    return None


@contextmanager
def reading(path: Path) -> Iterator[Any]:
    """openpyxl's read-only workbook of ``path``, closed afterwards; a failure to open it becomes
    ``UnreadableWorkbook``. Its rows are read lazily: wrap them in ``tabular.guarded``.

    openpyxl is a third-party parser fed a file we do not trust: whatever it raises (zlib, XML, KeyError for
    a missing part, ValueError for a bad cell) means the same thing to a steward. Its warnings (unsupported
    extensions, for example) are not the steward's business.
    """
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # see the docstring: a hostile file may make openpyxl raise anything
            raise UnreadableWorkbook(unreadable(error)) from error
        try:
            yield workbook
        finally:
            workbook.close()


def unreadable(error: BaseException) -> Message:
    """The message for anything openpyxl raised."""
    text = str(error).strip()
    detail = text.splitlines()[0][:200] if text else type(error).__name__
    return Message("the XLSX workbook cannot be read ({error})", error=detail)
