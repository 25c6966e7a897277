"""Base-year use per area, sex and age group: the documented CSV format, its validating importer, and the
bundled example (national rates applied to every area).

CSV columns (docs/planning.md, "Usage file"): ``area_code, year, sex, age_group`` and one column per measure
(``patients, outpatient_consultations, bed_days, stays``; an empty cell is unknown, never 0). ``area_code`` is a
small-area code (kommune or Oslo bydel), a catchment code (``unn``), a region code (``helse-nord``) or ``norge``;
all rows on one level. ``sex`` is ``female``, ``male`` or ``both``; ``age_group`` is ``18-29`` or ``80+``
(groups above 89 must be open, e.g. ``90+``). Shape::

    usage = read_usage(Path("use.csv"), hierarchy)
    usage.level     # "catchment"
    usage.rows      # area_code, year, sex, age_group, age_min, age_max, line, patients, ... (one row per line)
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tsbkart.planning.areas import TOP_AGE, Hierarchy, Level
from tsbkart.planning.capacity_settings import capacity_config, measure_ids
from tsbkart.planning.series import national_value

__all__ = ["KEYS", "Usage", "UsageImportError", "example_usage", "read_usage", "usage_csv"]

KEYS = ("area_code", "year", "sex", "age_group")
SEX_VALUES = ("female", "male", "both")
NATION_CODE = "norge"


class UsageImportError(ValueError):
    """Bad usage file: names the file, the row (CSV line) and the field."""

    def __init__(self, file: str, line: int | None, field: str | None, message: str) -> None:
        parts = (file, f"line {line}" if line else "", f"field {field!r}" if field else "")
        super().__init__(f"{', '.join(p for p in parts if p)}: {message}")
        self.file, self.line, self.field = file, line, field


@dataclass(frozen=True)
class Usage:
    rows: pd.DataFrame
    level: Level
    origin: str
    label: Mapping[str, str] = field(default_factory=dict)
    caveats: tuple[Mapping[str, str], ...] = ()  # each {"nb": ..., "en": ...}

    @property
    def is_national_example(self) -> bool:
        return bool(self.label)

    def describe(self, language: str = "en") -> str:
        return self.label.get(language, self.label.get("en", "")) if self.label else self.origin


def _fail(name: str, rows: pd.DataFrame, bad: pd.Series, field: str, message: str) -> None:
    if bool(bad.any()):
        row = rows.loc[bad[bad].index[0]]
        value = row.get(field, "")
        raise UsageImportError(name, int(row["line"]), field, message.format(value=value))


def _levels(hierarchy: Hierarchy) -> dict[str, Level]:
    levels: dict[str, Level] = {NATION_CODE: "nation"}
    for level in ("region", "catchment", "unit"):
        levels.update(dict.fromkeys(hierarchy.codes(level), level))
    return levels


def _age_bounds(rows: pd.DataFrame, name: str) -> pd.DataFrame:
    text = rows["age_group"].str.strip()
    parts = text.str.extract(r"^(\d{1,3})(?:-(\d{1,3})|(\+))$")
    _fail(name, rows, parts[0].isna(), "age_group", "age group {value!r} is not like '18-29' or '80+'")
    low = parts[0].astype(int)
    high = parts[1].astype(float).where(parts[2].isna(), float(TOP_AGE))
    _fail(name, rows, high < low, "age_group", "age group {value!r} ends before it starts")
    _fail(
        name,
        rows,
        (high >= TOP_AGE) & parts[2].isna(),
        "age_group",
        "{value!r}: ages 90 and over are one group; end it with '+'",
    )
    _fail(name, rows, low > TOP_AGE, "age_group", "{value!r} starts above 90")
    return rows.assign(age_min=low, age_max=high.astype(int))


def _check_overlaps(rows: pd.DataFrame, name: str) -> None:
    """Groups of one area must not overlap (a 'both' row overlaps any row of the same ages)."""
    ages = np.arange(TOP_AGE + 1)
    mask = (ages >= rows["age_min"].to_numpy()[:, None]) & (ages <= rows["age_max"].to_numpy()[:, None])
    for sex in ("female", "male"):
        applies = rows["sex"].isin([sex, "both"]).to_numpy()
        cells = pd.DataFrame(mask & applies[:, None], index=rows.index)
        cover = cells.groupby(rows["area_code"]).cumsum()
        overlap = pd.Series((cover.to_numpy() > 1).any(axis=1) & applies, index=rows.index)
        _fail(name, rows, overlap, "age_group", "{value!r} overlaps another row of the same area and sex")


def _validate(frame: pd.DataFrame, name: str, hierarchy: Hierarchy, years: tuple[int, ...]) -> Usage:
    missing = [c for c in (*KEYS, *measure_ids()) if c not in frame.columns]
    if missing:
        raise UsageImportError(
            name, 1, missing[0], f"column missing (needed: {', '.join((*KEYS, *measure_ids()))})"
        )
    rows = frame.assign(line=np.arange(len(frame)) + 2)
    if rows.empty:
        raise UsageImportError(name, None, None, "no data rows")
    for column in KEYS:
        rows[column] = rows[column].astype(str).str.strip()
    levels = _levels(hierarchy)
    _fail(
        name,
        rows,
        ~rows["area_code"].isin(levels),
        "area_code",
        "unknown area {value!r} (kommune, bydel, catchment, region or 'norge')",
    )
    level_of = rows["area_code"].map(levels)
    _fail(
        name,
        rows,
        level_of != level_of.iloc[0],
        "area_code",
        "{value!r} is on another level than the first row",
    )
    year = pd.to_numeric(rows["year"], errors="coerce")
    _fail(
        name,
        rows,
        ~year.isin(years),
        "year",
        f"year {{value!r}} has no bundled population ({years[0]}-{years[-1]})",
    )
    _fail(name, rows, ~rows["sex"].isin(SEX_VALUES), "sex", "sex {value!r} is not female, male or both")
    rows = _age_bounds(rows.assign(year=year.astype("Int64")), name)
    for measure in measure_ids():
        text = rows[measure].astype(str).str.strip()
        number = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        _fail(
            name,
            rows,
            (text != "") & (number.isna() | (number < 0)),
            measure,
            "{value!r} is not a number >= 0",
        )
        rows[measure] = number.where(text != "")
    _fail(
        name,
        rows,
        rows.duplicated(["area_code", "sex", "age_group"]),
        "age_group",
        "{value!r} appears twice for this area and sex",
    )
    _check_overlaps(rows, name)
    return Usage(rows.astype({"year": int}), level_of.iloc[0], name)


def read_usage(path: Path, hierarchy: Hierarchy, years: tuple[int, ...]) -> Usage:
    """Read and validate a usage CSV (UTF-8, comma- or semicolon-separated); ``years`` with population."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as problem:
        raise UsageImportError(
            path.name, None, None, f"cannot read it as UTF-8 text ({problem})"
        ) from problem
    first = text.splitlines()[0] if text else ""
    sep = ";" if first.count(";") > first.count(",") else ","
    frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    return _validate(frame, path.name, hierarchy, years)


