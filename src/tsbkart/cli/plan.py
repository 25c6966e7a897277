"""``tsbkart plan`` (issue #13): population, capacity, goldenrule, trend. Thin: parse, call the planning views,
print.

Every command says which projection, usage and scenario it used (first lines on stderr for text; columns or
attrs in CSV/JSON)."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape

from tsbkart.cli.context import console, registry_engine
from tsbkart.planning.areas import LEVELS, Level, bundled_history
from tsbkart.planning.capacity import CapacityOptions
from tsbkart.planning.goldenrule import GoldenRuleImportError
from tsbkart.planning.population import ProjectionInputError
from tsbkart.planning.scenarios import ScenarioBook, ScenarioError, load_scenarios
from tsbkart.planning.ssb import SsbImportError, SsbProjection, read_ssb_projection
from tsbkart.planning.usage import Usage, UsageImportError, read_usage, usage_csv
from tsbkart.planning.views import (
    capacity_view,
    default_usage,
    goldenrule_view,
    population_view,
    trend_view,
)

plan_app = typer.Typer(
    help="Planning: population and capacity to 2040, the golden rule, trends.", no_args_is_help=True
)


class Format(StrEnum):
    text = "text"
    csv = "csv"
    json = "json"


USER_ERRORS = (
    SsbImportError,
    UsageImportError,
    GoldenRuleImportError,
    ScenarioError,
    ProjectionInputError,
    ValueError,
)


def _fail(problem: Exception) -> typer.Exit:
    console.print(f"[red]{escape(str(problem))}[/red]", soft_wrap=True)
    return typer.Exit(2)


def _years(text: str) -> tuple[int, ...]:
    try:
        years = tuple(sorted({int(y) for y in text.split(",") if y.strip()}))
    except ValueError as problem:
        raise ValueError(f"--years must be years separated by commas, not {text!r}") from problem
    if not years or years[0] < 2010 or years[-1] > 2040:
        raise ValueError(f"--years must lie in 2010-2040, not {text!r}")
    return years


ALIASES = {"kommune": "unit", "municipality": "unit", "hf": "catchment", "rhf": "region"}


def _level(text: str) -> Level:
    level = ALIASES.get(text, text)
    if level not in LEVELS:
        raise ValueError(f"--level must be one of {', '.join(LEVELS)} (or kommune, hf, rhf), not {text!r}")
    return level


def _emit(frame: pd.DataFrame, fmt: Format, meta: dict[str, Any]) -> None:
    if fmt is Format.csv:
        typer.echo(frame.to_csv(index=False, lineterminator="\n"), nl=False)
    elif fmt is Format.json:
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        typer.echo(json.dumps({"about": meta, "rows": records}, ensure_ascii=False, indent=1))
    else:
        for key, value in meta.items():
            console.print(f"{key}: {value}", markup=False, soft_wrap=True)
        typer.echo(frame.to_string(index=False, float_format=lambda v: f"{v:,.1f}"))


@plan_app.command("population")
def population(
    level: Annotated[
        str, typer.Option(help="unit (kommune/bydel), catchment, region or nation.")
    ] = "catchment",
    area: Annotated[
        str | None, typer.Option(help="Only this area code (e.g. unn, 3101, helse-nord).")
    ] = None,
    ages: Annotated[str, typer.Option(help="broad, ssb or single.")] = "broad",
    years: Annotated[str, typer.Option(help="Years, comma-separated (2010-2040).")] = "2026,2030,2035,2040",
    by_sex: Annotated[bool, typer.Option("--by-sex", help="One row per sex.")] = False,
    ssb: Annotated[
        Path | None, typer.Option(help="SSB projection CSV (table 14288 or later) to use instead.")
    ] = None,
    alternative: Annotated[str | None, typer.Option(help="SSB alternative, e.g. MMMM (default).")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
) -> None:
    """Projected population per area by age group (Hamilton-Perry, or SSB's projection where given)."""
    try:
        imported: SsbProjection | None = None if ssb is None else read_ssb_projection(ssb, alternative)
        frame = population_view(
            _level(level), None if ages == "single" else ages, _years(years), area, by_sex, imported
        )
    except USER_ERRORS as problem:
        raise _fail(problem) from problem
    if area is not None and frame.empty:
        raise _fail(ValueError(f"no {level} with code {area!r}"))
    meta = {"projection": frame.attrs["projection"], "method": frame.attrs["method"]}
    _emit(frame, fmt, meta)


def _book(scenarios: Path | None, settings: list[str]) -> ScenarioBook:
    book = load_scenarios(scenarios)
    for item in settings:
        name, _, value = item.partition("=")
        factor, _, measure = name.partition(".")
        try:
            number = float(value)
        except ValueError as problem:
            raise ScenarioError(f"--set {item!r}: expected FACTOR.MEASURE=NUMBER") from problem
        book = book.with_value(factor, measure, number)
    return book


def _usage(path: Path | None) -> Usage:
    if path is None:
        return default_usage()
    hierarchy, history = bundled_history()
    return read_usage(path, hierarchy, history.years)


@plan_app.command("capacity")
def capacity(
    level: Annotated[str, typer.Option(help="unit, catchment, region or nation.")] = "catchment",
    area: Annotated[str | None, typer.Option(help="Only this area code.")] = None,
    scenario: Annotated[
        str, typer.Option(help="Scenario id (demography, illustrative, or yours).")
    ] = "illustrative",
    scenarios: Annotated[
        Path | None, typer.Option(help="Your scenarios YAML (same shape as the bundled).")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="FACTOR.MEASURE=VALUE, e.g. length_of_stay.bed_days=0.9")
    ] = None,
    usage: Annotated[
        Path | None, typer.Option(help="Base-year use CSV (default: the national example).")
    ] = None,
    utilisation: Annotated[
        float | None, typer.Option(help="Bed utilisation, 0.80-0.90 (default 0.85).")
    ] = None,
    man_years_per_patient: Annotated[
        float | None, typer.Option(help="Man-years per patient (default national 2018).")
    ] = None,
    band: Annotated[str, typer.Option(help="none, one-at-a-time or monte-carlo.")] = "one-at-a-time",
    draws: Annotated[int, typer.Option(help="Monte Carlo draws.")] = 1000,
    seed: Annotated[int, typer.Option(help="Monte Carlo seed.")] = 13,
    years: Annotated[str, typer.Option(help="Years, comma-separated.")] = "2026,2030,2035,2040",
    example_usage: Annotated[
        bool, typer.Option("--example-usage", help="Print the bundled example usage CSV and stop.")
    ] = False,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
) -> None:
    """Projected bed days, beds, consultations, stays, patients and man-years per area, with a band."""
    try:
        if example_usage:
            typer.echo(usage_csv(default_usage()), nl=False)
            return
        if band not in ("none", "one-at-a-time", "monte-carlo"):
            raise ValueError(f"--band must be none, one-at-a-time or monte-carlo, not {band!r}")
        frame = capacity_view(
            _level(level),
            scenario,
            _years(years),
            area,
            band,  # type: ignore[arg-type]
            _usage(usage),
            _book(scenarios, set_ or []),
            CapacityOptions(utilisation, man_years_per_patient),
            draws,
            seed,
        )
    except USER_ERRORS as problem:
        raise _fail(problem) from problem
    if area is not None and frame.empty:
        raise _fail(ValueError(f"no {level} with code {area!r}"))
    keys = ("scenario", "projection", "usage", "utilisation", "man_years_per_patient", "band")
    _emit(frame, fmt, {k: frame.attrs[k] for k in keys})


