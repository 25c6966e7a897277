"""``/api/v1/teams``: assessment teams (vurderingsteam) filtered by area and name; one by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tsbkart.query.lists import list_teams
from tsbkart.query.params import area_codes, text
from tsbkart.query.records import team_record
from tsbkart.web.api.openapi import documented
from tsbkart.web.api.params import ListingDep, SnapshotDep, TextDep, record_answer
from tsbkart.web.api.problems import ApiProblem
from tsbkart.web.api.schemas import TeamOut, TeamPage

router = APIRouter(tags=["teams"])


@router.get("/teams", responses=documented(TeamPage, csv=True), response_model=None)
async def teams(
    listing: ListingDep,
    area: Annotated[
        list[str] | None, Query(description="Region, catchment, kommune or bydel code(s), OR.")
    ] = None,
    q: TextDep = None,
) -> Response:
    """Assessment teams by id."""
    areas, words = area_codes(listing.params, listing.read.snapshot), text(listing.params)
    return await listing.answer(TeamOut, lambda snapshot, window: list_teams(snapshot, areas, words, window))


@router.get("/teams/{team_id}", responses=documented(TeamOut, record=True), response_model=None)
async def team(request: Request, read: SnapshotDep, team_id: str) -> Response:
    found = read.snapshot.teams.get(team_id)
    if found is None:
        raise ApiProblem(404, f"no assessment team with id {team_id!r}")
    return record_answer(request, read, "team", team_id, team_record(found))
