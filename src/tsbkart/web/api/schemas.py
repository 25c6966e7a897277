"""Response shapes for the OpenAPI document. The routes return the plain dicts built in ``tsbkart.query``;
these models describe them (and the schemathesis test checks that every answer conforms). The record models
are derived from the field schema (``tsbkart.domain.schema``), so a new field is documented without an edit."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from tsbkart.domain.entities import AssessmentTeam, Organisation, ServiceOffer, Unit
from tsbkart.domain.schema import schema_of
from tsbkart.query.explain import Reason


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
    target_group_fit: Literal["stated", "stated_for_unit", "possible"] | None = Field(
        None,
        description="With target_group=: how the unit's best matching offer fits the group: stated (the offer "
        "states it), stated_for_unit (the source states it for the whole unit), possible (no restriction "
        "stated that rules it out). null without the filter.",
    )


class UnitItem(UnitProperties):
    lat: float | None
    lon: float | None


def _record_fields(cls: type[Any], leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The record's own fields as model fields, typed as their JSON form, described by their help text."""
    return {
        spec.key: (spec.json_type, Field(description=spec.help))
        for spec in schema_of(cls).fields
        if spec.key not in leave_out
    }


def record_model(name: str, cls: type[Any], doc: str, **extra: Any) -> type[BaseModel]:
    """The API shape of a record (``tsbkart.query.records.record_json``): its fields, ``extra``, its provenance."""
    fields = _record_fields(cls) | extra | {"provenance": (ProvenanceOut, ...)}
    return create_model(name, __doc__=doc, **fields)


OfferOut = record_model("OfferOut", ServiceOffer, "A service offer. null = unknown.")
_UNIT_DETAIL: dict[str, Any] = {
    **{n: (f.annotation, f) for n, f in UnitProperties.model_fields.items() if n != "distance_km"},
    **_record_fields(Unit, frozenset(UnitProperties.model_fields)),
    "provenance": (ProvenanceOut, ...),
    "offers": (list[OfferOut], ...),  # type: ignore[valid-type]
}
UnitDetail = create_model(
    "UnitDetail",
    __doc__="A unit with every field, its provenance and its offers. null = unknown.",
    **_UNIT_DETAIL,
)
OrganisationOut = record_model(
    "OrganisationOut", Organisation, "An organisation and the ids of its units.", unit_ids=(list[str], ...)
)
TeamOut = record_model("TeamOut", AssessmentTeam, "An assessment team (vurderingsteam). null = unknown.")


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


class SuggestionOut(BaseModel):
    """A way out of an empty list: drop one filter value, or widen one (a larger radius, the region around a
    catchment area, match=possible)."""

    kind: Literal["drop", "widen"]
    parameter: str = Field(description="The query parameter, e.g. target_group, area, radius_km.")
    value: str = Field(description="The value dropped, or the wider value.")
    total: int = Field(description="How many units the list would then hold.")
    query: dict[str, list[str]] = Field(description="The query the suggestion stands for.")


class ExplanationOut(BaseModel):
    """Why the list holds what it holds. Present with a target_group filter and whenever the list is empty."""

    total: int
    target_groups: list[str]
    match: Literal["stated", "possible"] | None
    target_counts: dict[Literal["stated", "stated_for_unit", "possible", "stated_not"], int] | None = Field(
        description="Units passing every other filter, by how their best offer fits the target group."
    )
    reason: Reason | None = Field(description="Why the list is empty; null when it is not.")
    message: str = Field(description="The explanation in plain English.")
    suggestions: list[SuggestionOut] = Field(description="Ways out of an empty list, most specific first.")


class UnitPage(PageOut):
    items: list[UnitItem]
    explanation: ExplanationOut | None = None


OfferPage = create_model("OfferPage", __base__=PageOut, items=(list[OfferOut], ...))  # type: ignore[valid-type]


OrganisationPage = create_model("OrganisationPage", __base__=PageOut, items=(list[OrganisationOut], ...))  # type: ignore[valid-type]


TeamPage = create_model("TeamPage", __base__=PageOut, items=(list[TeamOut], ...))  # type: ignore[valid-type]


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
    explanation: ExplanationOut | None = None


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
