"""Population by municipality/bydel, single year of age (90 = 90+) and sex, 1 January 2010-2026 (SSB via FHI)."""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd

from tsbkart.reference.files import data_path

COLUMNS = ("year", "level", "code", "sex", "age", "population")


_DTYPES: dict[str, Any] = {
    "year": "int16",
    "level": "category",
    "code": str,
    "sex": "category",
    "age": "int8",
    "population": "int32",
}


@cache
def _load() -> pd.DataFrame:
    frame = pd.read_csv(
        data_path("population_age_sex.csv.gz"),
        dtype=_DTYPES,
    )
    return frame[list(COLUMNS)]


def load_population(year: int | None = None) -> pd.DataFrame:
    """Columns year, level ('kommune' | 'bydel'), code, sex ('female' | 'male'), age, population.

    Kommune rows cover the whole country (Oslo as 0301); bydel rows split Oslo (residents without a
    registered bydel are only in 0301). Do not add the two levels together.
    """
    frame = _load()
    if year is not None:
        frame = frame[frame["year"] == year]
    return frame.copy()


@cache
def latest_population() -> pd.DataFrame:
    """Population rows of the latest bundled year (1 January), loaded once per process; do not mutate."""
    frame = _load()
    latest: pd.DataFrame = frame[frame["year"] == frame["year"].max()].reset_index(drop=True)
    return latest
