"""HTML pages: the map (``/``), unit pages, area pages and the bundled boundary geometry.

Routes are thin: a core builder (``tsbkart.views``) makes the data, ``tsbkart.web.templating`` renders it.
The UI language is ``?lang=nb|en`` (remembered in a cookie), else the cookie, else Accept-Language.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
import yaml
from babel import Locale
from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from tsbkart.atlas.coverage import load_declarations
from tsbkart.domain.errors import NotFound
from tsbkart.exchange.spreadsheet import csv_text, xlsx_bytes
from tsbkart.query.explain import Suggestion
from tsbkart.query.filters import VOCABULARY_OF, UnitFilter
from tsbkart.query.params import Params, unit_filter
from tsbkart.reference.files import data_path
from tsbkart.reference.population import latest_population
from tsbkart.reference.postal import PostalCodeError
from tsbkart.registry.snapshot import Geography
from tsbkart.views.area_page import AreaPage, area_tables, build_area_page
from tsbkart.views.areas_index import build_areas_index
from tsbkart.views.boundaries import KOMMUNE_FILE, catchment_boundaries
from tsbkart.views.map_page import (
    FORM_FIELDS,
    FilterError,
    active_filter_count,
    map_explanation,
    result_page,
    selected,
    suggestion_query,
)
from tsbkart.views.unit_page import build_unit_page
from tsbkart.vocab.loader import load_vocabularies
from tsbkart.web.context import Ctx, RequestContext
from tsbkart.web.errors import FIELDS, user_error_message
from tsbkart.web.i18n import catalogue
from tsbkart.web.state import AppState, get_state
from tsbkart.web.templating import FIT_LABELS, page

router = APIRouter()

# Boundaries change with municipal reforms, not per request: let browsers keep them for a week.
GEO_CACHE = "public, max-age=604800"
GEOJSON = "application/geo+json"
# Map marker categories: service types in legend order (most intensive first).
API_GEOJSON = "/api/v1/units.geojson"

State = Annotated[AppState, Depends(get_state)]


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
            ("delivery_method", "delivery_methods"),
            ("accessibility", "accessibility"),
        )
    }
    options["language"] = _languages(language)
    options["region"] = sorted(((r.code, r.name) for r in geography.regions.values()), key=lambda o: o[1])
    options["catchment"] = sorted(
        ((c.code, c.name) for c in geography.catchments.values()), key=lambda o: o[1]
    )
    return options


# Languages the language filter always offers: Norwegian, Sami and English; the registry adds what it states.
BASE_LANGUAGES = ("nb", "nn", "se", "en")


def _languages(language: str, stated: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(code, name in the page's language) for the language filter; names from the CLDR data Babel ships."""
    names = Locale.parse(language).languages
    codes = dict.fromkeys([*BASE_LANGUAGES, *sorted(stated)])
    return [(code, names.get(code, code)) for code in codes]


