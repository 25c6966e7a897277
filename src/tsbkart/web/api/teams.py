"""``/api/v1/teams``: assessment teams (vurderingsteam) filtered by area and name; one by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tsbkart.query.lists import list_teams
from tsbkart.query.params import area_codes, text
from tsbkart.query.records import team_record
from tsbkart.query.units import Page
from tsbkart.web.api.openapi import documented
from tsbkart.web.api.params import FormatDep, SnapshotDep, TextDep, WindowDep
from tsbkart.web.api.problems import ApiProblem
from tsbkart.web.api.render import respond, respond_list, with_record_etag
from tsbkart.web.api.schemas import TeamOut, TeamPage
from tsbkart.web.context import Ctx

router = APIRouter(tags=["teams"])


@router.get("/teams", responses=documented(TeamPage, csv=True), response_model=None)
async def teams(
    request: Request,
    ctx: Ctx,
    read: SnapshotDep,
    window: WindowDep,
    area: Annotated[
        list[str] | None, Query(description="Region, catchment, kommune or bydel code(s), OR.")
    ] = None,
    q: TextDep = None,
    fmt: FormatDep = "json",
) -> Response:
    """Assessment teams by id."""
    snapshot, areas, words = read.snapshot, area_codes(ctx.params, read.snapshot), text(ctx.params)

    def build() -> Page:  # in a worker thread, on a cache miss
        return list_teams(snapshot, areas, words, window)

    return await respond_list(request, read.read, build, fmt, list(TeamOut.model_fields))


@router.get("/teams/{team_id}", responses=documented(TeamOut), response_model=None)
async def team(request: Request, read: SnapshotDep, team_id: str) -> Response:
    found = read.snapshot.teams.get(team_id)
    if found is None:
        raise ApiProblem(404, f"no assessment team with id {team_id!r}")
    answer = respond(request, read.read, team_record(found), "application/json")
    return with_record_etag(answer, read.snapshot, "team", team_id)
