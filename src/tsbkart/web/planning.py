"""Planning pages (issue #13): ``/plan`` and
``/plan/{befolkning|kapasitet|gylden-regel|utvikling}[.csv|.xlsx|.json]``.

Thin: the frames come from ``tsbkart.planning.views``, the chart specifications from ``tsbkart.planning.charts``
and the SVG from ``tsbkart.charts``; this module only picks the query parameters and renders.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine

from tsbkart.atlas.indicators import trend_indicators
from tsbkart.charts import render_svg
from tsbkart.domain.calendar import today
from tsbkart.domain.errors import NotFound, UserError
from tsbkart.planning.capacity import OUTPUTS
from tsbkart.planning.capacity_settings import measure_label
from tsbkart.planning.charts import (
    SCHEMA,
    band_chart,
    growth_chart,
    lines_chart,
    small_multiples,
    tornado_chart,
)
from tsbkart.planning.export import to_csv, to_json, to_xlsx
from tsbkart.planning.goldenrule import rule_config
from tsbkart.planning.population import project_population
from tsbkart.planning.projection import PopulationProjection
from tsbkart.planning.report_section import SCENARIO, PlanningSection, planning_section
from tsbkart.planning.scenarios import load_scenarios
from tsbkart.planning.sensitivity import tornado
from tsbkart.planning.stated import stated_beds
from tsbkart.planning.trends import trend_frame
from tsbkart.planning.views import (
    TREND_BASIS,
    capacity_view,
    default_usage,
    goldenrule_view,
    population_series,
    population_view,
    trend_view,
)
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.web.context import Ctx, RequestContext
from tsbkart.web.i18n import catalogue
from tsbkart.web.state import AppState, get_state
from tsbkart.web.templating import page

router = APIRouter()
log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "xlsx": XLSX}
LEVELS = ("catchment", "region", "nation")
PAGE_YEARS = (2026, 2030, 2035, 2040)


class BadChoice(UserError, ValueError):
    status = 400


@cache
def _projection() -> PopulationProjection:
    return project_population(2040)


@cache
def _capacity_frame(level: str, scenario: str, band: str) -> pd.DataFrame:
    """The bundled inputs never change while the app runs, so each (level, scenario, band) is built once."""
    return capacity_view(level, scenario, band=band, usage=default_usage(), projection=_projection())  # type: ignore[arg-type]


@cache
def _tornado(scenario: str, language: str) -> pd.DataFrame:
    return tornado(_projection(), default_usage(), scenario, "beds", 2040, "norge", "nation", language)


def report_planning(snapshot: RegistrySnapshot, code: str) -> PlanningSection | None:
    """The catchment report's planning section, from the frames these pages cache (so they agree)."""
    frame = _capacity_frame("catchment", SCENARIO, "one-at-a-time")
    return planning_section(snapshot, code, _projection(), frame, default_usage())


def output_labels(language: str) -> dict[str, str]:
    return {o: _output_label(o, language) for o in OUTPUTS}


def _choice(ctx: RequestContext, name: str, allowed: tuple[str, ...], default: str) -> str:
    values = ctx.params.get(name) or [default]
    if values[-1] not in allowed:
        raise BadChoice(f"Unknown value for {name}.")
    return values[-1]


def _texts(ctx: RequestContext, **keys: str) -> dict[str, str]:
    gettext = catalogue(ctx.language).gettext
    return {k: gettext(v) if v else "" for k, v in keys.items()}  # gettext("") is the catalogue header


