"""The registry's stated inpatient capacity per catchment area or region, next to the projection.

``stated_beds(snapshot, "catchment")`` -> one row per area: code, stated_beds, units_stated, units_inpatient
(units offering an inpatient service type), stated_for ("stated for 3 of 5 units"). A unit whose beds are not
stated is counted in units_inpatient but adds nothing to stated_beds; stated_beds is therefore a lower bound
unless units_stated == units_inpatient.
"""

from __future__ import annotations

import pandas as pd

from tsbkart.atlas.coverage import capacity, unit_beds
from tsbkart.planning.areas import Level
from tsbkart.registry.areas import resolve_area, units_in_area
from tsbkart.registry.snapshot import RegistrySnapshot

__all__ = ["stated_beds"]

KINDS = {"catchment": "hf", "region": "rhf"}


def _row(snapshot: RegistrySnapshot, kind: str, code: str) -> dict[str, object]:
    area = resolve_area(snapshot.geography, kind, code)
    if area is None:
        raise ValueError(f"unknown {kind} {code!r}")
    stated = sum(unit_beds(snapshot, u) is not None for u in units_in_area(snapshot, area))
    summary = capacity(snapshot, area, None)
    total = stated + summary.beds_unknown_units
    return {
        "code": code,
        "stated_beds": summary.beds,
        "units_stated": stated,
        "units_inpatient": total,
        "stated_for": f"stated for {stated} of {total} units",
    }


def stated_beds(snapshot: RegistrySnapshot, level: Level) -> pd.DataFrame:
    """Stated beds per catchment area or region (other levels: empty frame with the same columns)."""
    columns = ["code", "stated_beds", "units_stated", "units_inpatient", "stated_for"]
    if level not in KINDS:
        return pd.DataFrame(columns=columns)
    geography = snapshot.geography
    codes = sorted(geography.catchments if level == "catchment" else geography.regions)
    return pd.DataFrame([_row(snapshot, KINDS[level], code) for code in codes], columns=columns)
