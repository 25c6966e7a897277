"""Accessibility tables: supply points, nearest service, population share within thresholds, 2SFCA/E2SFCA.

Every function returns a tidy pandas DataFrame. Costs come from a pluggable provider
(:class:`tsbkart.analysis.costs.CostProvider`): great-circle km by default, or an imported travel-time
matrix (:class:`~tsbkart.analysis.costs.ODMatrix`, minutes; its ids are the demand ``code`` and the unit id).

A *service* is a service type code (``avrusning``, ``lar``, ...) or a basic-service code (``dogn`` = every type
whose ``basic_service`` is ``dogn``). Supply points are the units with a location that offer the service.
Supply weights (``weight``): ``"units"`` = 1 per unit; ``"beds"`` = the unit's stated beds
(:func:`tsbkart.atlas.coverage.unit_beds`); units with unknown beds are left out of a beds-weighted
accessibility and counted in ``attrs["unknown_weight_units"]``, never treated as zero.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from tsbkart.analysis.costs import CostProvider, GreatCircle, Points
from tsbkart.analysis.fca import enhanced_two_step_fca, two_step_fca
from tsbkart.analysis.nearest import DEFAULT_THRESHOLDS, nearest_from_matrix, nearest_service, share_within
from tsbkart.atlas.coverage import unit_beds
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab.loader import load_vocabularies

__all__ = [
    "Weight",
    "accessibility",
    "accessibility_by_area",
    "nearest_distance",
    "service_types_of",
    "share_within_by_area",
    "supply_points",
]

Weight = Literal["units", "beds"]
Method = Literal["2sfca", "e2sfca"]
AreaLevel = Literal["catchment", "region", "nation"]
PER = 10_000


def service_types_of(service: str) -> tuple[str, ...]:
    """Service type codes behind ``service`` (a type code, or a basic-service code); ValueError if neither."""
    vocabs = load_vocabularies()
    types = vocabs["service_types"]
    if service in types:
        return (service,)
    matching = tuple(t.code for t in types if t.get("basic_service") == service)
    if not matching:
        raise ValueError(f"{service!r} is neither a service type nor a basic service")
    return matching


def supply_points(snapshot: RegistrySnapshot, service: str, weight: Weight = "units") -> pd.DataFrame:
    """Units with a location offering ``service``.

    Returns
    -------
    DataFrame: ``unit_id``, ``name``, ``catchment_code``, ``lat``, ``lon``, ``approximate`` (location not
    exact), ``weight`` (1.0, or beds; NaN when beds are unknown). ``attrs["without_location"]`` counts
    offering units that have no coordinates (they cannot be placed, so they are not supply points).
    """
    wanted = set(service_types_of(service))
    rows = []
    without_location = 0
    for unit in sorted(snapshot.units.values(), key=lambda u: u.id):
        if not any(o.service_type in wanted for o in snapshot.offers_of(unit.id)):
            continue
        if unit.lat is None or unit.lon is None:
            without_location += 1
            continue
        beds = unit_beds(snapshot, unit) if weight == "beds" else 1
        rows.append(
            {
                "unit_id": unit.id,
                "name": unit.name,
                "catchment_code": unit.catchment_code,
                "lat": unit.lat,
                "lon": unit.lon,
                "approximate": unit.is_approximate,
                "weight": float("nan") if beds is None else float(beds),
            }
        )
    frame = pd.DataFrame(
        rows, columns=["unit_id", "name", "catchment_code", "lat", "lon", "approximate", "weight"]
    )
    frame.attrs.update(service=service, weight=weight, without_location=without_location)
    return frame


def _points(frame: pd.DataFrame, id_col: str) -> Points:
    return Points(frame["lat"].to_numpy(float), frame["lon"].to_numpy(float), ids=frame[id_col].to_numpy(str))


def nearest_distance(
    demand: pd.DataFrame, supply: pd.DataFrame, provider: CostProvider | None = None
) -> pd.DataFrame:
    """Distance (provider unit) from each demand point to its nearest supply point.

    Returns ``demand`` with ``cost`` (``inf`` when none reachable), ``nearest_unit_id`` (None then) and
    ``unit`` ("km" or "min") added.
    """
    cost_provider: CostProvider | GreatCircle = provider or GreatCircle()
    origins = _points(demand, "code")
    out = demand.copy()
    if isinstance(cost_provider, GreatCircle):
        found = nearest_service(origins, _points(supply, "unit_id")) if len(supply) else None
    else:
        found = (
            nearest_from_matrix(cost_provider.matrix(origins, _points(supply, "unit_id")))
            if len(supply)
            else None
        )
    if found is None:
        out["cost"] = np.inf
        out["nearest_unit_id"] = None
    else:
        ids = supply["unit_id"].to_numpy(str)
        out["cost"] = found.cost
        out["nearest_unit_id"] = [ids[i] if i >= 0 else None for i in found.index]
    out["unit"] = cost_provider.unit
    out.attrs.update(demand.attrs)
    return out


def _groups(frame: pd.DataFrame, level: AreaLevel) -> Iterator[tuple[str, pd.DataFrame]]:
    if level == "nation":
        yield "norge", frame
        return
    column = "catchment_code" if level == "catchment" else "region_code"
    for code, group in frame.groupby(column, sort=True):
        yield str(code), group


def share_within_by_area(
    nearest: pd.DataFrame, level: AreaLevel = "catchment", thresholds: Sequence[float] = DEFAULT_THRESHOLDS
) -> pd.DataFrame:
    """Population share within each threshold of the nearest service, per catchment, region or the nation.

    Returns a tidy DataFrame: ``level``, ``area_code``, ``threshold``, ``unit``, ``share`` (0..1),
    ``population`` (the area's demand population).
    """
    unit = str(nearest["unit"].iloc[0]) if len(nearest) else "km"
    rows = []
    for code, group in _groups(nearest, level):
        if not group["population"].sum() > 0:
            continue
        shares = share_within(group["cost"].to_numpy(float), group["population"].to_numpy(float), thresholds)
        for threshold, share in zip(shares.index.to_numpy(float), shares.to_numpy(float), strict=True):
            rows.append(
                {
                    "level": level,
                    "area_code": str(code),
                    "threshold": float(threshold),
                    "unit": unit,
                    "share": float(share),
                    "population": int(group["population"].sum()),
                }
            )
    return pd.DataFrame(rows, columns=["level", "area_code", "threshold", "unit", "share", "population"])


def accessibility(
    demand: pd.DataFrame,
    supply: pd.DataFrame,
    *,
    method: Method = "2sfca",
    cutoff: float = 60.0,
    provider: CostProvider | None = None,
) -> pd.DataFrame:
    """Floating-catchment accessibility per demand point, supply per 10,000 of the demand population.

    ``method="2sfca"`` uses a binary catchment of ``cutoff`` (provider units); ``"e2sfca"`` the Luo & Qi
    (2009) step weights (0-10, 10-20, 20-30 units: 1.00, 0.68, 0.22; ``cutoff`` is then ignored). Supply
    rows with an unknown weight are dropped (counted in ``attrs["unknown_weight_units"]``).

    Returns ``demand`` with ``access_per_10k`` added (0 where no supply is in reach, as IPEA).
    """
    cost_provider: CostProvider | GreatCircle = provider or GreatCircle()
    known = supply[supply["weight"].notna()]
    out = demand.copy()
    out.attrs.update(demand.attrs)
    out.attrs["unknown_weight_units"] = int(len(supply) - len(known))
    out.attrs["method"] = method
    out.attrs["cutoff"] = None if method == "e2sfca" else cutoff
    out.attrs["unit"] = cost_provider.unit
    if len(known) == 0:
        out["access_per_10k"] = 0.0
        return out
    reach = cutoff if method == "2sfca" else 30.0
    cost = cost_provider.matrix(_points(demand, "code"), _points(known, "unit_id"), cutoff=reach)
    pop = demand["population"].to_numpy(float)
    weights = known["weight"].to_numpy(float)
    if method == "2sfca":
        values = two_step_fca(cost, pop, weights, cutoff=cutoff)
    else:
        values = enhanced_two_step_fca(cost, pop, weights)
    out["access_per_10k"] = values * PER
    return out


def accessibility_by_area(points: pd.DataFrame, level: AreaLevel = "catchment") -> pd.DataFrame:
    """Population-weighted mean of ``access_per_10k`` per area: ``level``, ``area_code``, ``access_per_10k``,
    ``population``."""
    rows = []
    for code, group in _groups(points, level):
        pop = group["population"].to_numpy(float)
        if not pop.sum() > 0:
            continue
        mean = float(np.average(group["access_per_10k"].to_numpy(float), weights=pop))
        rows.append(
            {"level": level, "area_code": str(code), "access_per_10k": mean, "population": int(pop.sum())}
        )
    return pd.DataFrame(rows, columns=["level", "area_code", "access_per_10k", "population"])
