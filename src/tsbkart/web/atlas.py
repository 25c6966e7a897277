"""Atlas pages: ``/atlas`` (indicators), ``/atlas/{id}`` (choropleth, ranked bars, table),
``/atlas/{id}.csv|.xlsx|.json``, ``/atlas/rapport/{catchment}`` (printable HTML) and ``.pdf`` (WeasyPrint).

Thin: the data comes from ``tsbkart.atlas``; this module renders it. Indicator tables are cached per registry
revision (they depend only on the snapshot and the bundled population).
"""

from __future__ import annotations

from collections import OrderedDict
from importlib import resources
from threading import Lock
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from tsbkart.analysis.coverage import latest_population, load_declarations
from tsbkart.atlas.chart import ranked_bars
from tsbkart.atlas.export import to_csv, to_json, to_xlsx
from tsbkart.atlas.indicators import IndicatorTable, indicator, indicator_table, indicators
from tsbkart.atlas.report import build_report
from tsbkart.atlas.variation_view import indicator_variation
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.web.i18n import LANGUAGES, catalogue, negotiate
from tsbkart.web.state import AppState, get_state
from tsbkart.web.templating import render

router = APIRouter()
State = Annotated[AppState, Depends(get_state)]

BOUNDARIES = "/geo/opptaksomrader.geojson"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS = {"csv": "text/csv; charset=utf-8", "json": "application/json", "xlsx": XLSX}
_CACHE: OrderedDict[tuple[int, int, str], IndicatorTable] = OrderedDict()
_CACHE_SIZE = 64
_LOCK = Lock()


def _language(request: Request, state: AppState) -> str:
    query, cookie = request.query_params.get("lang"), request.cookies.get("lang")
    accept = request.headers.get("accept-language")
    if not query and not cookie and not accept:
        return state.settings.default_language
    return negotiate(query, cookie, accept)


def _html(
    request: Request, language: str, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    response = HTMLResponse(render(request, language, template, context), status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", language, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _not_found(request: Request, language: str, message: str) -> Response:
    context = {"title": catalogue(language).gettext("Page not found"), "message": message}
    return _html(request, language, "atlas/not_found.html", context, status=404)


def _table(snapshot: RegistrySnapshot, indicator_id: str) -> IndicatorTable:
    key = (id(snapshot), snapshot.revision, indicator_id)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    table = indicator_table(snapshot, indicator_id, latest_population())
    with _LOCK:
        _CACHE[key] = table
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return table


@router.get("/atlas", response_class=HTMLResponse, include_in_schema=False)
def atlas_index(request: Request, state: State) -> Response:
    language = _language(request, state)
    snapshot = state.snapshot()
    catchments = sorted(snapshot.geography.catchments.values(), key=lambda c: c.name)
    context = {
        "title": catalogue(language).gettext("Atlas of substance-use treatment"),
        "indicators": indicators(),
        "catchments": catchments,
    }
    return _html(request, language, "atlas/index.html", context)


def _report_context(snapshot: RegistrySnapshot, code: str, for_pdf: bool) -> dict[str, Any] | None:
    tables = {i.id: _table(snapshot, i.id) for i in indicators()}
    report = build_report(snapshot, code, latest_population(), load_declarations(), tables)
    if report is None:
        return None
    return {
        "title": report.name,
        "report": report,
        "units": snapshot.units,
        "teams": snapshot.teams,
        "region": snapshot.geography.regions.get(report.region_code),
        "pdf": for_pdf,
    }


@router.get("/atlas/rapport/{name}", include_in_schema=False)
def atlas_report(request: Request, name: str, state: State) -> Response:
    language = _language(request, state)
    code, _, suffix = name.partition(".")
    if suffix not in ("", "pdf"):
        return _not_found(request, language, catalogue(language).gettext("Unknown report format."))
    context = _report_context(state.snapshot(), code, suffix == "pdf")
    if context is None:
        return _not_found(request, language, catalogue(language).gettext("No catchment area has this code."))
    if suffix == "pdf":
        return _pdf(render(request, language, "atlas/report.html", context), code)
    return _html(request, language, "atlas/report.html", context)


PDF_BASE = "https://tsbkart.invalid/"


def report_html(snapshot: RegistrySnapshot, code: str, language: str, *, for_pdf: bool = False) -> str | None:
    """The report page as HTML outside a request (for the CLI); None for an unknown catchment code."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": f"/atlas/rapport/{code}",
        "query_string": b"",
        "headers": [],
    }
    context = _report_context(snapshot, code, for_pdf)
    if context is None:
        return None
    return render(Request(scope), language, "atlas/report.html", context)


def pdf_bytes(html: str) -> bytes:
    """Print ``html`` (a report page) to PDF with WeasyPrint; /static/ is read from the package."""
    # Imported here: WeasyPrint needs Debian's libpango, which only PDF output should depend on.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static = resources.files("tsbkart.web") / "static"

    class PackageFetcher(URLFetcher):  # type: ignore[misc]
        """Serve /static/ from the package; refuse everything else (no network while printing)."""

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            prefix = PDF_BASE + "static/"
            if not url.startswith(prefix):
                raise ValueError(f"not fetched while printing: {url}")
            target = static.joinpath(*url.removeprefix(prefix).split("?")[0].split("/"))
            kind = "text/css" if url.endswith(".css") else "application/octet-stream"
            return URLFetcherResponse(url, body=target.read_bytes(), headers={"Content-Type": kind})

    document: bytes = HTML(string=html, base_url=PDF_BASE, url_fetcher=PackageFetcher()).write_pdf()
    return document


def _pdf(html: str, code: str) -> Response:
    headers = {"Content-Disposition": f'inline; filename="tsbkart-rapport-{code}.pdf"'}
    return Response(pdf_bytes(html), media_type="application/pdf", headers=headers)


@router.get("/atlas/{name}", include_in_schema=False)
def atlas_indicator(request: Request, name: str, state: State) -> Response:
    language = _language(request, state)
    indicator_id, _, suffix = name.partition(".")
    definition = indicator(indicator_id)
    if definition is None:
        return _not_found(request, language, catalogue(language).gettext("No indicator has this id."))
    if suffix and suffix not in EXPORTS:
        return _not_found(request, language, catalogue(language).gettext("Unknown export format."))
    table = _table(state.snapshot(), indicator_id)
    if suffix:
        body: str | bytes = (
            to_xlsx(table) if suffix == "xlsx" else (to_csv if suffix == "csv" else to_json)(table)
        )
        headers = {"Content-Disposition": f'attachment; filename="{indicator_id}.{suffix}"'}
        if suffix == "json":
            headers = {}
        return Response(body, media_type=EXPORTS[suffix], headers=headers)
    context = {
        "title": definition.text("title", language),
        "indicator": definition,
        "table": table,
        "rows": table.rows.to_dict("records"),
        "chart": ranked_bars(table),
        "variation": indicator_variation(table),
        "boundaries": BOUNDARIES,
    }
    return _html(request, language, "atlas/indicator.html", context)