def _page_number(value: str) -> int:
    """``?side=N`` (the list page); anything that is not a small positive number is page 1."""
    return int(value) if value.isdigit() and len(value) < 7 else 1


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def map_page(ctx: Ctx, state: State) -> Response:
    language, snapshot = ctx.language, ctx.snapshot
    error = None
    try:
        selection = unit_filter(ctx.params, snapshot)
    except (FilterError, PostalCodeError) as problem:
        error = user_error_message(problem, language)
        selection = unit_filter({}, snapshot)
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
    pairs = [(k, v) for k, values in ctx.params.items() if k in FORM_FIELDS for v in values if v]
    geojson_url = API_GEOJSON + ("?" + urlencode(pairs) if pairs and not error else "")
    # "near" is shown as typed (a postal code or lat,lon); the selection holds only its point.
    near = [v for v in ctx.params.get("near", ()) if v.strip()]
    filters = selected(selection) | {"near": near[-1].strip() if near and not error else ""}
    context = {
        "title": catalogue(language).gettext("Map of specialised substance-use treatment"),
        "geojson_url": geojson_url,
        "results": result_page(snapshot, selection, _page_number(ctx.params.get("side", ["1"])[-1])),
        "page_url": lambda number: "/?" + urlencode([*pairs, ("side", str(number))]),
        "total": len(snapshot.units),
        "filters": filters,
        "active_filters": active_filter_count(filters),
        "error": error,
        **_explanation_context(ctx, {} if error else ctx.params, selection, language),
        "options": _options(snapshot.geography, language),
        "legend": _legend(language),
        "map_config": orjson.dumps(
            {
                "geojson": API_GEOJSON,
                "initialGeojson": geojson_url,
                "boundaries": "/geo/opptaksomrader.geojson",
                "tileUrl": state.settings.tile_url or "",
                "tileAttribution": state.settings.tile_attribution,
                "legend": _legend(language),
                "strings": strings,
                "fits": {fit: catalogue(language).gettext(text) for fit, text in FIT_LABELS.items()},
                "explanation": "/kart/forklaring",
                "lang": language,
            }
        ).decode(),
    }
    return page(ctx, "map.html", context, status=400 if error else 200)


def _explanation_context(
    ctx: RequestContext, params: Params, selection: UnitFilter, language: str
) -> dict[str, Any]:
    """What ``_explanation.html`` needs: the explanation and how to word and link its suggestions."""
    geography = ctx.snapshot.geography
    names = {
        **{r.code: r.name for r in geography.regions.values()},
        **{c.code: c.name for c in geography.catchments.values()},
    }
    gettext = catalogue(language).gettext

    def area_name(code: str) -> str:
        area = geography.area_units.get(code)
        return names.get(code) or (area.name if area is not None else code)

    def suggestion_url(suggestion: Suggestion) -> str:
        pairs = suggestion_query(suggestion)
        return "/?" + urlencode(pairs) if pairs else "/"

    return {
        "explanation": map_explanation(ctx.snapshot, params, selection),
        "suggestion_url": suggestion_url,
        "field_label": lambda parameter: gettext(FIELDS.get(str(parameter), str(parameter))),
        "area_name": area_name,
        "vocabulary_of": lambda parameter: VOCABULARY_OF.get(parameter),
    }


@router.get("/kart/forklaring", response_class=HTMLResponse, include_in_schema=False)
def map_explanation_fragment(ctx: Ctx) -> Response:
    """The map's explanation for a query alone (the map script swaps it in when a filter changes)."""
    params: Params = ctx.params
    try:
        selection = unit_filter(params, ctx.snapshot)
    except FilterError:
        params = {}
        selection = unit_filter(params, ctx.snapshot)
    context = _explanation_context(ctx, params, selection, ctx.language)
    return page(ctx, "_explanation.html", context)


@router.get("/enhet/{unit_id}", response_class=HTMLResponse, include_in_schema=False)
def unit_page(unit_id: str, ctx: Ctx) -> Response:
    built = build_unit_page(ctx.snapshot, unit_id, today=ctx.today)
    if built is None:
        raise NotFound("No unit has this id.")
    return page(ctx, "unit.html", {"title": built.unit.name, "page": built, "teams": ctx.snapshot.teams})


def _area_page(ctx: Ctx, kind: str, code: str) -> AreaPage:
    built = build_area_page(ctx.snapshot, kind, code, latest_population(), load_declarations())
    if built is None:
        raise NotFound("No area has this code.")
    return built


def _area_map(built: AreaPage, state: AppState, language: str) -> str:
    """The small map's configuration: the area's located units (the list below the map has them all)."""
    units = [
        {"name": u.name, "url": f"/enhet/{u.id}", "lat": u.lat, "lon": u.lon, "approximate": u.is_approximate}
        for u in built.units
        if u.lat is not None and u.lon is not None
    ]
    config = {
        "units": units,
        "tileUrl": state.settings.tile_url or "",
        "tileAttribution": state.settings.tile_attribution,
        "strings": {"approximate": catalogue(language).gettext("Approximate location")},
    }
    return orjson.dumps(config).decode()


