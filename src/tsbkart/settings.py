"""Typed settings, read once from the environment (prefix ``TSBKART_``) and never mutated afterwards.

Example::

    TSBKART_DATABASE_URL=postgresql+psycopg://user:pw@127.0.0.1:5432/tsbkart tsbkart serve
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The embedded default lives in the working directory, so `make run` on a fresh clone needs no set-up.
DEFAULT_SQLITE_PATH = Path("var") / "tsbkart.sqlite"


class Settings(BaseSettings):
    """Everything configurable about a tsbkart process."""

    model_config = SettingsConfigDict(env_prefix="TSBKART_", frozen=True, extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        description="SQLAlchemy URL; SQLite file by default, PostgreSQL with postgresql+psycopg://...",
    )
    tile_url: str | None = Field(
        default=None,
        description="Optional XYZ tile URL template for the map background; off by default (works offline).",
    )
    tile_attribution: str = Field(default="", description="Attribution shown for the tile layer.")
    default_language: str = Field(default="nb", description="UI language when the user has not chosen one.")
    max_request_bytes: int = Field(default=2_000_000, description="Largest request body the server accepts.")
    # Import limits (docs/import-export.md), checked before a file is parsed.
    import_max_file_bytes: int = Field(
        default=200_000_000, gt=0, description="Largest CSV or XLSX file `tsbkart import` reads (bytes)."
    )
    import_max_rows: int = Field(
        default=500_000, gt=0, description="Most data rows in one CSV file or one XLSX sheet."
    )
    import_max_cell_chars: int = Field(
        default=32_767,
        gt=0,
        le=131_072,
        description="Longest cell in characters (Excel's own limit by default).",
    )
    import_max_unzipped_bytes: int = Field(
        default=1_000_000_000,
        gt=0,
        description="Largest total size of an XLSX file's parts once decompressed (bytes); stops zip bombs.",
    )

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("nb", "en"):
            raise ValueError("default_language must be 'nb' or 'en'")
        return value
