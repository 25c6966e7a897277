"""Atlas indicators: the registry of definitions (``indicators.yaml``) and their values per catchment area.

Shape, by example::

    definition = indicator("beds_per_10k")     # Indicator(id=..., kind="capacity", title={"nb":..., "en":...})
    table = indicator_table(snapshot, "beds_per_10k", population=load_population(2026))
    table.rows
    #   code      name                                   region_code  value  ci_low  ci_high  population  events  note
    #   akershus  Akershus universitetssykehus HF        helse-sor-ost 3.1   NaN     NaN      501793      NaN     "2 units with unknown beds"

One row per catchment area (all 21, sorted by name); ``value`` is NaN when it cannot be computed (unknown,
never zero). ``table.national`` is the value for Norway as a whole, when defined.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from tsbkart.atlas.access import (
    accessibility,
    accessibility_by_area,
    nearest_distance,
    share_within_by_area,
    supply_points,
)
from tsbkart.atlas.coverage import capacity
from tsbkart.atlas.demand import demand_points
from tsbkart.registry.areas import resolve_area
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.yaml_schema import validate

__all__ = [
    "HELSEATLAS_FILE",
    "Indicator",
    "IndicatorFile",
    "IndicatorTable",
    "TrendEntry",
    "indicator",
    "indicator_file",
    "indicator_table",
    "indicators",
    "load_helseatlas",
    "parse_indicator_file",
    "trend_indicators",
]

IndicatorKind = Literal["capacity", "access_share", "fca", "helseatlas"]
KINDS: tuple[str, ...] = get_args(IndicatorKind)
HELSEATLAS_FILE = "helseatlas_bup_rus_2019_2023.csv"
ROW_COLUMNS = ["code", "name", "region_code", "value", "ci_low", "ci_high", "population", "events", "note"]


@dataclass(frozen=True, slots=True)
class Indicator:
    """One atlas indicator as defined in ``indicators.yaml``; ``title`` etc. are ``{"nb": ..., "en": ...}``."""

    id: str
    kind: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    unit: Mapping[str, str]
    source: str
    method: str
    params: Mapping[str, Any] = field(default_factory=dict)
    caveat: Mapping[str, str] | None = None

    def text(self, name: str, language: str) -> str:
        values: Mapping[str, str] = getattr(self, name)
        return values.get(language) or values["nb"]


@dataclass(frozen=True)
class IndicatorTable:
    """An indicator's values per catchment area (``rows``, columns ``ROW_COLUMNS``) and nationally."""

    indicator: Indicator
    rows: pd.DataFrame
    national: float | None
    notes: tuple[str, ...] = ()


def _data_path(name: str) -> Path:
    return Path(str(resources.files("tsbkart.atlas") / name))


class Texts(BaseModel):
    """A text in bokmål and English."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nb: str = Field(min_length=1)
    en: str = Field(min_length=1)


class IndicatorEntry(BaseModel):
    """One entry of ``indicators:``; keys beyond these are the kind's parameters (service, threshold, ...)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(min_length=1)
    kind: IndicatorKind
    title: Texts
    description: Texts
    unit: Texts
    source: str = Field(min_length=1)
    method: str = Field(min_length=1)
    caveat: Texts | None = None


class TrendEntry(BaseModel):
    """One entry of ``trends.indicators`` (computed by ``tsbkart.planning.trends``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    kind: Literal["lar_trusts", "basic_services", "capacity", "verified_share"]
    title: Texts
    description: Texts
    unit: Texts
    source: str = Field(min_length=1)
    method: str = Field(min_length=1)
    service_types: tuple[str, ...] = ()

    def text(self, name: str, language: str) -> str:
        texts: Texts = getattr(self, name)
        return texts.en if language == "en" else texts.nb


class TrendSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    first_year: int = Field(ge=1990, le=2100)
    indicators: tuple[TrendEntry, ...] = Field(min_length=1)


class IndicatorFile(BaseModel):
    """``indicators.yaml``: the atlas indicators and the trend indicators; ids unique within each list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    indicators: tuple[IndicatorEntry, ...] = Field(min_length=1)
    trends: TrendSection

    @model_validator(mode="after")
    def _unique_ids(self) -> IndicatorFile:
        for name, entries in (("indicators", self.indicators), ("trends", self.trends.indicators)):
            ids = [e.id for e in entries]
            doubled = sorted({i for i in ids if ids.count(i) > 1})
            if doubled:
                raise ValueError(f"{name}: id {doubled[0]!r} is declared twice")
        return self


def parse_indicator_file(document: object, origin: str = "indicators.yaml") -> IndicatorFile:
    """Validate a parsed ``indicators.yaml``; a problem raises ``DataFileError`` naming the file and entry."""
    return validate(IndicatorFile, document, origin)


