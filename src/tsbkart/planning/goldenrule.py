"""The golden-rule monitor: growth per sector, region (or trust) and year, and whether the rule holds.

Input: yearly series in the shipped series format (``data/goldenrule.csv``; docs/planning.md, "Golden-rule
file"): area_level, area_code_or_name, year, measure, sector, value, unit, source, note. Growth (%) is computed
only within one series (same area, measure, sector, unit and source) between consecutive years, or taken from
rows the source publishes as one-year growth (``*_growth*``, unit "percent change YYYY-YYYY..."). A compared
sector's growth is set against somatic growth for the same area, year, measure and unit (same source preferred).

    result = golden_rule(load_series("goldenrule"))
    # area_level area year group measure unit sector growth somatic_growth holds rule basis source
    # somatic_source verified
    rule_matrix(result, "costs", "TSB")   # area x year: True / False / NaN (gap)

``holds`` is True/False, or missing where either growth is missing (a gap stays a gap). Rows whose note says
"NOT re-read" are ``verified = False``; ``include_unverified=False`` leaves them out before anything is computed.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from tsbkart.planning.series import NOT_REREAD

__all__ = [
    "COLUMNS",
    "GoldenRuleImportError",
    "golden_rule",
    "read_golden_rule_series",
    "rule_config",
    "rule_matrix",
]

COLUMNS = ("area_level", "area_code_or_name", "year", "measure", "sector", "value", "unit", "source", "note")
SERIES_KEY = ["area_level", "area_code_or_name", "measure", "sector", "unit", "source"]
PAIR_KEY = ["area_level", "area_code_or_name", "year", "group", "measure", "unit"]


class GoldenRuleImportError(ValueError):
    """Bad golden-rule series file: names the file, the line and the field."""

    def __init__(self, file: str, line: int | None, field: str | None, message: str) -> None:
        parts = (file, f"line {line}" if line else "", f"field {field!r}" if field else "")
        super().__init__(f"{', '.join(p for p in parts if p)}: {message}")
        self.file, self.line, self.field = file, line, field


@cache
def rule_config() -> dict[str, Any]:
    text = (resources.files("tsbkart.planning") / "data" / "goldenrule.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _group_of(kind: str) -> dict[str, str]:
    return {m: g for g, spec in rule_config()["groups"].items() for m in spec[kind]}


def _level_growth(series: pd.DataFrame) -> pd.DataFrame:
    levels = series[series["measure"].isin(_group_of("levels"))].sort_values([*SERIES_KEY, "year"])
    previous = levels.groupby(SERIES_KEY, sort=False)[["year", "value", "verified"]].shift(1)
    consecutive = previous["year"] == levels["year"] - 1
    growth = (levels["value"] / previous["value"] - 1.0) * 100
    out = levels.assign(
        growth=growth.where(consecutive & (previous["value"] > 0)),
        verified=levels["verified"] & previous["verified"].fillna(True).astype(bool),
        basis="computed from levels",
    )
    return out[out["growth"].notna()]


def _published_growth(series: pd.DataFrame) -> pd.DataFrame:
    rows = series[series["measure"].isin(_group_of("growth"))]
    span = rows["unit"].str.extract(r"percent change (\d{4})\s*-\s*(\d{4})")
    one_year = (span[1].astype(float) - span[0].astype(float) == 1) & (span[1].astype(float) == rows["year"])
    basis = rows["unit"].str.replace(r"percent change \d{4}\s*-\s*\d{4},?\s*", "", regex=True)
    out = rows.assign(
        growth=rows["value"], basis="published growth", unit=basis.where(basis != "", "percent change")
    )
    return out[one_year.fillna(False)]


def _growth(series: pd.DataFrame) -> pd.DataFrame:
    levels, published = _level_growth(series), _published_growth(series)
    groups = {**_group_of("levels"), **_group_of("growth")}
    both = pd.concat([levels, published], ignore_index=True)
    return both.assign(group=both["measure"].map(groups))


def golden_rule(series: pd.DataFrame, include_unverified: bool = True) -> pd.DataFrame:
    """One row per compared sector and pair key with its growth, somatic growth and whether the rule holds."""
    config = rule_config()
    data = series if include_unverified else series[series["verified"]]
    growth = _growth(data)
    somatic = growth[growth["sector"] == config["reference_sector"]].sort_values("source")
    compared = growth[growth["sector"].isin(config["compared_sectors"])]
    reference = somatic[[*PAIR_KEY, "growth", "source", "verified"]].rename(
        columns={"growth": "somatic_growth", "source": "somatic_source", "verified": "somatic_verified"}
    )
    merged = compared.merge(reference, on=PAIR_KEY, how="left")
    merged["same_source"] = merged["source"] == merged["somatic_source"]
    merged = merged.sort_values([*PAIR_KEY, "sector", "source", "same_source"], ascending=True, kind="stable")
    merged = merged.drop_duplicates([*PAIR_KEY, "sector", "source"], keep="last")
    rules = merged["group"].map({g: s["rule"] for g, s in config["groups"].items()})
    above = merged["growth"] > merged["somatic_growth"]
    below = merged["growth"] < merged["somatic_growth"]
    holds = pd.Series(np.where(rules == "larger_fall", below, above), index=merged.index, dtype="boolean")
    merged["holds"] = holds.mask(merged["somatic_growth"].isna())
    merged["rule"] = rules
    merged["verified"] = merged["verified"] & merged["somatic_verified"].fillna(True).astype(bool)
    merged = pd.concat([merged, _verdicts(data)], ignore_index=True)
    columns = [
        *PAIR_KEY,
        "sector",
        "growth",
        "somatic_growth",
        "holds",
        "rule",
        "basis",
        "source",
        "somatic_source",
        "verified",
    ]
    return merged[columns].rename(columns={"area_code_or_name": "area"}).reset_index(drop=True)


def _verdicts(series: pd.DataFrame) -> pd.DataFrame:
    """Published verdicts (1/0) as rows with ``holds`` and no growth figures."""
    config = rule_config()
    groups = config.get("verdicts", {})
    rows = series[series["measure"].isin(groups) & series["sector"].isin(config["compared_sectors"])]
    return rows.assign(
        group=rows["measure"].map(groups),
        holds=(rows["value"] == 1).astype("boolean"),
        rule=rows["measure"].map(groups).map({g: s["rule"] for g, s in config["groups"].items()}),
        basis="published verdict",
        growth=np.nan,
        somatic_growth=np.nan,
        somatic_source=rows["source"],
    )


def rule_matrix(result: pd.DataFrame, group: str, sector: str, area_level: str = "RHF") -> pd.DataFrame:
    """Area x year: True (holds on every comparison), False (fails on any), missing (no comparison: a gap)."""
    rows = result[
        (result["group"] == group) & (result["sector"] == sector) & (result["area_level"] == area_level)
    ]
    rows = rows[rows["holds"].notna()]
    if rows.empty:
        return pd.DataFrame()
    cells = rows.groupby(["area", "year"])["holds"].agg(lambda h: bool(h.all()))
    years = range(int(rows["year"].min()), int(rows["year"].max()) + 1)
    return cells.unstack("year").reindex(columns=years).astype("boolean")  # years without any pair: gaps


def _fail(name: str, rows: pd.DataFrame, bad: pd.Series, field: str, message: str) -> None:
    if bool(bad.any()):
        row = rows.loc[bad[bad].index[0]]
        raise GoldenRuleImportError(name, int(row["_line"]), field, message.format(value=row.get(field, "")))


def read_golden_rule_series(path: Path) -> pd.DataFrame:
    """Read a user's series file (UTF-8 CSV with ``COLUMNS``; note optional) and validate it."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as problem:
        raise GoldenRuleImportError(
            path.name, None, None, f"cannot read it as UTF-8 text ({problem})"
        ) from problem
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    if "note" not in frame.columns:
        frame["note"] = ""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise GoldenRuleImportError(
            path.name, 1, missing[0], f"column missing (needed: {', '.join(COLUMNS)})"
        )
    frame["_line"] = np.arange(len(frame)) + 2
    config = rule_config()
    sectors = {config["reference_sector"], *config["compared_sectors"]}
    measures = {**_group_of("levels"), **_group_of("growth")}
    _fail(
        path.name,
        frame,
        ~frame["area_level"].isin(config["area_levels"]),
        "area_level",
        f"{{value!r}} is not one of {', '.join(config['area_levels'])}",
    )
    _fail(path.name, frame, frame["area_code_or_name"].str.strip() == "", "area_code_or_name", "empty area")
    year = pd.to_numeric(frame["year"], errors="coerce")
    _fail(path.name, frame, year.isna() | (year % 1 != 0), "year", "{value!r} is not a year")
    _fail(
        path.name,
        frame,
        ~frame["sector"].isin(sectors),
        "sector",
        f"{{value!r}} is not one of {', '.join(sorted(sectors))}",
    )
    _fail(
        path.name,
        frame,
        ~frame["measure"].isin(measures),
        "measure",
        "{value!r} is not a golden-rule measure (docs/planning.md)",
    )
    value = pd.to_numeric(frame["value"].str.replace(",", ".", regex=False), errors="coerce")
    _fail(path.name, frame, value.isna(), "value", "{value!r} is not a number")
    _fail(path.name, frame, frame["source"].str.strip() == "", "source", "every figure needs its source")
    _fail(
        path.name,
        frame,
        frame.duplicated(["area_level", "area_code_or_name", "year", "measure", "sector", "unit", "source"]),
        "year",
        "the same figure appears twice ({value})",
    )
    out = frame.assign(year=year.astype(int), value=value)
    out["verified"] = ~out["note"].str.contains(NOT_REREAD, regex=False)
    return out.drop(columns="_line")