def _chart(ctx: RequestContext, spec: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    """One chart standing alone: ``{"svgs": [svg]}`` (the template's ``figures``)."""
    return {"svgs": [render_svg(spec, title, description, ctx.language)]}


def _multiples(
    ctx: RequestContext, charts: list[tuple[str, dict[str, Any]]], title: str, description: str
) -> dict[str, Any]:
    """Small multiples: one SVG per area under one caption, laid out by CSS (one column on a phone)."""
    svgs = [render_svg(spec, f"{title}: {name}", description, ctx.language) for name, spec in charts]
    return {"title": title, "svgs": svgs}


def _download(frame: pd.DataFrame, about: Mapping[str, Any], name: str, suffix: str) -> Response:
    body: str | bytes = (
        to_xlsx(frame, about)
        if suffix == "xlsx"
        else (to_json(frame, about) if suffix == "json" else to_csv(frame))
    )
    headers = {} if suffix == "json" else {"Content-Disposition": f'attachment; filename="{name}.{suffix}"'}
    return Response(body, media_type=MEDIA[suffix], headers=headers)


@router.get("/plan", response_class=HTMLResponse, include_in_schema=False)
def plan_index(ctx: Ctx) -> Response:
    return page(ctx, "planning/index.html", {"title": catalogue(ctx.language).gettext("Planning to 2040")})


def _population(ctx: RequestContext, suffix: str) -> Response:
    level = _choice(ctx, "niva", LEVELS, "catchment")
    projection = _projection()
    table = population_view(level, "broad", tuple(range(2026, 2041)), projection=projection)  # type: ignore[arg-type]
    about = {"projection": table.attrs["projection"], "method": table.attrs["method"], "level": level}
    if suffix:
        return _download(table, about, f"befolkning-{level}", suffix)
    texts = _texts(ctx, x="Year", y="Population", series="Age group", dash="Observed or projected")
    gettext = catalogue(ctx.language).gettext
    kinds = {"observed": gettext("observed"), "projected": gettext("projected")}
    regions = population_series("region", "broad", projection)
    nation = population_series("nation", "broad", projection)
    regions, nation = (f.assign(kind=f["kind"].map(kinds)) for f in (regions, nation))
    charts = [
        _chart(
            ctx,
            lines_chart(nation, texts, "population", "age_group", dash="kind"),
            gettext("Norway by age group, 2010-2040"),
            gettext(
                "Lines per age group; observed to 2026, then projected. The table below has the numbers."
            ),
        ),
        _multiples(
            ctx,
            small_multiples(
                regions,
                "name",
                lambda part: lines_chart(part, texts, "population", "age_group", dash="kind", panel=True),
            ),
            gettext("Each region by age group, 2010-2040"),
            gettext("Small multiples, one per region; observed to 2026, then projected."),
        ),
    ]
    wide = table.pivot_table(
        index=["code", "name", "age_group"], columns="year", values="population", sort=False
    )
    context = {
        "title": gettext("Population projection"),
        "level": level,
        "levels": LEVELS,
        "charts": charts,
        "years": PAGE_YEARS,
        "rows": wide[list(PAGE_YEARS)].reset_index().to_dict("records"),
        "projection": projection,
        "settings": about["method"],
    }
    return page(ctx, "planning/population.html", context)


def _capacity(ctx: RequestContext, suffix: str) -> Response:
    book = load_scenarios()
    scenario = _choice(ctx, "scenario", tuple(book.scenarios), "illustrative")
    level = _choice(ctx, "niva", ("catchment", "region"), "catchment")
    band = _choice(ctx, "band", ("one-at-a-time", "monte-carlo"), "one-at-a-time")
    usage = default_usage()
    frame = _capacity_frame(level, scenario, band)
    about = {
        k: frame.attrs[k]
        for k in ("scenario", "projection", "usage", "utilisation", "man_years_per_patient", "band")
    }
    if suffix:
        return _download(frame, about, f"kapasitet-{scenario}-{level}", suffix)
    gettext = catalogue(ctx.language).gettext
    nation = _capacity_frame("nation", scenario, band)
    labels = {o: _output_label(o, ctx.language) for o in OUTPUTS}
    nation = nation[nation["output"].isin(["beds", "bed_days", "outpatient_consultations", "man_years"])]
    nation = nation.assign(name=nation["output"].map(labels))
    regions = _capacity_frame("region", scenario, band)
    beds = regions[regions["output"] == "beds"]
    texts = _texts(ctx, x="Year", y="")
    swing = _tornado(scenario, ctx.language)
    charts = [
        _multiples(
            ctx,
            small_multiples(nation, "name", lambda part: band_chart(part, texts, panel=True)),
            gettext("Norway: projected use and capacity"),
            gettext("Small multiples per measure: line = scenario, band = parameter ranges."),
        ),
        _multiples(
            ctx,
            small_multiples(
                beds, "name", lambda part: band_chart(part, {**texts, "y": labels["beds"]}, panel=True)
            ),
            gettext("Beds per region"),
            gettext("Small multiples, one per region: line = scenario, band = parameter ranges."),
        ),
        _chart(
            ctx,
            tornado_chart(swing, {"x": gettext("Beds in Norway 2040")}),
            gettext("Which parameter matters most"),
            gettext(
                "Bars from each parameter's low to its high end, largest swing first; dashed line = the scenario."
            ),
        ),
    ]
    last = frame[frame["year"] == 2040].pivot_table(
        index=["code", "name"], columns="output", values=["value", "low", "high"]
    )
    stated = stated_beds(ctx.snapshot, "catchment" if level == "catchment" else "region").set_index("code")
    rows = [_capacity_row(key, row, stated) for key, row in last.iterrows()]
    context = {
        "title": gettext("Capacity projection"),
        "scenario": book.scenario(scenario),
        "scenarios": book.scenarios,
        "book": book,
        "level": level,
        "band": band,
        "charts": charts,
        "rows": rows,
        "outputs": OUTPUTS,
        "labels": labels,
        "usage": usage,
        "about": about,
        "tornado": swing.to_dict("records"),
    }
    return page(ctx, "planning/capacity.html", context)


def _capacity_row(key: Any, row: pd.Series, stated: pd.DataFrame) -> dict[str, Any]:
    code, name = key
    return {
        "code": code,
        "name": name,
        "values": {o: (row[("value", o)], row[("low", o)], row[("high", o)]) for o in OUTPUTS},
        "stated": stated.loc[code].to_dict() if code in stated.index else None,
    }


def _output_label(output: str, language: str) -> str:
    if output in ("beds", "man_years"):
        gettext = catalogue(language).gettext
        return gettext("Beds") if output == "beds" else gettext("Man-years")
    return measure_label(output, language)


def _goldenrule(ctx: RequestContext, suffix: str) -> Response:
    config = rule_config()
    group = _choice(ctx, "gruppe", tuple(config["groups"]), "costs")
    sector = _choice(ctx, "sektor", tuple(config["compared_sectors"]), "TSB")
    view = goldenrule_view(group, sector)
    rows = view.result[(view.result["group"] == group) & (view.result["sector"] == sector)]
    about = {"series": view.origin, "group": group, "sector": sector}
    if suffix:
        return _download(view.result, about, "gylden-regel", suffix)
    gettext = catalogue(ctx.language).gettext
    sector_label = config["compared_sectors"][sector][ctx.language]
    regional = rows[(rows["area_level"] == "RHF") & rows["holds"].notna() & rows["growth"].notna()]
    charts = []
    if not regional.empty:
        texts = {
            "x": gettext("Year"),
            "y": gettext("Growth (%)"),
            "sector": sector_label,
            "somatic": config["sector_labels"]["somatic"][ctx.language],
        }
        charts.append(
            _multiples(
                ctx,
                small_multiples(regional, "area", lambda part: growth_chart(part, texts, panel=True)),
                gettext("Growth against somatic care per region"),
                gettext("Small multiples, one per region: the sector's growth and somatic growth per year."),
            )
        )
    context = {
        "title": gettext("The golden rule"),
        "group": group,
        "sector": sector,
        "config": config,
        "matrix": _plain(view.matrix),
        "charts": charts,
        "rows": _plain(rows.sort_values(["area_level", "area", "year"])).to_dict("records"),
        "origin": view.origin,
    }
    return page(ctx, "planning/goldenrule.html", context)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None (templates test ``is none``; pandas' NA has no truth value)."""
    return frame.astype(object).where(frame.notna(), None)


def _trends(ctx: RequestContext, engine: Engine) -> pd.DataFrame:
    return trends_of(ctx.snapshot, engine, ctx.today)


def trends_of(snapshot: RegistrySnapshot, engine: Engine, day: date) -> pd.DataFrame:
    """Every trend indicator at the default dates, built once per snapshot (so per revision) and day."""
    return snapshot.derived(("planning.trends", day), lambda s: trend_frame(engine, today=day, latest=s))


WARM_SPEC = {
    "$schema": SCHEMA,
    "data": {"values": [{"x": 1}]},
    "mark": "point",
    "encoding": {"x": {"field": "x"}},
}


def warm_planning(state: AppState) -> None:
    """Build what the first visit to the planning pages needs (worker thread, at start-up): the projection,
    the capacity frames and tornado of the default page, the chart engine (vl-convert starts its JavaScript
    runtime on first use) and the trends of the current revision. Each is cached where the pages read it."""
    started = time.perf_counter()
    try:
        _projection()
        for level in ("catchment", "region", "nation"):
            _capacity_frame(level, SCENARIO, "one-at-a-time")
        for language in ("nb", "en"):
            _tornado(SCENARIO, language)
        render_svg(WARM_SPEC, "warm-up", "warm-up", "nb")
        trends_of(state.snapshot(), state.registry.engine, today())
    except Exception:  # a warm-up must never take the server down; the page builds it on demand instead
        log.exception("planning warm-up failed")
        return
    log.info("planning warmed", extra={"seconds": round(time.perf_counter() - started, 3)})


TREND_LEVEL_LABELS = {"catchment": "Catchment area", "region": "Region", "nation": "Norway"}
BASIS_LABELS = {
    "valid time": "valid time",
    "transaction time": "transaction time",
    "mixed": "valid and transaction time",
    "none": "nothing counted",
}


def _trend(ctx: RequestContext, suffix: str, engine: Engine) -> Response:
    definitions = {d.id: d for d in trend_indicators()}
    chosen = _choice(ctx, "indikator", tuple(definitions), "lar_lavterskel_trusts")
    level = _choice(ctx, "niva", LEVELS, "region")
    definition = definitions[chosen]
    frame = trend_view(engine, chosen, frame=_trends(ctx, engine))
    shown = frame[frame["level"] == level]
    about = {"indicator": chosen, "level": level, "basis": TREND_BASIS, "source": definition.source}
    if suffix:
        return _download(shown, about, f"utvikling-{chosen}-{level}", suffix)
    gettext = catalogue(ctx.language).gettext
    unit = definition.text("unit", ctx.language)
    texts = {"x": gettext("Year"), "y": unit, "series": gettext("Area")}
    decimals = 0 if definition.kind == "lar_trusts" else 1
    y_format = "d" if decimals == 0 else ",.1f"  # a count has whole-number ticks
    nation = frame[frame["level"] == "nation"]
    per_region = frame[frame["level"] == ("region" if definition.kind == "lar_trusts" else "catchment")]
    region_names = {r.code: r.name for r in ctx.snapshot.geography.regions.values()}
    per_region = per_region.assign(region=per_region["region_code"].map(region_names))
    title = definition.text("title", ctx.language)
    charts = [
        _chart(
            ctx,
            lines_chart(nation, texts, "value", "name", y_format=y_format, points=True, legend=None),
            gettext("Norway: %(title)s") % {"title": title},
            gettext("One line over the dates in the table below; the table has the numbers."),
        ),
        _multiples(
            ctx,
            small_multiples(
                per_region,
                "region",
                lambda part: lines_chart(
                    part,
                    texts,
                    "value",
                    "name",
                    y_format=y_format,
                    points=True,
                    # The LAR count's one line per region is the region itself: its title says so.
                    legend=None if definition.kind == "lar_trusts" else "bottom",
                    panel=True,
                ),
            ),
            gettext("%(title)s per region") % {"title": title},
            gettext("Small multiples, one per region: a line per catchment area (or the region)."),
        ),
    ]
    dates = sorted(shown["date"].unique())
    # pivot, not pivot_table: one row per area, and an unknown value stays a gap (no aggregation, no product)
    wide = shown.pivot(index=["code", "name"], columns="date", values="value")
    basis = nation.set_index("date")[["dated", "undated", "unrecorded", "basis"]]
    context = {
        "title": gettext("Trends from the registry"),
        "definition": definition,
        "definitions": definitions.values(),
        "chosen": chosen,
        "level": level,
        "levels": LEVELS,
        "level_labels": TREND_LEVEL_LABELS,
        "charts": charts,
        "dates": dates,
        "rows": [
            {"name": key[1], "values": [row[d] for d in dates]}  # type: ignore[index]
            for key, row in wide.iterrows()
        ],
        "decimals": decimals,
        "basis": [{"date": d, **basis.loc[d].to_dict()} for d in dates],
        "basis_labels": BASIS_LABELS,
    }
    return page(ctx, "planning/trend.html", context)


TREND_PAGE = "utvikling"
PAGES: dict[str, Callable[[RequestContext, str], Response]] = {
    "befolkning": _population,
    "kapasitet": _capacity,
    "gylden-regel": _goldenrule,
}


@router.get("/plan/{name}", include_in_schema=False)
def plan_page(name: str, request: Request, ctx: Ctx) -> Response:
    base, _, suffix = name.partition(".")
    if base not in PAGES and base != TREND_PAGE:
        raise NotFound("No planning page has this name.")
    if suffix and suffix not in MEDIA:
        raise NotFound("Unknown export format.")
    if base == TREND_PAGE:  # the one page on the registry's history: it reads the revision log
        return _trend(ctx, suffix, get_state(request).registry.engine)
    return PAGES[base](ctx, suffix)
