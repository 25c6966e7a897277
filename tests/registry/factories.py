"""Small registry records for tests, built on the bundled geography's codes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tsbkart.domain.entities import AssessmentTeam, Organisation, Provenance, ServiceOffer, Unit

SOURCE = Provenance(source="https://example.org/test-source", verified=date(2026, 1, 15), steward="test")


def organisation(id: str = "org-a", **changes: object) -> Organisation:
    base = Organisation(
        id=id, name=f"Organisasjon {id}", owner_type="hf", provenance=SOURCE, region_code="helse-nord"
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def unit(id: str = "unit-a", organisation_id: str = "org-a", **changes: object) -> Unit:
    base = Unit(
        id=id,
        name=f"Enhet {id}",
        organisation_id=organisation_id,
        provenance=SOURCE,
        catchment_code="unn",
        region_code="helse-nord",
        municipality_code="5501",
        lat=69.65,
        lon=18.96,
        location_precision="municipality",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def offer(unit_id: str = "unit-a", service_type: str = "poliklinikk", **changes: object) -> ServiceOffer:
    base = ServiceOffer(
        id=f"{unit_id}/{service_type}", unit_id=unit_id, service_type=service_type, provenance=SOURCE
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def team(id: str = "team-a", **changes: object) -> AssessmentTeam:
    base = AssessmentTeam(
        id=id, name=f"Vurderingsteam {id}", provenance=SOURCE, catchment_code="unn", scope="all_tsb"
    )
    return replace(base, **changes)  # type: ignore[arg-type]
