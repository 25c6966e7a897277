"""``/api/v1/offers``: service offers filtered by the offer facets, area and unit; one offer by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tsbkart.query.lists import search_offers
from tsbkart.query.params import offer_filter
from tsbkart.query.records import offer_record
from tsbkart.web.api.openapi import documented
from tsbkart.web.api.params import ListingDep, SnapshotDep, record_answer
from tsbkart.web.api.problems import ApiProblem
from tsbkart.web.api.schemas import OfferOut, OfferPage

router = APIRouter(tags=["offers"])

Codes = list[str] | None


@router.get("/offers", responses=documented(OfferPage, csv=True), response_model=None)
async def list_offers(
    listing: ListingDep,
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
) -> Response:
    """Offers matching every filter, by id; JSON page or CSV."""
    # The parameters above document and type-check the query; the one parser builds the filter.
    selection = offer_filter(listing.params, listing.read.snapshot)
    return await listing.answer(OfferOut, lambda snapshot, window: search_offers(snapshot, selection, window))


@router.get("/offers/{offer_id:path}", responses=documented(OfferOut, record=True), response_model=None)
async def get_offer(request: Request, read: SnapshotDep, offer_id: str) -> Response:
    """One offer (ids look like ``<unit id>/<service type>`` and may contain a slash)."""
    offer = read.snapshot.offers.get(offer_id)
    if offer is None:
        raise ApiProblem(404, f"no service offer with id {offer_id!r}")
    return record_answer(request, read, "offer", offer_id, offer_record(offer))
