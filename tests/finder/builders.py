"""Small synthetic registries for precise finder tests (synthetic: no real units)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tsbkart.domain.entities import (
    AreaUnit,
    AssessmentTeam,
    CatchmentArea,
    Organisation,
    Provenance,
    Region,
    ServiceOffer,
    Unit,
)
from tsbkart.registry.snapshot import Geography, RegistrySnapshot

SYNTHETIC = Provenance(source="synthetic test data", note="synthetic")
D0 = date(2024, 1, 1)


def geography() -> Geography:
    """Two catchments: 'north' (kommune 9001 at 70N) and 'south' (kommune 9002 at 60N, with bydel 900201
    without a point of its own), plus kommune 9003 outside any catchment."""
    return Geography.build(
        regions=[Region("r1", "Region 1")],
        catchments=[
            CatchmentArea("north", "North HF", "North", "r1"),
            CatchmentArea("south", "South HF", "South", "r1"),
        ],
        area_units=[
            AreaUnit("9001", "Nordby", "kommune", "X", "north", 70.0, 20.0, D0),
            AreaUnit("9002", "Sørby", "kommune", "X", "south", 60.0, 10.0, D0),
            AreaUnit("900201", "Sørby sentrum", "bydel", "X", "south", None, None, D0, parent_code="9002"),
            AreaUnit("9003", "Utenfor", "kommune", "X", None, 65.0, 15.0, D0),
        ],
    )


ORGS = [
    Organisation("hf-north", "North HF", "hf", SYNTHETIC),
    Organisation("hf-south", "South HF", "hf", SYNTHETIC),
    Organisation("private", "Private Foundation", "private_nonprofit_contract", SYNTHETIC),
]


def unit(uid: str, org: str, catchment: str | None, lat: float | None, lon: float | None, **kw: Any) -> Unit:
    return Unit(
        uid,
        f"Unit {uid}",
        org,
        SYNTHETIC,
        catchment_code=catchment,
        lat=lat,
        lon=lon,
        location_precision="exact" if lat is not None else None,
        **kw,
    )


def offer(unit_id: str, service_type: str, **kw: Any) -> ServiceOffer:
    return ServiceOffer(f"{unit_id}/{service_type}", unit_id, service_type, SYNTHETIC, **kw)


def team(tid: str, catchment: str, scope: str, **kw: Any) -> AssessmentTeam:
    return AssessmentTeam(tid, f"Team {tid}", SYNTHETIC, catchment_code=catchment, scope=scope, **kw)


def snapshot(
    units: list[Unit], offers: list[ServiceOffer], teams: list[AssessmentTeam] = ()
) -> RegistrySnapshot:  # type: ignore[assignment]
    return RegistrySnapshot.build(
        geography(), organisations=ORGS, units=units, offers=offers, teams=list(teams)
    )
