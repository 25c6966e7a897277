"""The import's size limits, from the settings (``TSBKART_IMPORT_*``; defaults in ``tsbkart/settings.py``).

They are checked before a file is parsed (file size; an XLSX file's decompressed size and its sheets' stated
row counts) and while it is read (rows, cell length), so a hostile or mistaken file costs little::

    limits = ImportLimits.from_settings(Settings())
    limits.max_rows          # 500000
"""

from __future__ import annotations

from dataclasses import dataclass

from tsbkart.settings import Settings


@dataclass(frozen=True, slots=True)
class ImportLimits:
    max_file_bytes: int
    max_rows: int  # data rows per CSV file or XLSX sheet
    max_cell_chars: int
    max_unzipped_bytes: int  # all parts of an XLSX file, decompressed

    @classmethod
    def from_settings(cls, settings: Settings) -> ImportLimits:
        return cls(
            settings.import_max_file_bytes,
            settings.import_max_rows,
            settings.import_max_cell_chars,
            settings.import_max_unzipped_bytes,
        )


def default_limits() -> ImportLimits:
    """The limits the environment sets (or the defaults)."""
    return ImportLimits.from_settings(Settings())
