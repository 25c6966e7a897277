"""``/api/v1/areas``: regions (RHF), catchment areas, kommuner and Oslo bydeler; one by code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tsbkart.query.lists import area_records, list_areas
from tsbkart.query.params import codes, text
from tsbkart.query.units import Page
from tsbkart.web.api.openapi import documented
from tsbkart.web.api.params import FormatDep, SnapshotDep, TextDep, WindowDep
from tsbkart.web.api.problems import ApiProblem
from tsbkart.web.api.render import respond, respond_list
from tsbkart.web.api.schemas import AreaOut, AreaPage
from tsbkart.web.context import Ctx

router = APIRouter(tags=["areas"])


@router.get("/areas", responses=documented(AreaPage, csv=True), response_model=None)
async def areas(
    request: Request,
    ctx: Ctx,
    read: SnapshotDep,
    window: WindowDep,
    kind: Annotated[list[str] | None, Query(description="region, catchment, kommune and/or bydel.")] = None,
    q: TextDep = None,
    fmt: FormatDep = "json",
) -> Response:
    """Areas valid on the snapshot's date: regions, catchments, kommuner, bydeler, each by code."""
    snapshot, kinds, words = read.snapshot, codes(ctx.params, "kind"), text(ctx.params)

    def build() -> Page:  # in a worker thread, on a cache miss
        return list_areas(snapshot, kinds, words, window)

    return await respond_list(request, read.read, build, fmt, list(AreaOut.model_fields))


@router.get("/areas/{code}", responses=documented(AreaOut), response_model=None)
async def area(request: Request, read: SnapshotDep, code: str) -> Response:
    for record in area_records(read.snapshot):
        if record["code"] == code:
            return respond(request, read.read, record, "application/json")
    raise ApiProblem(404, f"no area with code {code!r}")