@cache
def indicator_file() -> IndicatorFile:
    path = _data_path("indicators.yaml")
    return parse_indicator_file(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


@cache
def indicators() -> tuple[Indicator, ...]:
    """Every atlas indicator, in file order. Raises DataFileError naming the entry and field on a bad file."""
    common = {"id", "kind", "title", "description", "unit", "source", "method", "caveat"}
    return tuple(
        Indicator(
            id=entry.id,
            kind=entry.kind,
            title=entry.title.model_dump(),
            description=entry.description.model_dump(),
            unit=entry.unit.model_dump(),
            source=entry.source,
            method=entry.method,
            params={k: v for k, v in (entry.model_extra or {}).items() if k not in common},
            caveat=entry.caveat.model_dump() if entry.caveat else None,
        )
        for entry in indicator_file().indicators
    )


def trend_indicators() -> tuple[TrendEntry, ...]:
    """The trend indicators of ``indicators.yaml``, in file order."""
    return indicator_file().trends.indicators


def indicator(indicator_id: str) -> Indicator | None:
    """The indicator with this id, or None."""
    return next((i for i in indicators() if i.id == indicator_id), None)


@cache
def load_helseatlas() -> pd.DataFrame:
    """The shipped SKDE Helseatlas extract (see ``data/helseatlas_bup_rus_2019_2023.csv.source.md``)."""
    return pd.read_csv(_data_path("data") / HELSEATLAS_FILE, dtype={"area": str, "indicator": str})


def _catchment_frame(snapshot: RegistrySnapshot) -> pd.DataFrame:
    catchments = sorted(snapshot.geography.catchments.values(), key=lambda c: c.name)
    return pd.DataFrame(
        {
            "code": [c.code for c in catchments],
            "name": [c.name for c in catchments],
            "region_code": [c.region_code for c in catchments],
        }
    )


def _finish(base: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    rows = base.merge(values, on="code", how="left")
    for column in ROW_COLUMNS:
        if column not in rows.columns:
            rows[column] = np.nan if column != "note" else ""
    rows["note"] = rows["note"].fillna("")
    return rows[ROW_COLUMNS]


def _capacity_rows(snapshot: RegistrySnapshot, population: pd.DataFrame) -> tuple[pd.DataFrame, float | None]:
    records = []
    total_beds = 0
    total_adults = 0
    for code in snapshot.geography.catchments:
        area = resolve_area(snapshot.geography, "hf", code)
        assert area is not None  # the code comes from the geography itself
        cap = capacity(snapshot, area, population)
        total_beds += cap.beds
        total_adults += cap.adults or 0
        note = f"{cap.beds_unknown_units} inpatient units with unknown beds" if cap.beds_unknown_units else ""
        records.append(
            {
                "code": code,
                "value": np.nan if cap.beds_per_10k is None else cap.beds_per_10k,
                "population": cap.adults,
                "events": cap.beds,
                "note": note,
            }
        )
    national = total_beds * 10_000 / total_adults if total_adults else None
    return pd.DataFrame(records), national


def _share_rows(
    snapshot: RegistrySnapshot, population: pd.DataFrame, definition: Indicator
) -> tuple[pd.DataFrame, float | None]:
    demand = demand_points(snapshot.geography, population)
    supply = supply_points(snapshot, str(definition.params["service"]))
    nearest = nearest_distance(demand, supply)
    threshold = float(definition.params["threshold"])
    shares = share_within_by_area(nearest, "catchment", (threshold,))
    nation = share_within_by_area(nearest, "nation", (threshold,))
    values = pd.DataFrame(
        {"code": shares["area_code"], "value": 100.0 * shares["share"], "population": shares["population"]}
    )
    national = float(100.0 * nation["share"].iloc[0]) if len(nation) else None
    return values, national


def _fca_rows(
    snapshot: RegistrySnapshot, population: pd.DataFrame, definition: Indicator
) -> tuple[pd.DataFrame, float | None, tuple[str, ...]]:
    demand = demand_points(snapshot.geography, population)
    supply = supply_points(snapshot, str(definition.params["service"]), weight="beds")
    points = accessibility(demand, supply, cutoff=float(definition.params["cutoff"]))
    by_area = accessibility_by_area(points, "catchment")
    nation = accessibility_by_area(points, "nation")
    values = pd.DataFrame(
        {
            "code": by_area["area_code"],
            "value": by_area["access_per_10k"],
            "population": by_area["population"],
        }
    )
    unknown = int(points.attrs["unknown_weight_units"])
    notes = (
        (f"{unknown} of {len(supply)} supply units have unknown beds and are left out",) if unknown else ()
    )
    national = float(nation["access_per_10k"].iloc[0]) if len(nation) else None
    return values, national, notes


def _helseatlas_rows(snapshot: RegistrySnapshot, definition: Indicator) -> tuple[pd.DataFrame, float | None]:
    data = load_helseatlas()
    data = data[data["indicator"] == definition.params["column"]]
    code_of = {c.short_name: c.code for c in snapshot.geography.catchments.values()}
    national_rows = data[data["area"] == "Noreg"]
    areas = data[data["area"].isin(code_of)]
    values = pd.DataFrame(
        {
            "code": areas["area"].map(code_of),
            "value": areas["Snitt_rate"],
            "ci_low": areas["lowercl"],
            "ci_high": areas["uppercl"],
            "population": areas["Innbyggarar"],
            "events": areas["Tal_pas"],
        }
    )
    national = float(national_rows["Snitt_rate"].iloc[0]) if len(national_rows) else None
    return values, national


def indicator_table(
    snapshot: RegistrySnapshot, indicator_id: str, population: pd.DataFrame
) -> IndicatorTable:
    """Values of one indicator per catchment area. ``population``: one year of ``load_population``.

    Raises KeyError for an unknown indicator id.
    """
    definition = indicator(indicator_id)
    if definition is None:
        raise KeyError(indicator_id)
    notes: tuple[str, ...] = ()
    if definition.kind == "capacity":
        values, national = _capacity_rows(snapshot, population)
    elif definition.kind == "access_share":
        values, national = _share_rows(snapshot, population, definition)
    elif definition.kind == "fca":
        values, national, notes = _fca_rows(snapshot, population, definition)
    else:
        values, national = _helseatlas_rows(snapshot, definition)
    return IndicatorTable(definition, _finish(_catchment_frame(snapshot), values), national, notes)
