"""The finder's web layer: ``POST /api/v1/finder`` (JSON), ``GET /finn`` (the form) and ``POST /finn/results``
(an htmx fragment, or a whole page without JavaScript).

Privacy: the profile arrives only in a request body, is used for one call to ``tsbkart.finder.search.find`` and
dropped. Nothing here logs it, stores it or puts it in a URL; the share link carries only
:class:`~tsbkart.finder.profile.Preferences` (filters about what to show, nothing about the patient).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from tsbkart.finder.profile import SUBSTANCES, NeedProfile, Preferences
from tsbkart.finder.search import MAX_LIMIT, FinderInputError, FinderResult, find
from tsbkart.reference.postal import PostalCodeError
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab import load_vocabularies
from tsbkart.web.context import Ctx, RequestContext
from tsbkart.web.errors import user_error_message, validation_messages
from tsbkart.web.finder_process import FinderProcess, answer
from tsbkart.web.i18n import catalogue
from tsbkart.web.templating import page

router = APIRouter()
NO_STORE = "no-store"
BOOLEAN_FIELDS = (
    "injecting",
    "injecting_groin_neck",
    "alcohol_over_20_units",
    "pregnant",
    "children_in_care",
    "rop",
    "detox",
    "acute_crisis",
    "in_prison",
)
# Every treatment service type in the vocabulary (assessment is routing, not a result), so a new type in
# vocab/data/service_types.yaml appears here without a code change.
SHARE_SERVICE_TYPES = tuple(t.code for t in load_vocabularies()["service_types"] if t.get("level") != 0)


class FinderRequest(BaseModel):
    """Body of ``POST /api/v1/finder``."""

    profile: NeedProfile
    explain: bool = Field(default=False, description="Also list every excluded offer with its reasons.")
    limit: int = Field(
        default=100,
        ge=1,
        le=MAX_LIMIT,
        description="Most results to return (over all scope groups; each group has its own cap and limit).",
    )


@router.post(
    "/api/v1/finder",
    response_model=FinderResult,
    responses={422: {"description": "Invalid profile (the message names the field)"}},
    tags=["finder"],
    summary="Find services that fit a patient's needs",
)
async def finder_api(body: FinderRequest, ctx: Ctx, request: Request) -> Response:
    """Ranked, explained services for a need profile, the guideline deadline (guidance, not a decision) and
    the assessment team that receives the referral. The profile is never stored or logged."""
    # CPU-bound (ranks every offer, the JSON, its compression): in the finder process (web/finder_process.py),
    # else in a worker thread; never on the event loop. A FinderInputError (status 422) becomes a problem+json
    # body in the app's error handler.
    accept_encoding = request.headers.get("accept-encoding")
    searcher: FinderProcess | None = request.app.state.finder_process
    found = (
        await searcher.search(
            ctx.snapshot.revision,
            body.profile,
            today=ctx.today,
            limit=body.limit,
            explain=body.explain,
            accept_encoding=accept_encoding,
        )
        if searcher is not None
        else None
    )
    request.app.state.metrics.finder_search("thread" if found is None else "process")
    if found is None:
        found = await run_in_threadpool(_finder_json, ctx, body, accept_encoding)
    encoding, answer = found
    # The answer echoes profile-derived values: no cache (browser, proxy) may keep it.
    headers = {"Cache-Control": NO_STORE, "Vary": "Accept-Encoding"}
    if encoding != "identity":
        headers["Content-Encoding"] = encoding
    return Response(answer, media_type="application/json", headers=headers)


def _finder_json(ctx: RequestContext, body: FinderRequest, accept_encoding: str | None) -> tuple[str, bytes]:
    """The answer as FastAPI would serialise ``response_model`` (the same bytes), made and compressed in the
    worker thread: -> (content coding, body)."""
    return answer(
        ctx.snapshot,
        body.profile,
        today=ctx.today,
        limit=body.limit,
        explain=body.explain,
        accept_encoding=accept_encoding,
    )


# --- HTML -----------------------------------------------------------------------------------------------


def share_query(preferences: Preferences, view: str) -> str:
    """The share link's query string: filters only, never a profile field."""
    pairs: list[tuple[str, str]] = []
    if preferences.public_only:
        pairs.append(("public_only", "1"))
    if preferences.max_distance_km is not None:
        pairs.append(("max_distance_km", f"{preferences.max_distance_km:g}"))
    if preferences.setting != "any":
        pairs.append(("setting", preferences.setting))
    pairs += [("service_type", t) for t in preferences.service_types]
    if view == "professional":
        pairs.append(("view", view))
    return urlencode(pairs)


