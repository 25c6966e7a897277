"""Query parameters every read shares (``as_of``, paging, ``format``) and the snapshot they select.

Typed dependency aliases keep the routes short::

    def list_units(read: ReadDep, window: WindowDep, fmt: FormatDep, ...) -> Response
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from tsbkart.query.filters import DEFAULT_LIMIT, MAX_FEATURES, MAX_LIMIT
from tsbkart.query.lists import ListWindow
from tsbkart.query.params import MAX_QUERY_CHARS, Params
from tsbkart.query.units import Page
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.web.api.clock import RevisionClock
from tsbkart.web.api.problems import ApiProblem, ParameterError
from tsbkart.web.api.render import Format, Read, respond, respond_list, with_record_etag
from tsbkart.web.context import Ctx
from tsbkart.web.state import AppState

# Far beyond any list's length; bounds the integer a client may send.
MAX_OFFSET = 10_000_000


@dataclass(frozen=True, slots=True)
class SnapshotRead:
    snapshot: RegistrySnapshot
    read: Read


# Dependencies and routes of the API are ``async def``: they only read memory, and FastAPI would otherwise
# hop to a worker thread for each sync one (several hops per request, most of a request's time).


# Only the calendar form: pydantic's date type would also read "0" or "1700000000" as Unix timestamps.
AS_OF_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = f"{text!r} is not a calendar date (YYYY-MM-DD)"
        raise ApiProblem(
            422, f"as_of: {message}", [ParameterError(parameter="as_of", message=message)]
        ) from None


async def read_snapshot(
    request: Request,
    ctx: Ctx,
    as_of_text: Annotated[
        str | None,
        Query(
            alias="as_of",
            pattern=AS_OF_PATTERN,
            json_schema_extra={"format": "date"},
            description="Read the registry as it was at the end of this day (UTC), YYYY-MM-DD; "
            "not after today in Norway (400).",
        ),
    ] = None,
) -> SnapshotRead:
    as_of = _day(as_of_text)
    if as_of is not None and as_of > ctx.today:
        raise ApiProblem(
            400,
            f"as_of: {as_of.isoformat()} is in the future; the registry's history ends today",
            [ParameterError(parameter="as_of", message="must not be after today (Europe/Oslo)")],
        )
    state: AppState = request.app.state.tsbkart
    clock: RevisionClock = request.app.state.revision_clock
    # A past date may replay the revision log from the database: keep that off the event loop.
    snapshot = ctx.snapshot if as_of is None else await run_in_threadpool(state.snapshot, as_of)
    return SnapshotRead(snapshot, Read(snapshot.revision, clock.created_at(snapshot.revision), as_of))


async def list_window(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> ListWindow:
    return ListWindow(limit=limit, offset=offset)


async def feature_window(
    limit: Annotated[
        int, Query(ge=1, le=MAX_FEATURES, description=f"Features per page, at most {MAX_FEATURES}.")
    ] = MAX_FEATURES,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Features to skip.")] = 0,
) -> ListWindow:
    return ListWindow(limit=limit, offset=offset)


SnapshotDep = Annotated[SnapshotRead, Depends(read_snapshot)]
WindowDep = Annotated[ListWindow, Depends(list_window)]
FeatureWindowDep = Annotated[ListWindow, Depends(feature_window)]
FormatDep = Annotated[Format, Query(alias="format", description="json (default) or csv.")]


@dataclass(frozen=True, slots=True)
class Listing:
    """What every list route of the registry reads: the request and its parameters, the snapshot, the page
    window and the format. A route parses its own filters from ``params`` and hands ``answer`` the builder::

        return await listing.answer(TeamOut, lambda snapshot, window: list_teams(snapshot, areas, q, window))
    """

    request: Request
    params: Params
    read: SnapshotRead
    window: ListWindow
    fmt: Format

    async def answer(
        self, model: type[BaseModel], build: Callable[[RegistrySnapshot, ListWindow], Page]
    ) -> Response:
        """The JSON page or CSV; ``build`` runs in a worker thread on a cache miss."""
        snapshot, window = self.read.snapshot, self.window
        columns = list(model.model_fields)
        return await respond_list(
            self.request, self.read.read, lambda: build(snapshot, window), self.fmt, columns
        )


async def listing(
    request: Request, ctx: Ctx, read: SnapshotDep, window: WindowDep, fmt: FormatDep = "json"
) -> Listing:
    return Listing(request, ctx.params, read, window, fmt)


ListingDep = Annotated[Listing, Depends(listing)]


def record_answer(
    request: Request, read: SnapshotRead, kind: str, record_id: str, record: object
) -> Response:
    """One record of ``kind`` as JSON, with its own version in ``Record-ETag`` (what a write's ``If-Match``
    states)."""
    answer = respond(request, read.read, record, "application/json")
    return with_record_etag(answer, read.snapshot, kind, record_id)


TEXT_HELP = "Free text on names: case and æøå-insensitive (also ae/o/a), partial words."
TextDep = Annotated[str | None, Query(max_length=MAX_QUERY_CHARS, description=TEXT_HELP)]
