"""``/api/v1/organisations``: providers filtered by owner type and name; one by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tsbkart.query.lists import list_organisations
from tsbkart.query.params import text, vocabulary_codes
from tsbkart.query.records import organisation_record
from tsbkart.web.api.openapi import documented
from tsbkart.web.api.params import ListingDep, SnapshotDep, TextDep, record_answer
from tsbkart.web.api.problems import ApiProblem
from tsbkart.web.api.schemas import OrganisationOut, OrganisationPage

router = APIRouter(tags=["organisations"])


@router.get("/organisations", responses=documented(OrganisationPage, csv=True), response_model=None)
async def organisations(
    listing: ListingDep,
    owner_type: Annotated[list[str] | None, Query(description="Owner type code(s), OR.")] = None,
    q: TextDep = None,
) -> Response:
    """Organisations by id, with the ids of their units."""
    owner_types, words = vocabulary_codes(listing.params, "owner_type"), text(listing.params)
    return await listing.answer(
        OrganisationOut, lambda snapshot, window: list_organisations(snapshot, owner_types, words, window)
    )


@router.get(
    "/organisations/{organisation_id}",
    responses=documented(OrganisationOut, record=True),
    response_model=None,
)
async def organisation(request: Request, read: SnapshotDep, organisation_id: str) -> Response:
    found = read.snapshot.organisations.get(organisation_id)
    if found is None:
        raise ApiProblem(404, f"no organisation with id {organisation_id!r}")
    unit_ids = sorted(u.id for u in read.snapshot.units.values() if u.organisation_id == organisation_id)
    return record_answer(request, read, "organisation", organisation_id, organisation_record(found, unit_ids))
