"""Where the bundled reference files are, and small readers for them."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    """Path of a bundled reference file, e.g. ``data_path("kommuner_2024.csv")``."""
    return Path(str(resources.files("tsbkart.reference") / "data" / name))


def read_csv(name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a bundled CSV as (line number, row) so errors can name the line."""
    with data_path(name).open(encoding="utf-8", newline="") as handle:
        yield from enumerate(csv.DictReader(handle), start=2)