def _area(ctx: Ctx, state: AppState, kind: str, code: str) -> Response:
    built = _area_page(ctx, kind, code)
    context = {
        "title": built.link.name,
        "page": built,
        "teams": ctx.snapshot.teams,
        "units_by_id": {u.id: u for u in built.units},
        "map_config": _area_map(built, state, ctx.language),
    }
    return page(ctx, "area.html", context)


@cache
def _info_sources() -> tuple[tuple[str, str], ...]:
    """The patient page's sources as (url, name), in citation order (``web/info_sources.yaml``)."""
    text = (resources.files("tsbkart.web") / "info_sources.yaml").read_text(encoding="utf-8")
    return tuple((entry["url"], entry["name"]) for entry in yaml.safe_load(text)["sources"])


@router.get("/om-rusbehandling", response_class=HTMLResponse, include_in_schema=False)
def patient_information(ctx: Ctx) -> Response:
    """Plain-language page for patients and relatives, bokmål and English, each statement with its source."""
    title = catalogue(ctx.language).gettext("About substance-use treatment")
    return page(ctx, "info.html", {"title": title, "sources": _info_sources()})


@router.get("/omrade", response_class=HTMLResponse, include_in_schema=False)
def areas_index(ctx: Ctx) -> Response:
    index = build_areas_index(ctx.snapshot)
    context = {
        "title": catalogue(ctx.language).gettext("Areas"),
        "index": index,
        "catchments": sum(len(r.catchments) for r in index.regions),
    }
    return page(ctx, "areas.html", context)


@router.get("/omrade/rhf/{code}", response_class=HTMLResponse, include_in_schema=False)
def region_page(code: str, ctx: Ctx, state: State) -> Response:
    return _area(ctx, state, "rhf", code)


@router.get("/omrade/hf/{code}", response_class=HTMLResponse, include_in_schema=False)
def catchment_page(code: str, ctx: Ctx, state: State) -> Response:
    return _area(ctx, state, "hf", code)


@router.get("/omrade/kommune/{code}", response_class=HTMLResponse, include_in_schema=False)
def municipality_page(code: str, ctx: Ctx, state: State) -> Response:
    return _area(ctx, state, "kommune", code)


# The area downloads: file name -> (table or None for the workbook of both, media type).
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AREA_DOWNLOADS = {
    "matrise.csv": ("matrix", "text/csv; charset=utf-8"),
    "enheter.csv": ("units", "text/csv; charset=utf-8"),
    "omrade.xlsx": (None, XLSX),
}
AREA_KINDS = ("rhf", "hf", "kommune")


@router.get("/omrade/{kind}/{code}/{name}", include_in_schema=False)
def area_download(kind: str, code: str, name: str, ctx: Ctx) -> Response:
    """The area's matrix or units as CSV, or both as an XLSX workbook; every text cell formula-guarded."""
    if kind not in AREA_KINDS or name not in AREA_DOWNLOADS:
        raise NotFound("There is no page at this address.")
    tables = area_tables(_area_page(ctx, kind, code), ctx.snapshot)
    table, media_type = AREA_DOWNLOADS[name]
    body: str | bytes = xlsx_bytes(tables) if table is None else csv_text(tables[table])
    disposition = f'attachment; filename="tsbkart-{kind}-{code}-{name}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


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
    return orjson.dumps(collection)


@router.get("/geo/opptaksomrader.geojson", include_in_schema=False)
def catchment_geometry(ctx: Ctx) -> Response:
    catchments = ctx.snapshot.geography.catchments.values()
    body = _catchment_bytes(tuple(sorted((c.name, c.code) for c in catchments)))
    return Response(body, media_type=GEOJSON, headers={"Cache-Control": GEO_CACHE})
