"""``/api/v1/organisations``: providers filtered by owner type and name; one by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tsbkart.query.lists import list_organisations
from tsbkart.query.params import text, vocabulary_codes
from tsbkart.query.records import organisation_record
from tsbkart.query.units import Page
from tsbkart.web.api.openapi import documented
from tsbkart.web.api.params import FormatDep, SnapshotDep, TextDep, WindowDep
from tsbkart.web.api.problems import ApiProblem
from tsbkart.web.api.render import respond, respond_list, with_record_etag
from tsbkart.web.api.schemas import OrganisationOut, OrganisationPage
from tsbkart.web.context import Ctx

router = APIRouter(tags=["organisations"])


@router.get("/organisations", responses=documented(OrganisationPage, csv=True), response_model=None)
async def organisations(
    request: Request,
    ctx: Ctx,
    read: SnapshotDep,
    window: WindowDep,
    owner_type: Annotated[list[str] | None, Query(description="Owner type code(s), OR.")] = None,
    q: TextDep = None,
    fmt: FormatDep = "json",
) -> Response:
    """Organisations by id, with the ids of their units."""
    snapshot, owner_types, words = read.snapshot, vocabulary_codes(ctx.params, "owner_type"), text(ctx.params)

    def build() -> Page:  # in a worker thread, on a cache miss
        return list_organisations(snapshot, owner_types, words, window)

    return await respond_list(request, read.read, build, fmt, list(OrganisationOut.model_fields))


@router.get("/organisations/{organisation_id}", responses=documented(OrganisationOut), response_model=None)
async def organisation(request: Request, read: SnapshotDep, organisation_id: str) -> Response:
    found = read.snapshot.organisations.get(organisation_id)
    if found is None:
        raise ApiProblem(404, f"no organisation with id {organisation_id!r}")
    unit_ids = sorted(u.id for u in read.snapshot.units.values() if u.organisation_id == organisation_id)
    answer = respond(request, read.read, organisation_record(found, unit_ids), "application/json")
    return with_record_etag(answer, read.snapshot, "organisation", organisation_id)