def _areas(snapshot: RegistrySnapshot) -> list[tuple[str, list[tuple[str, str]]]]:
    """Area choices grouped by county: [(county, [(code, name), ...]), ...]."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for area in snapshot.geography.area_units.values():
        name = f"{area.name} (bydel)" if area.kind == "bydel" else area.name
        groups.setdefault(area.county, []).append((area.code, name))
    return [(county, sorted(items, key=lambda i: i[1])) for county, items in sorted(groups.items())]


def _page(ctx: RequestContext, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    extra = {
        "title": catalogue(ctx.language).gettext("Find services"),
        "substances": SUBSTANCES,
        "service_types": SHARE_SERVICE_TYPES,
        "areas": _areas(ctx.snapshot),
    }
    response = page(ctx, template, {**extra, **context}, status=status)
    # The results page shows a patient's needs: never cache it anywhere.
    response.headers["Cache-Control"] = NO_STORE
    return response


def _preferences_from_query(
    public_only: bool, max_distance_km: float | None, setting: str, service_type: list[str], language: str
) -> tuple[Preferences, list[str]]:
    try:
        return Preferences(
            public_only=public_only,
            max_distance_km=max_distance_km,
            setting=setting,
            service_types=tuple(service_type),
        ), []
    except ValidationError as error:
        return Preferences(), validation_messages(error.errors(), language)


@router.get("/finn", response_class=HTMLResponse, include_in_schema=False)
def finder_page(
    ctx: Ctx,
    public_only: bool = False,
    max_distance_km: Annotated[float | None, Query(gt=0, le=3000)] = None,
    setting: str = "any",
    service_type: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
    view: str = "public",
) -> HTMLResponse:
    """The form; a share link pre-fills the filters (and nothing else)."""
    preferences, errors = _preferences_from_query(
        public_only, max_distance_km, setting, service_type, ctx.language
    )
    return _page(
        ctx,
        "finder/page.html",
        preferences=preferences,
        view=_view(view),
        errors=errors,
        form={},
        result=None,
    )


def _view(raw: object) -> str:
    return "professional" if raw == "professional" else "public"


def profile_from_form(form: dict[str, Any]) -> dict[str, Any]:
    """Form fields (strings, repeated keys as lists) -> the NeedProfile's JSON shape."""

    def one(key: str) -> str | None:
        value = form.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        return value if value not in (None, "") else None

    def many(key: str) -> list[str]:
        value = form.get(key, [])
        return [v for v in (value if isinstance(value, list) else [value]) if v]

    # The bydel question (Oslo without a city district) answers with ``bydel``: it refines the home area.
    data: dict[str, Any] = {"home_area": one("bydel") or one("home_area"), "age": one("age")}
    if one("postal_code") is not None:
        data["postal_code"] = one("postal_code")
    for key in ("sex", "lar", "coercion", "language"):
        if one(key) is not None:
            data[key] = one(key)
    data["substances"] = many("substances")
    for key in BOOLEAN_FIELDS:
        data[key] = one(key) in ("1", "on", "true")
    data["preferences"] = {
        "public_only": one("public_only") in ("1", "on", "true"),
        "max_distance_km": one("max_distance_km"),
        "setting": one("setting") or "any",
        "service_types": many("service_type"),
    }
    return data


@router.post("/finn/results", response_class=HTMLResponse, include_in_schema=False)
async def finder_results(request: Request, ctx: Ctx) -> HTMLResponse:
    """Results for the posted form: a fragment for htmx, a whole page otherwise."""
    raw = await request.form()
    form: dict[str, Any] = {}
    for key, value in raw.multi_items():
        if isinstance(value, str):
            form.setdefault(key, []).append(value)
    view = _view((form.get("view") or ["public"])[0])
    htmx = request.headers.get("hx-request") == "true"
    template = "finder/results.html" if htmx else "finder/page.html"
    errors: list[str] = []
    result = None
    preferences = Preferences()
    try:
        profile = NeedProfile.model_validate(profile_from_form(form))
        preferences = profile.preferences
        # CPU-bound (ranks every offer): in a worker thread, never on the event loop.
        result = await run_in_threadpool(find, ctx.snapshot, profile, today=ctx.today)
    except ValidationError as error:
        # Messages name the field in the user's language; the submitted values are not echoed into logs.
        errors = validation_messages(error.errors(), ctx.language)
    except (FinderInputError, PostalCodeError) as error:
        errors = [user_error_message(error, ctx.language)]
    status = 200 if htmx or not errors else 422
    return _page(
        ctx,
        template,
        status=status,
        result=result,
        errors=errors,
        view=view,
        preferences=preferences,
        share=share_query(preferences, view),
        form=form,
    )