@plan_app.command("goldenrule")
def goldenrule(
    group: Annotated[str, typer.Option(help="costs, waiting_time, activity or man_years.")] = "costs",
    sector: Annotated[str, typer.Option(help="TSB, PHV_adult, PHBU or PHV_total.")] = "TSB",
    level: Annotated[str, typer.Option(help="RHF, national or HF.")] = "RHF",
    file: Annotated[
        Path | None, typer.Option(help="Your series CSV (default: the shipped public figures).")
    ] = None,
    verified_only: Annotated[
        bool, typer.Option("--verified-only", help="Leave out rows marked NOT re-read.")
    ] = False,
    fmt: Annotated[
        Format, typer.Option("--format", help="text: the area x year matrix; csv/json: every comparison.")
    ] = Format.text,
) -> None:
    """Whether the golden rule holds per area and year (growth vs somatic growth); gaps stay gaps."""
    try:
        view = goldenrule_view(group, sector, level, file, not verified_only)
    except USER_ERRORS as problem:
        raise _fail(problem) from problem
    rows = view.result[(view.result["group"] == group) & (view.result["sector"] == sector)]
    meta = {
        "series": view.origin,
        "group": group,
        "sector": sector,
        "unverified rows": "included" if view.include_unverified else "left out",
    }
    if fmt is not Format.text:
        _emit(rows, fmt, meta)
        return
    matrix = view.matrix
    shown = matrix.astype(object).where(matrix.notna(), "gap").replace({True: "holds", False: "fails"})
    _emit(
        shown.reset_index()
        if not shown.empty
        else pd.DataFrame({"result": ["no comparison in these series"]}),
        fmt,
        meta,
    )


def _dates(text: str | None) -> tuple[date, ...] | None:
    if not text:
        return None
    try:
        return tuple(date.fromisoformat(d.strip()) for d in text.split(",") if d.strip())
    except ValueError as problem:
        raise ValueError(f"--dates must be dates (YYYY-MM-DD) separated by commas, not {text!r}") from problem


@plan_app.command("trend")
def trend(
    indicator: Annotated[
        str | None,
        typer.Option(
            help="lar_lavterskel_trusts, basic_services_coverage, beds_per_10k or verified_share (default: all)."
        ),
    ] = None,
    level: Annotated[str, typer.Option(help="catchment (hf), region (rhf) or nation.")] = "nation",
    area: Annotated[str | None, typer.Option(help="Only this area code (e.g. unn, helse-nord).")] = None,
    dates: Annotated[
        str | None, typer.Option(help="Dates, comma-separated (default: 1 January each year, and today).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
) -> None:
    """Trend indicators from the registry's history: valid time (opened_on) where stated, else when recorded."""
    try:
        frame = trend_view(registry_engine(), indicator, ALIASES.get(level, level), area, _dates(dates))
    except USER_ERRORS as problem:
        raise _fail(problem) from problem
    if frame.empty:
        raise _fail(
            ValueError(f"no {level} with code {area!r}" if area else "no trend rows for these options")
        )
    meta = {
        "basis": frame.attrs["basis"],
        "dates": f"{frame.attrs['first_date']} to {frame.attrs['last_date']}",
    }
    if fmt is Format.text:
        frame = frame.drop(columns=["year", "region_code", "population_year"])
    _emit(frame, fmt, meta)


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")
