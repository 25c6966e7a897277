"""``/api/v1/units``: list (JSON or CSV), GeoJSON and one unit. Parsing here, the work in tsbkart.query."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from tsbkart.query.explain import explained, units_feature_collection
from tsbkart.query.filters import DEFAULT_LIMIT, MAX_FEATURES, MAX_LIMIT
from tsbkart.query.params import MAX_QUERY_CHARS, MAX_RADIUS_KM, unit_filter
from tsbkart.query.records import unit_detail
from tsbkart.query.units import search_units
from tsbkart.web.api.openapi import documented
from tsbkart.web.api.params import MAX_OFFSET, TEXT_HELP, SnapshotDep, record_answer
from tsbkart.web.api.problems import ApiProblem
from tsbkart.web.api.render import (
    GEOJSON,
    Format,
    encode_json,
    respond_built,
    respond_list,
)
from tsbkart.web.api.schemas import UnitDetail, UnitFeatureCollection, UnitItem, UnitPage
from tsbkart.web.api.unit_json import UnitJson
from tsbkart.web.context import Ctx

router = APIRouter(tags=["units"])

Codes = list[str] | None


class UnitQuery(BaseModel):
    """The unit filters as one query model (validated in one pydantic pass, documented field by field)."""

    model_config = ConfigDict(extra="ignore")

    q: str | None = Field(None, max_length=MAX_QUERY_CHARS, description=TEXT_HELP)
    service_type: Codes = Field(
        None, description="Service type code(s), OR; see /api/v1/vocabularies/service_types."
    )
    target_group: Codes = Field(
        None,
        description="Target group code(s), OR; see /api/v1/vocabularies/target_groups. A unit matches when an "
        "offer (that passes the other offer filters) fits the group as `match` asks; each item's "
        "`target_group_fit` says how, and `explanation.target_counts` counts the units that pass every other "
        "filter by how they fit, including those that state they do not serve the group (never listed).",
    )
    match: Literal["stated", "possible"] = Field(
        "possible",
        description="With target_group: `stated` lists units a source states serve the group (on the offer or "
        "for the whole unit); `possible` (default) also lists units that state no restriction ruling it out.",
    )
    legal_basis: Codes = Field(None, description="Legal basis code(s), OR.")
    delivery_method: Codes = Field(
        None,
        description="Delivery method code(s), OR (vocabulary delivery_methods: in_person, outreach, digital); "
        "only offers that state one match (unknown is not a no).",
    )
    language: Codes = Field(
        None, description="ISO 639-1 language code(s), OR; only offers that state the language match."
    )
    accessibility: Codes = Field(
        None,
        description="Physical accessibility code(s), AND (vocabulary accessibility); only units that state "
        "each match.",
    )
    intake_status: Codes = Field(None, description="Intake status code(s), OR.")
    open_24_7: bool | None = Field(
        None,
        description="Units with an offer known to be (true) or known not to be (false) open 24/7; unknown matches neither.",
    )
    owner_type: Codes = Field(None, description="Owner type code(s) of the unit's organisation, OR.")
    area: Codes = Field(None, description="Region, catchment, kommune or bydel code(s), OR.")
    organisation: Codes = Field(None, description="Organisation id(s), OR.")
    near: str | None = Field(
        None,
        max_length=64,
        description="lat,lon (WGS84), or a postal code (4 digits, at its municipality's point); sorts by "
        "great-circle distance. An unknown postal code answers 422.",
    )
    radius_km: float | None = Field(
        None, gt=0, le=MAX_RADIUS_KM, description="Only units within this many km of near."
    )


class UnitListQuery(UnitQuery):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")
    format: Format = Field("json", description="json (default) or csv.")


class UnitFeatureQuery(UnitQuery):
    limit: int = Field(
        MAX_FEATURES, ge=1, le=MAX_FEATURES, description=f"Features per page, at most {MAX_FEATURES}."
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Features to skip.")


# The filters and paging arrive as one query model: one pydantic pass instead of a dependency per
# parameter, which is most of the framework's cost per request. The model documents and type-checks the
# parameters; the filter itself comes from the one parser the map page uses too (query.params.unit_filter).
@router.get("/units", responses=documented(UnitPage, csv=True), response_model=None)
async def list_units(
    request: Request, ctx: Ctx, read: SnapshotDep, query: Annotated[UnitListQuery, Query()]
) -> Response:
    """Units matching every filter, by distance from ``near`` or by name; JSON page or CSV."""
    snapshot = read.snapshot
    selection = unit_filter(ctx.params, snapshot, limit=query.limit, offset=query.offset)
    if query.format == "json":
        unit_json: UnitJson = request.app.state.unit_json
        return await respond_built(
            request,
            read.read,
            "application/json",
            lambda: unit_json.page(
                snapshot, explained(snapshot, ctx.params, search_units(snapshot, selection))
            ),
        )
    columns = list(UnitItem.model_fields)
    return await respond_list(request, read.read, lambda: search_units(snapshot, selection), "csv", columns)


@router.get(
    "/units.geojson", responses=documented(UnitFeatureCollection, media_type=GEOJSON), response_model=None
)
async def units_geojson(
    request: Request, ctx: Ctx, read: SnapshotDep, query: Annotated[UnitFeatureQuery, Query()]
) -> Response:
    """The same selection as ``/units`` as a GeoJSON FeatureCollection (null geometry = location unknown).

    Pages are large (all units by default) because a map layer needs every point at once.
    """
    snapshot = read.snapshot
    selection = unit_filter(ctx.params, snapshot, limit=query.limit, offset=query.offset)
    # About 6.6 MB for 10,000 units: built once per revision and query (documents.py), never on the loop.
    return await respond_built(
        request,
        read.read,
        GEOJSON,
        lambda: encode_json(units_feature_collection(snapshot, ctx.params, selection)),
    )


@router.get("/units/{unit_id}", responses=documented(UnitDetail, record=True), response_model=None)
async def get_unit(request: Request, read: SnapshotDep, unit_id: str) -> Response:
    """One unit with all its fields, its service offers and provenance."""
    unit = read.snapshot.units.get(unit_id)
    if unit is None:
        raise ApiProblem(404, f"no unit with id {unit_id!r}")
    return record_answer(request, read, "unit", unit_id, unit_detail(read.snapshot, unit))