def _example_frame() -> pd.DataFrame:
    config = capacity_config()["example_usage"]
    rows = []
    for sex in ("female", "male"):
        row: dict[str, object] = {
            "area_code": NATION_CODE,
            "year": config["year"],
            "sex": sex,
            "age_group": config["age_group"],
        }
        for measure, ref in config["counts"].items():
            count = float(national_value(ref["measure"], int(ref["year"]))["value"])
            share_ref = config["women_share"][measure]
            share = float(national_value(share_ref["measure"], int(share_ref["year"]))["value"]) / 100
            women = 1.0 - share if share_ref.get("complement") else share
            row[measure] = f"{count * (women if sex == 'female' else 1.0 - women):.1f}"
        rows.append(row)
    return pd.DataFrame(rows).astype(str)


def example_usage(hierarchy: Hierarchy, years: tuple[int, ...]) -> Usage:
    """The bundled example: national counts split by sex (``capacity.yaml``); national rates, every area."""
    config = capacity_config()["example_usage"]
    usage = _validate(_example_frame(), "example (capacity.yaml)", hierarchy, years)
    return Usage(
        usage.rows,
        usage.level,
        usage.origin,
        label={str(k): str(v) for k, v in config["label"].items()},
        caveats=tuple({str(k): str(v) for k, v in c.items()} for c in config["caveats"]),
    )


def usage_csv(usage: Usage) -> str:
    """The usage rows in the documented CSV format (what ``read_usage`` reads back)."""
    return usage.rows[[*KEYS, *measure_ids()]].to_csv(index=False, lineterminator="\n")
