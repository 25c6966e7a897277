"""HTML pages: the map (``/``), unit pages, area pages and the bundled boundary geometry.

Routes are thin: a core builder (``tsbkart.views``) makes the data, ``tsbkart.web.templating`` renders it.
The UI language is ``?lang=nb|en`` (remembered in a cookie), else the cookie, else Accept-Language.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache, lru_cache
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from tsbkart.analysis.coverage import latest_population, load_declarations
from tsbkart.reference.files import data_path
from tsbkart.registry.snapshot import Geography
from tsbkart.views.area_page import build_area_page
from tsbkart.views.boundaries import KOMMUNE_FILE, catchment_boundaries
from tsbkart.views.map_page import (
    FORM_FIELDS,
    FilterError,
    active_filter_count,
    filter_units,
    list_page,
    parse_filters,
    selected,
)
from tsbkart.views.unit_page import build_unit_page
from tsbkart.vocab.loader import load_vocabularies
from tsbkart.web.i18n import LANGUAGES, catalogue, negotiate
from tsbkart.web.state import AppState, get_state
from tsbkart.web.templating import render

router = APIRouter()

LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
# Boundaries change with municipal reforms, not per request: let browsers keep them for a week.
GEO_CACHE = "public, max-age=604800"
GEOJSON = "application/geo+json"
# Map marker categories: service types in legend order (most intensive first).
API_GEOJSON = "/api/v1/units.geojson"

State = Annotated[AppState, Depends(get_state)]


def _language(request: Request, state: AppState) -> str:
    cookie = request.cookies.get(LANG_COOKIE)
    return negotiate(request.query_params.get("lang"), cookie, default=state.settings.default_language)


def _page(
    request: Request, language: str, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    response = HTMLResponse(render(request, language, template, context), status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, language, max_age=LANG_COOKIE_MAX_AGE, samesite="lax")
    return response


def _not_found(request: Request, language: str, message: str) -> Response:
    context = {"title": catalogue(language).gettext("Page not found"), "message": message}
    return _page(request, language, "404.html", context, status=404)


def _legend(language: str) -> list[dict[str, Any]]:
    terms = sorted(load_vocabularies()["service_types"], key=lambda t: -int(t.get("level", 0)))
    return [{"code": t.code, "label": t.label_in(language), "level": int(t.get("level", 0))} for t in terms]


def _options(geography: Geography, language: str) -> dict[str, list[tuple[str, str]]]:
    vocabs = load_vocabularies()
    options = {
        name: [(t.code, t.label_in(language)) for t in vocabs[vocab]]
        for name, vocab in (
            ("service_type", "service_types"),
            ("target_group", "target_groups"),
            ("legal_basis", "legal_basis"),
            ("owner_type", "owner_types"),
        )
    }
    options["region"] = sorted(((r.code, r.name) for r in geography.regions.values()), key=lambda o: o[1])
    options["catchment"] = sorted(
        ((c.code, c.name) for c in geography.catchments.values()), key=lambda o: o[1]
    )
    return options


def _page_number(request: Request) -> int:
    """``?side=N`` (the list page); anything that is not a small positive number is page 1."""
    value = request.query_params.get("side", "1")
    return int(value) if value.isdigit() and len(value) < 7 else 1


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def map_page(request: Request, state: State) -> Response:
    language = _language(request, state)
    snapshot = state.snapshot()
    query = {key: request.query_params.getlist(key) for key in request.query_params}
    error = None
    try:
        selection = parse_filters(query, snapshot)
    except FilterError as problem:
        error = str(problem)
        selection = parse_filters({}, snapshot)
    strings = {
        key: catalogue(language).gettext(key)
        for key in (
            "Approximate location",
            "Open the unit page",
            "units",
            "units shown",
            "Location unknown",
            "Catchment area",
            "Oslo is split by city district; the map shows Oslo as one area",
            "Could not load the map data; showing the list from the server.",
        )
    }
    # The first GeoJSON request: preloaded from <head> so it runs while the page is parsed.
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k in FORM_FIELDS and v]
    geojson_url = API_GEOJSON + ("?" + urlencode(pairs) if pairs and not error else "")
    filters = selected(selection)
    context = {
        "title": catalogue(language).gettext("Map of specialised substance-use treatment"),
        "geojson_url": geojson_url,
        "results": list_page(filter_units(snapshot, selection), _page_number(request)),
        "page_url": lambda number: "/?" + urlencode([*pairs, ("side", str(number))]),
        "total": len(snapshot.units),
        "filters": filters,
        "active_filters": active_filter_count(filters),
        "error": error,
        "options": _options(snapshot.geography, language),
        "legend": _legend(language),
        "map_config": json.dumps(
            {
                "geojson": API_GEOJSON,
                "initialGeojson": geojson_url,
                "boundaries": "/geo/opptaksomrader.geojson",
                "tileUrl": state.settings.tile_url or "",
                "tileAttribution": state.settings.tile_attribution,
                "legend": _legend(language),
                "strings": strings,
                "lang": language,
            }
        ),
    }
    return _page(request, language, "map.html", context, status=400 if error else 200)


@router.get("/enhet/{unit_id}", response_class=HTMLResponse, include_in_schema=False)
def unit_page(request: Request, unit_id: str, state: State) -> Response:
    language = _language(request, state)
    page = build_unit_page(state.snapshot(), unit_id, today=date.today())
    if page is None:
        return _not_found(request, language, catalogue(language).gettext("No unit has this id."))
    context = {"title": page.unit.name, "page": page, "teams": state.snapshot().teams}
    return _page(request, language, "unit.html", context)


def _area(request: Request, state: AppState, kind: str, code: str) -> Response:
    language = _language(request, state)
    page = build_area_page(state.snapshot(), kind, code, latest_population(), load_declarations())
    if page is None:
        return _not_found(request, language, catalogue(language).gettext("No area has this code."))
    context = {
        "title": page.link.name,
        "page": page,
        "teams": state.snapshot().teams,
        "units_by_id": {u.id: u for u in page.units},
    }
    return _page(request, language, "area.html", context)


@router.get("/omrade/rhf/{code}", response_class=HTMLResponse, include_in_schema=False)
def region_page(request: Request, code: str, state: State) -> Response:
    return _area(request, state, "rhf", code)


@router.get("/omrade/hf/{code}", response_class=HTMLResponse, include_in_schema=False)
def catchment_page(request: Request, code: str, state: State) -> Response:
    return _area(request, state, "hf", code)


@router.get("/omrade/kommune/{code}", response_class=HTMLResponse, include_in_schema=False)
def municipality_page(request: Request, code: str, state: State) -> Response:
    return _area(request, state, "kommune", code)


@cache
def _kommune_bytes() -> bytes:
    return data_path(KOMMUNE_FILE).read_bytes()


@router.get("/geo/kommuner.geojson", include_in_schema=False)
def kommune_geometry() -> Response:
    return Response(_kommune_bytes(), media_type=GEOJSON, headers={"Cache-Control": GEO_CACHE})


@lru_cache(maxsize=4)
def _catchment_bytes(catchments: tuple[tuple[str, str], ...]) -> bytes:
    # Keyed on the (name, code) pairs, the only part of the geography the output depends on.
    collection = catchment_boundaries(dict(catchments))
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


@router.get("/geo/opptaksomrader.geojson", include_in_schema=False)
def catchment_geometry(state: State) -> Response:
    catchments = state.snapshot().geography.catchments.values()
    body = _catchment_bytes(tuple(sorted((c.name, c.code) for c in catchments)))
    return Response(body, media_type=GEOJSON, headers={"Cache-Control": GEO_CACHE})
