"""Response shapes for the OpenAPI document. The routes return the plain dicts built in ``tsbkart.query``;
these models describe them (and the schemathesis test checks that every answer conforms)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ProvenanceOut(BaseModel):
    source: str
    verified: str | None = Field(description="YYYY-MM-DD the fact was last confirmed, or null (unknown).")
    steward: str | None
    note: str | None


class UnitProperties(BaseModel):
    """A unit as a list row and as GeoJSON Feature properties. null = unknown."""

    id: str
    name: str
    organisation_id: str
    organisation_name: str | None
    owner_type: str | None
    catchment_code: str | None
    catchment_name: str | None
    region_code: str | None
    municipality_code: str | None
    municipality_name: str | None
    town: str | None
    location_precision: str | None
    approximate: bool = Field(description="True when the location is only known to the municipality.")
    service_types: list[str] = Field(description="Service type codes of the unit's offers.")
    open_24_7: bool | None = Field(description="True if any offer is open 24/7; null if unknown.")
    intake_status: list[str] = Field(description="The offers' intake statuses.")
    beds: int | None
    url: str = Field(description="The unit's page, /enhet/<id>.")
    distance_km: float | None = Field(description="Great-circle km from near=, when given and known.")


class UnitItem(UnitProperties):
    lat: float | None
    lon: float | None


class OfferOut(BaseModel):
    id: str
    unit_id: str
    service_type: str
    target_groups: list[str]
    legal_basis: list[str]
    age_min: int | None
    age_max: int | None
    beds: int | None
    places: int | None
    waiting_weeks: float | None
    waiting_as_of: str | None
    intake_status: str
    open_24_7: bool | None
    languages: list[str]
    assessment_team_id: str | None
    referral_note: str | None
    description: str | None
    provenance: ProvenanceOut


class UnitDetail(BaseModel):
    id: str
    name: str
    organisation_id: str
    organisation_name: str | None
    owner_type: str | None
    catchment_code: str | None
    catchment_name: str | None
    region_code: str | None
    municipality_code: str | None
    municipality_name: str | None
    town: str | None
    location_precision: str | None
    approximate: bool
    service_types: list[str]
    open_24_7: bool | None
    intake_status: list[str]
    beds: int | None
    url: str
    street_address: str | None
    postal_code: str | None
    lat: float | None
    lon: float | None
    phone: str | None
    website: str | None
    her_id: str | None
    resh_id: str | None
    description: str | None
    confidence: str | None
    provenance: ProvenanceOut
    offers: list[OfferOut]


class OrganisationOut(BaseModel):
    id: str
    name: str
    owner_type: str
    region_code: str | None
    orgnr: str | None
    resh_id: str | None
    her_id: str | None
    website: str | None
    status_note: str | None
    unit_ids: list[str]
    provenance: ProvenanceOut


class TeamOut(BaseModel):
    id: str
    name: str
    organisation_id: str | None
    catchment_code: str | None
    region_code: str | None
    municipality_code: str | None
    town: str | None
    scope: str
    scope_note: str | None
    age_min: int | None
    age_max: int | None
    referrals_per_year: int | None
    disciplines: list[str]
    specialist_present: bool | None
    phone: str | None
    address: str | None
    her_id: str | None
    lat: float | None
    lon: float | None
    location_precision: str | None
    provenance: ProvenanceOut


class AreaOut(BaseModel):
    code: str
    kind: Literal["region", "catchment", "kommune", "bydel"]
    name: str
    short_name: str | None
    region_code: str | None
    catchment_code: str | None
    parent_code: str | None
    county: str | None
    lat: float | None
    lon: float | None


class PageOut(BaseModel):
    total: int = Field(description="How many items match, on all pages.")
    limit: int
    offset: int


class UnitPage(PageOut):
    items: list[UnitItem]


class OfferPage(PageOut):
    items: list[OfferOut]


class OrganisationPage(PageOut):
    items: list[OrganisationOut]


class TeamPage(PageOut):
    items: list[TeamOut]


class AreaPage(PageOut):
    items: list[AreaOut]


class PointOut(BaseModel):
    type: Literal["Point"]
    coordinates: list[float] = Field(min_length=2, max_length=2, description="[lon, lat], WGS84.")


class UnitFeature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: PointOut | None
    properties: UnitProperties


class UnitFeatureCollection(PageOut):
    type: Literal["FeatureCollection"]
    features: list[UnitFeature]


class TermOut(BaseModel):
    code: str
    label: dict[str, str] = Field(description='{"nb": ..., "en": ...}')
    attributes: dict[str, Any]


class VocabularyOut(BaseModel):
    name: str
    version: int
    source: str
    terms: list[TermOut]


class VocabularySummary(BaseModel):
    name: str
    version: int
    source: str
    terms: int


class VocabularyList(PageOut):
    items: list[VocabularySummary]


class HealthOut(BaseModel):
    status: Literal["ok"]
    revision: int = Field(description="The last revision in the read model; 0 = empty registry.")
