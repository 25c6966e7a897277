"""``/api/v1/offers``: service offers filtered by the offer facets, area and unit; one offer by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tsbkart.query.lists import search_offers
from tsbkart.query.params import offer_filter
from tsbkart.query.records import offer_record
from tsbkart.query.units import Page
from tsbkart.web.api.openapi import documented
from tsbkart.web.api.params import FormatDep, SnapshotDep, WindowDep
from tsbkart.web.api.problems import ApiProblem
from tsbkart.web.api.render import respond, respond_list, with_record_etag
from tsbkart.web.api.schemas import OfferOut, OfferPage
from tsbkart.web.context import Ctx

router = APIRouter(tags=["offers"])

Codes = list[str] | None


@router.get("/offers", responses=documented(OfferPage, csv=True), response_model=None)
async def list_offers(
    request: Request,
    ctx: Ctx,
    read: SnapshotDep,
    window: WindowDep,
    service_type: Annotated[Codes, Query(description="Service type code(s), OR.")] = None,
    target_group: Annotated[Codes, Query(description="Target group code(s), OR.")] = None,
    legal_basis: Annotated[Codes, Query(description="Legal basis code(s), OR.")] = None,
    intake_status: Annotated[Codes, Query(description="Intake status code(s), OR.")] = None,
    open_24_7: Annotated[
        bool | None,
        Query(
            description="Known to be open 24/7 (true) or known not to be (false); unknown matches neither."
        ),
    ] = None,
    area: Annotated[
        Codes, Query(description="Region, catchment, kommune or bydel code(s) of the unit, OR.")
    ] = None,
    unit: Annotated[Codes, Query(description="Unit id(s), OR.")] = None,
    fmt: FormatDep = "json",
) -> Response:
    """Offers matching every filter, by id; JSON page or CSV."""
    # The parameters above document and type-check the query; the one parser builds the filter.
    snapshot, selection = read.snapshot, offer_filter(ctx.params, read.snapshot)

    def build() -> Page:  # in a worker thread, on a cache miss
        return search_offers(snapshot, selection, window)

    return await respond_list(request, read.read, build, fmt, list(OfferOut.model_fields))


@router.get("/offers/{offer_id:path}", responses=documented(OfferOut), response_model=None)
async def get_offer(request: Request, read: SnapshotDep, offer_id: str) -> Response:
    """One offer (ids look like ``<unit id>/<service type>`` and may contain a slash)."""
    offer = read.snapshot.offers.get(offer_id)
    if offer is None:
        raise ApiProblem(404, f"no service offer with id {offer_id!r}")
    answer = respond(request, read.read, offer_record(offer), "application/json")
    return with_record_etag(answer, read.snapshot, "offer", offer_id)
