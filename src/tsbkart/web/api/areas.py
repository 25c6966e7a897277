"""``/api/v1/areas``: regions (RHF), catchment areas, kommuner and Oslo bydeler; one by code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tsbkart.query.lists import area_records, list_areas
from tsbkart.query.params import codes, text
from tsbkart.web.api.openapi import documented
from tsbkart.web.api.params import ListingDep, SnapshotDep, TextDep
from tsbkart.web.api.problems import ApiProblem
from tsbkart.web.api.render import respond
from tsbkart.web.api.schemas import AreaOut, AreaPage

router = APIRouter(tags=["areas"])


@router.get("/areas", responses=documented(AreaPage, csv=True), response_model=None)
async def areas(
    listing: ListingDep,
    kind: Annotated[list[str] | None, Query(description="region, catchment, kommune and/or bydel.")] = None,
    q: TextDep = None,
) -> Response:
    """Areas valid on the snapshot's date: regions, catchments, kommuner, bydeler, each by code."""
    kinds, words = codes(listing.params, "kind"), text(listing.params)
    return await listing.answer(AreaOut, lambda snapshot, window: list_areas(snapshot, kinds, words, window))


@router.get("/areas/{code}", responses=documented(AreaOut), response_model=None)
async def area(request: Request, read: SnapshotDep, code: str) -> Response:
    for record in area_records(read.snapshot):
        if record["code"] == code:
            return respond(request, read.read, record, "application/json")
    raise ApiProblem(404, f"no area with code {code!r}")
