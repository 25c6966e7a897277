"""Atlas pages: ``/atlas`` (indicators), ``/atlas/{id}`` (choropleth, ranked bars, table),
``/atlas/{id}.csv|.xlsx|.json``, ``/atlas/rapport/{catchment}`` (printable HTML) and ``.pdf`` (WeasyPrint).

Thin: the data comes from ``tsbkart.atlas``; this module renders it. Indicator tables are computed once per
snapshot (``RegistrySnapshot.derived``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import URL

from tsbkart.atlas.chart import bar_rows, ranked_bars
from tsbkart.atlas.coverage import load_declarations
from tsbkart.atlas.export import to_csv, to_json, to_xlsx
from tsbkart.atlas.indicators import Indicator, IndicatorTable, indicator, indicator_table, indicators
from tsbkart.atlas.report import build_report, report_sources
from tsbkart.atlas.variation_view import indicator_variation
from tsbkart.charts import render_svg
from tsbkart.domain.calendar import today
from tsbkart.domain.errors import NotFound
from tsbkart.reference.population import latest_population
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.web.context import Ctx
from tsbkart.web.errors import MESSAGES, error_page
from tsbkart.web.i18n import catalogue
from tsbkart.web.planning import output_labels, report_planning
from tsbkart.web.report_pdfs import RendersBusy, ReportPdfs
from tsbkart.web.templating import fmt_number, html_response, page, render, session_of

router = APIRouter()
REPORT = "atlas/report.html"

BOUNDARIES = "/geo/opptaksomrader.geojson"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS = {"csv": "text/csv; charset=utf-8", "json": "application/json", "xlsx": XLSX}


def _table(snapshot: RegistrySnapshot, indicator_id: str) -> IndicatorTable:
    """The indicator's table, computed once per snapshot (it depends only on it and the bundled population)."""
    return snapshot.derived(
        ("atlas.indicator_table", indicator_id),
        lambda s: indicator_table(s, indicator_id, latest_population()),
    )


@router.get("/atlas", response_class=HTMLResponse, include_in_schema=False)
def atlas_index(ctx: Ctx) -> Response:
    catchments = sorted(ctx.snapshot.geography.catchments.values(), key=lambda c: c.name)
    context = {
        "title": catalogue(ctx.language).gettext("Atlas of substance-use treatment"),
        "indicators": indicators(),
        "catchments": catchments,
    }
    return page(ctx, "atlas/index.html", context)


def _report_context(snapshot: RegistrySnapshot, code: str, for_pdf: bool) -> dict[str, Any] | None:
    tables = {i.id: _table(snapshot, i.id) for i in indicators()}
    report = build_report(snapshot, code, latest_population(), load_declarations(), tables)
    if report is None:
        return None
    return {
        "title": report.name,
        "report": report,
        "planning": report_planning(snapshot, code),
        "units": snapshot.units,
        "teams": snapshot.teams,
        "region": snapshot.geography.regions.get(report.region_code),
        "sources": report_sources(snapshot, report),
        "revision": snapshot.revision,
        "pdf": for_pdf,
    }


@router.get("/atlas/rapport/{name}", include_in_schema=False)
def atlas_report(request: Request, name: str, ctx: Ctx) -> Response:
    code, _, suffix = name.partition(".")
    if suffix not in ("", "pdf"):
        raise NotFound("Unknown report format.")
    session = session_of(ctx)
    pdf = suffix == "pdf"
    html = report_html(
        ctx.snapshot, code, ctx.language, for_pdf=pdf, url=ctx.url, day=ctx.today, session=session
    )
    if html is None:
        raise NotFound("No catchment area has this code.")
    if suffix == "pdf":
        # Rendered once per catchment, revision, language and day, a few at a time (report_pdfs.py).
        pdfs: ReportPdfs = request.app.state.report_pdfs
        key = (code, ctx.snapshot.revision, ctx.language, ctx.today)
        try:
            return _pdf(pdfs.get(key, lambda: pdf_bytes(html)), code)
        except RendersBusy:
            message = catalogue(ctx.language).gettext(MESSAGES[500])
            return error_page(ctx, 503, [message], {"Retry-After": str(PDF_RETRY_AFTER_SECONDS)})
    return html_response(ctx, html)


PDF_BASE = "https://tsbkart.invalid/"
PDF_RETRY_AFTER_SECONDS = 10


def report_html(
    snapshot: RegistrySnapshot,
    code: str,
    language: str,
    *,
    for_pdf: bool = False,
    url: URL | None = None,
    day: date | None = None,
    session: Mapping[str, Any] | None = None,
) -> str | None:
    """The catchment report as HTML: the one renderer the page, its PDF and ``tsbkart atlas report`` call.
    None for an unknown catchment code. Outside a request the URL is the report's path, the day today and
    nobody is signed in (``session`` is what ``templating.session_of`` gives for a request)."""
    context = _report_context(snapshot, code, for_pdf)
    if context is None:
        return None
    where = url or URL(f"/atlas/rapport/{code}")
    shown = {
        "viewer": None,
        "csrf_token": None,
        **(session or {}),
        **context,
        "output_labels": output_labels(language),
    }
    return render(REPORT, shown, language=language, url=where, day=day or today())


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


def _pdf(body: bytes, code: str) -> Response:
    headers = {"Content-Disposition": f'inline; filename="tsbkart-rapport-{code}.pdf"'}
    return Response(body, media_type="application/pdf", headers=headers)


def _bar_chart(table: IndicatorTable, definition: Indicator, language: str) -> str:
    """The ranked bars as accessible SVG (Vega-Lite, rendered on the server); the description lists each value."""
    gettext = catalogue(language).gettext
    texts = {"x": definition.text("unit", language), "unknown": gettext("unknown")}
    parts = []
    for name, value in zip(bar_rows(table)["name"], bar_rows(table)["value"].astype(float), strict=True):
        shown = gettext("unknown") if math.isnan(value) else fmt_number(value, language, 2)
        parts.append(f"{name}: {shown}")
    values = "; ".join(parts)
    description = gettext(
        "Bar chart, highest first; lines show 95% intervals where published; the dashed line is Norway."
    )
    return render_svg(
        ranked_bars(table, texts), definition.text("title", language), f"{description} {values}", language
    )


@router.get("/atlas/{name}", include_in_schema=False)
def atlas_indicator(name: str, ctx: Ctx) -> Response:
    indicator_id, _, suffix = name.partition(".")
    definition = indicator(indicator_id)
    if definition is None:
        raise NotFound("No indicator has this id.")
    if suffix and suffix not in EXPORTS:
        raise NotFound("Unknown export format.")
    table = _table(ctx.snapshot, indicator_id)
    if suffix:
        body: str | bytes = (
            to_xlsx(table) if suffix == "xlsx" else (to_csv if suffix == "csv" else to_json)(table)
        )
        headers = {"Content-Disposition": f'attachment; filename="{indicator_id}.{suffix}"'}
        if suffix == "json":
            headers = {}
        return Response(body, media_type=EXPORTS[suffix], headers=headers)
    context = {
        "title": definition.text("title", ctx.language),
        "indicator": definition,
        "table": table,
        "rows": table.rows.to_dict("records"),
        "chart": _bar_chart(table, definition, ctx.language),
        "variation": indicator_variation(table),
        "boundaries": BOUNDARIES,
    }
    return page(ctx, "atlas/indicator.html", context)
