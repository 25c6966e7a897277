"""The public reference series shipped with the package (``data/goldenrule.csv``, ``tsb_activity.csv``,
``lar.csv``; each with its ``.source.md``; conventions in ``data/series_SOURCES.md``).

``load_series("tsb_activity")`` -> DataFrame with the file's columns (area_level, area_code_or_name, year,
measure, sector, value, unit, source, note) plus ``verified``: False where the note says "NOT re-read".
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

__all__ = ["SERIES", "SeriesLookupError", "load_series", "national_value"]

SERIES = ("goldenrule", "tsb_activity", "lar")
NOT_REREAD = "NOT re-read"


class SeriesLookupError(LookupError):
    """A value the code asked for is absent or ambiguous in a shipped series."""


@cache
def _load(name: str) -> pd.DataFrame:
    path = resources.files("tsbkart.planning") / "data" / f"{name}.csv"
    with path.open(encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype={"note": str, "unit": str, "source": str}, keep_default_na=False)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame["verified"] = ~frame["note"].str.contains(NOT_REREAD, regex=False)
    return frame


def load_series(name: str) -> pd.DataFrame:
    if name not in SERIES:
        raise ValueError(f"unknown series {name!r}; known: {', '.join(SERIES)}")
    return _load(name).copy()


def national_value(measure: str, year: int, series: str = "tsb_activity", sector: str = "TSB") -> pd.Series:
    """The one national row for ``measure`` in ``year`` (raises if there is none or more than one)."""
    frame = _load(series)
    rows = frame[
        (frame["area_level"] == "national")
        & (frame["measure"] == measure)
        & (frame["year"] == year)
        & (frame["sector"] == sector)
    ]
    if len(rows) != 1:
        raise SeriesLookupError(f"{series}.csv has {len(rows)} national rows for {measure} {year} ({sector})")
    return rows.iloc[0]
