"""Demand points: one point per municipality, Oslo as its city districts (bydeler), weighted by population.

Shape, by example (``demand_points(geography, load_population(2026))``)::

    code    name         kind     catchment_code  region_code  lat     lon     approximate  population
    0301xx  ...                                                                            (adults 18+)
    030101  Gamle Oslo   bydel    lovisenberg     helse-sor-ost 59.91  10.77  False        52000
    030108  Nordre Aker  bydel    ous             helse-sor-ost 59.91  10.75  True         44000
    5501    Tromsø       kommune  unn             helse-nord   69.65  18.96  False        62000

Oslo (0301) is replaced by its bydeler. A bydel without a representative point of its own (e.g. Nordre Aker
030108) uses Oslo's point and is flagged ``approximate``. Oslo residents not counted in any bydel row (kommune
0301 minus the sum of the bydel rows: Sentrum, Marka, no registered bydel) are placed on 030199 "Uoppgitt
bydel" at Oslo's point, also approximate, so the national total equals the kommune total. The two population
levels are never added for the same residents.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tsbkart.registry.snapshot import Geography
from tsbkart.vocab.loader import load_vocabularies

__all__ = ["ADULTS", "AgeBand", "age_band_of_target_group", "demand_points"]

OSLO = "0301"
OSLO_UNREGISTERED = "030199"
COLUMNS = (
    "code",
    "name",
    "kind",
    "catchment_code",
    "region_code",
    "lat",
    "lon",
    "approximate",
    "population",
)


@dataclass(frozen=True, slots=True)
class AgeBand:
    """Inclusive age band in whole years; ``age_max=None`` is open-ended."""

    age_min: int = 0
    age_max: int | None = None

    def label(self) -> str:
        if self.age_max is None:
            return f"{self.age_min}+"
        return f"{self.age_min}-{self.age_max}"


#: The atlas default: adults, 18 and over (the denominator of "per 10,000 adults").
ADULTS = AgeBand(18, None)


def age_band_of_target_group(code: str) -> AgeBand:
    """The age band of a target group (vocab ``target_groups``: ``under_18`` -> 0-17, ``under_23`` -> 0-22).

    Raises ``ValueError`` for an unknown code or a target group without an age band (e.g. ``opioids``).
    """
    vocab = load_vocabularies()["target_groups"]
    if code not in vocab:
        raise ValueError(f"unknown target group {code!r}")
    term = next(t for t in vocab if t.code == code)
    low, high = term.get("age_min"), term.get("age_max")
    if low is None and high is None:
        raise ValueError(f"target group {code!r} has no age band")
    return AgeBand(int(low or 0), None if high is None else int(high))


def _population_by_code(population: pd.DataFrame, band: AgeBand) -> dict[tuple[str, str], int]:
    years = population["year"].unique()
    if len(years) != 1:
        raise ValueError(f"population must hold exactly one year, got {sorted(int(y) for y in years)}")
    rows = population[population["age"] >= band.age_min]
    if band.age_max is not None:
        rows = rows[rows["age"] <= band.age_max]
    totals = rows.groupby(["level", "code"], observed=True)["population"].sum()
    return {
        (str(key[0]), str(key[1])): int(value)
        for key, value in zip(totals.index, totals.to_numpy(), strict=True)
    }


def demand_points(geography: Geography, population: pd.DataFrame, band: AgeBand = ADULTS) -> pd.DataFrame:
    """One demand point per municipality (Oslo as bydeler) with the population of ``band``.

    Parameters
    ----------
    geography : Geography (``snapshot.geography``)
    population : DataFrame of one year from ``load_population(year)``
    band : AgeBand, default adults 18+

    Returns
    -------
    DataFrame with the columns ``COLUMNS`` (see the module docstring), sorted by code. Municipalities without
    a population row or a point are left out (they are counted in ``DataFrame.attrs["left_out"]``).
    """
    counts = _population_by_code(population, band)
    catchments = geography.catchments
    units = geography.area_units
    oslo = units.get(OSLO)
    rows: list[dict[str, object]] = []
    left_out: list[str] = []
    for unit in units.values():
        if unit.code == OSLO or unit.kind != "kommune":
            continue
        people = counts.get(("kommune", unit.code))
        if people is None or unit.lat is None or unit.lon is None:
            left_out.append(unit.code)
            continue
        rows.append(
            _row(unit.code, unit.name, "kommune", unit.catchment_code, unit.lat, unit.lon, False, people)
        )
    if oslo is not None and oslo.lat is not None and oslo.lon is not None:
        bydeler = [u for u in units.values() if u.kind == "bydel" and u.parent_code == OSLO]
        counted = 0
        for bydel in bydeler:
            people = counts.get(("bydel", bydel.code))
            if people is None:
                continue
            counted += people
            has_point = bydel.lat is not None and bydel.lon is not None
            lat = bydel.lat if bydel.lat is not None and bydel.lon is not None else oslo.lat
            lon = bydel.lon if bydel.lat is not None and bydel.lon is not None else oslo.lon
            rows.append(
                _row(bydel.code, bydel.name, "bydel", bydel.catchment_code, lat, lon, not has_point, people)
            )
        rest = counts.get(("kommune", OSLO), 0) - counted
        unregistered = units.get(OSLO_UNREGISTERED)
        if rest > 0 and unregistered is not None:
            rows.append(
                _row(
                    unregistered.code,
                    unregistered.name,
                    "bydel",
                    unregistered.catchment_code,
                    oslo.lat,
                    oslo.lon,
                    True,
                    rest,
                )
            )
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    region_of = {c.code: c.region_code for c in catchments.values()}
    frame["region_code"] = frame["catchment_code"].map(region_of)
    frame = frame.sort_values("code", kind="stable").reset_index(drop=True)
    frame.attrs["left_out"] = sorted(left_out)
    frame.attrs["age_band"] = band.label()
    return frame


def _row(
    code: str,
    name: str,
    kind: str,
    catchment: str | None,
    lat: float,
    lon: float,
    approximate: bool,
    population: int,
) -> dict[str, object]:
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "catchment_code": catchment,
        "region_code": None,
        "lat": float(lat),
        "lon": float(lon),
        "approximate": approximate,
        "population": population,
    }
