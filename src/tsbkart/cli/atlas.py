"""``tsbkart atlas`` commands (issue #5): coverage, access, variation, report. Thin: parse, call the core, print."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import pandas as pd
import typer

from tsbkart.atlas.access import nearest_distance, service_types_of, share_within_by_area, supply_points
from tsbkart.atlas.coverage import load_declarations
from tsbkart.atlas.demand import demand_points
from tsbkart.atlas.indicators import indicator, indicator_table, indicators
from tsbkart.atlas.report import build_report, coverage_table
from tsbkart.atlas.variation_view import indicator_variation
from tsbkart.cli.context import console, registry
from tsbkart.exchange.spreadsheet import Cell, csv_text
from tsbkart.reference.population import latest_population
from tsbkart.registry.areas import area_kind_of


class TableFormat(StrEnum):
    text = "text"
    csv = "csv"
    json = "json"


def _emit(frame: pd.DataFrame, fmt: TableFormat) -> None:
    if fmt is TableFormat.csv:
        typer.echo(csv_text(_table_rows(frame)), nl=False)
    elif fmt is TableFormat.json:
        typer.echo(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
    else:
        typer.echo(frame.to_string(index=False))


def _table_rows(frame: pd.DataFrame) -> list[list[Cell]]:
    """The header and the rows of ``frame`` as plain Python values (NaN stays unknown: an empty cell)."""
    rows: list[list[Cell]] = [[str(c) for c in frame.columns]]
    rows += [[v.item() if hasattr(v, "item") else v for v in row] for row in frame.itertuples(index=False)]
    return rows


def coverage(
    area: Annotated[
        str | None, typer.Option(help="A catchment (e.g. unn), region (helse-nord) or kommune/bydel code.")
    ] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = TableFormat.text,
) -> None:
    """Basic-services matrix (present / missing / unknown), beds per 10,000 adults, ownership, freshness.

    Without --area: every catchment area."""
    snapshot = registry().snapshot()
    if area is None:
        kind, codes = "hf", None
    else:
        found = area_kind_of(snapshot.geography, area)
        if found is None:
            console.print(
                f"[red]Unknown area code {area!r}[/red] (a catchment, region, kommune or bydel code)."
            )
            raise typer.Exit(2)
        kind, codes = found, [area]
    _emit(coverage_table(snapshot, kind, latest_population(), load_declarations(), codes), fmt)


def access(
    service: Annotated[str, typer.Option(help="Service type (e.g. avrusning) or basic service (e.g. dogn).")],
    level: Annotated[str, typer.Option(help="catchment, region or nation.")] = "catchment",
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = TableFormat.text,
) -> None:
    """Share of adults within 30/60/120 km (great circle) of the nearest unit offering SERVICE."""
    try:
        service_types_of(service)
    except ValueError as problem:
        console.print(f"[red]{problem}[/red]")
        raise typer.Exit(2) from problem
    if level not in ("catchment", "region", "nation"):
        console.print(f"[red]--level must be catchment, region or nation, not {level!r}[/red]")
        raise typer.Exit(2)
    snapshot = registry().snapshot()
    demand = demand_points(snapshot.geography, latest_population())
    supply = supply_points(snapshot, service)
    shares = share_within_by_area(nearest_distance(demand, supply), level)  # type: ignore[arg-type]
    wide = shares.pivot_table(index=["area_code", "population"], columns="threshold", values="share")
    wide.columns = [f"share_within_{int(t)}_km" for t in wide.columns]
    _emit(wide.reset_index(), fmt)
    if supply.attrs.get("without_location"):
        console.print(
            f"{supply.attrs['without_location']} offering units have no location and are not counted."
        )


def variation(
    indicator_id: Annotated[
        str, typer.Option("--indicator", help="Indicator id (see `tsbkart atlas variation --list`).")
    ] = "",
    list_all: Annotated[bool, typer.Option("--list", help="List the indicator ids.")] = False,
) -> None:
    """Variation across catchment areas (EQ, CV weighted and unweighted, SCV where counts exist)."""
    if list_all or not indicator_id:
        for item in indicators():
            typer.echo(f"{item.id}\t{item.title['en']}")
        return
    definition = indicator(indicator_id)
    if definition is None:
        console.print(f"[red]Unknown indicator {indicator_id!r}[/red]; see --list.")
        raise typer.Exit(2)
    table = indicator_table(registry().snapshot(), indicator_id, latest_population())
    stats = dataclasses.asdict(indicator_variation(table))
    document = {
        "indicator": indicator_id,
        "national": table.national,
        **stats,
        "caveat": (definition.caveat or {}).get("en"),
    }
    typer.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY).decode())
    if definition.caveat:
        typer.echo(f"Caveat: {definition.caveat['en']}", err=True)


def report(
    catchment: Annotated[str, typer.Argument(help="Catchment area code, e.g. unn.")],
    output: Annotated[
        Path | None, typer.Option(help="Write FILE.html or FILE.pdf instead of a text summary.")
    ] = None,
    lang: Annotated[str, typer.Option(help="nb or en.")] = "nb",
) -> None:
    """The catchment-area report: coverage matrix, gaps, accessibility, variation position."""
    snapshot = registry().snapshot()
    if output is not None:
        _write_report(snapshot, catchment, output, lang)
        return
    built = build_report(snapshot, catchment, latest_population(), load_declarations())
    if built is None:
        console.print(f"[red]Unknown catchment area {catchment!r}[/red]")
        raise typer.Exit(2)
    typer.echo(f"{built.name}")
    for cell in built.matrix:
        behind = ", ".join((*cell.unit_ids, *cell.team_ids))
        typer.echo(f"  {cell.code:22} {cell.status:8} {behind}")
    for fig in built.access:
        shares = " ".join(
            "unknown" if s is None else f"{100 * s:.0f}%" for s in (fig.share_30, fig.share_60, fig.share_120)
        )
        typer.echo(f"  within 30/60/120 km of {fig.service}: {shares}")
    for pos in built.positions:
        value = "unknown" if pos.value is None else f"{pos.value:.2f}"
        rank = "" if pos.rank is None else f" (rank {pos.rank[0]} of {pos.rank[1]})"
        typer.echo(f"  {pos.indicator.id}: {value}{rank}")


def _write_report(snapshot: object, catchment: str, output: Path, lang: str) -> None:
    # The HTML/PDF renderer lives in the web layer (templates); imported only for file output.
    from tsbkart.registry.snapshot import RegistrySnapshot
    from tsbkart.web.atlas import pdf_bytes, report_html

    assert isinstance(snapshot, RegistrySnapshot)
    suffix = output.suffix.lower()
    if suffix not in (".html", ".pdf"):
        console.print(f"[red]--output must end in .html or .pdf, not {output.name!r}[/red]")
        raise typer.Exit(2)
    html = report_html(snapshot, catchment, lang if lang in ("nb", "en") else "nb", for_pdf=suffix == ".pdf")
    if html is None:
        console.print(f"[red]Unknown catchment area {catchment!r}[/red]")
        raise typer.Exit(2)
    if suffix == ".pdf":
        output.write_bytes(pdf_bytes(html))
    else:
        output.write_text(html, encoding="utf-8")
    console.print(f"Wrote {output}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    atlas_app = typer.Typer(
        help="Atlas: coverage, accessibility, variation and catchment reports.", no_args_is_help=True
    )
    atlas_app.command("coverage")(coverage)
    atlas_app.command("access")(access)
    atlas_app.command("variation")(variation)
    atlas_app.command("report")(report)
    app.add_typer(atlas_app, name="atlas")
