"""Import, export, template and check commands (issue #2). Thin: parse arguments, call the core, print."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from tsbkart.cli.context import console, out, registry, registry_engine, settings
from tsbkart.cli.translation import Gettext, gettext_for, known_language, translate
from tsbkart.domain.actors import MAX_LENGTH, Actor
from tsbkart.domain.messages import Message
from tsbkart.exchange.encoding import known_encoding
from tsbkart.exchange.export import export_csv, write_csv_files, write_xlsx
from tsbkart.exchange.fhir import fhir_bundle
from tsbkart.exchange.hsds import hsds_document
from tsbkart.exchange.importer import ImportReport, import_files
from tsbkart.exchange.limits import ImportLimits
from tsbkart.exchange.template import write_csv_templates, write_xlsx_template
from tsbkart.quality.check import check as quality_check
from tsbkart.quality.check import render_text
from tsbkart.quality.depth import depth, render_depth_text
from tsbkart.query.explain import units_feature_collection
from tsbkart.query.filters import FilterError
from tsbkart.query.params import unit_filter
from tsbkart.registry.history import as_of
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.stewardship import audit


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    geojson = "geojson"
    hsds = "hsds"
    fhir = "fhir"


class TemplateFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


def _print_problems(report: ImportReport, say: Gettext) -> None:
    count = len(report.problems)
    title = say("1 problem") if count == 1 else translate(Message("{count} problem(s)", count=count), say)
    table = Table(say("file"), say("sheet"), say("row"), say("field"), say("problem"), title=title)
    for p in report.problems:
        text = translate(p.text or p.message, say)
        table.add_row(
            escape(p.file), escape(p.sheet or ""), str(p.row or ""), escape(p.field or ""), escape(text)
        )
    console.print(table)
    console.print(
        f"[red]{escape(say('Nothing was imported.'))}[/red] {escape(say('Fix the rows above and import the file(s) again.'))}"
    )


def import_command(
    files: Annotated[
        list[Path], typer.Argument(help="CSV or XLSX files (a CSV file's name or header says its kind).")
    ],
    actor: Annotated[str, typer.Option(help="Who is importing (recorded in the revision).")],
    reason: Annotated[str, typer.Option(help="Why (recorded in the revision).")],
    kind: Annotated[
        str | None, typer.Option(help="Kind of a CSV file: organisation, team, unit, offer.")
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            help="Encoding of the CSV files, e.g. cp1252 (default: UTF-8, or Windows-1252 when certain)."
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(help="Language of the messages: nb or en (default: TSBKART_DEFAULT_LANGUAGE)."),
    ] = None,
) -> None:
    """Import organisations, teams, units and service offers as one revision, or nothing if any row is bad."""
    language = language or settings().default_language
    say = gettext_for(language if known_language(language) else "nb")
    if not known_language(language):
        _usage(say, Message("--language must be nb or en, got {value}", value=language))
    if kind is not None and kind not in KINDS:
        _usage(say, Message("--kind must be one of {kinds}", kinds=", ".join(KINDS.names())))
    if encoding is not None and known_encoding(encoding) is None:
        _usage(say, Message("--encoding: unknown encoding {value}", value=encoding))
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        _usage(say, Message("No such file: {files}", files=", ".join(missing)))
    if not actor.strip() or len(actor.strip()) > MAX_LENGTH:
        _usage(say, Message("--actor must be a name of 1 to {most} characters", most=MAX_LENGTH))
    report = import_files(
        registry(),
        files,
        actor=Actor.cli(actor),
        reason=reason,
        kind=kind,
        limits=ImportLimits.from_settings(settings()),
        encoding=encoding,
    )
    _audit_import(report, Actor.cli(actor))
    if not report.ok:
        _print_problems(report, say)
        raise typer.Exit(1)
    read = ", ".join(translate(_rows_read(k, n), say) for k, n in report.rows.items() if n)
    created, updated = sum(report.created.values()), sum(report.updated.values())
    if report.revision is None:
        console.print(
            f"[green]{escape(translate(Message('Read {read}; nothing changed.', read=read), say))}[/green]"
        )
    else:
        done = Message(
            "Imported as revision {revision}: read {read}; {created} created, {updated} updated.",
            revision=report.revision,
            read=read,
            created=created,
            updated=updated,
        )
        console.print(f"[green]{escape(translate(done, say))}[/green]")


def _audit_import(report: ImportReport, actor: Actor) -> None:
    """Every import is an audit event (``tsbkart_imports_total`` counts them): file names and counts only."""
    event = audit.AuditEvent(
        "import_committed" if report.ok else "import_failed",
        actor,
        outcome="ok" if report.ok else "failed",
        target=", ".join(Path(f).name for f in report.files)[:300],
        detail={
            "revision": report.revision,
            "rows": sum(report.rows.values()),
            "problems": len(report.problems),
        },
    )
    audit.record(registry_engine(), event)


def _rows_read(kind: str, count: int) -> Message:
    if kind == "organisation":
        return Message("{count} organisation(s)", count=count)
    if kind == "team":
        return Message("{count} assessment team(s)", count=count)
    if kind == "unit":
        return Message("{count} unit(s)", count=count)
    return Message("{count} offer(s)", count=count)


def _usage(say: Gettext, text: Message) -> None:
    console.print(f"[red]{escape(translate(text, say))}[/red]")
    raise typer.Exit(2)


def _snapshot(on: str | None) -> RegistrySnapshot:
    if on is None:
        return registry().snapshot()
    try:
        day = date.fromisoformat(on)
    except ValueError:
        console.print(f"[red]--as-of must be a date as YYYY-MM-DD, got {on!r}[/red]")
        raise typer.Exit(2) from None
    return as_of(registry_engine(), day)


def export_command(
    format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="csv, xlsx, geojson, hsds (HSDS 3 / Open Referral JSON) or fhir (FHIR R4 Bundle JSON).",
        ),
    ] = ExportFormat.csv,
    kind: Annotated[
        list[str] | None, typer.Option(help="Kinds to export (default: all; csv and xlsx only).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="File (xlsx, geojson, hsds, fhir, one csv kind) or folder (csv).")
    ] = None,
    as_of_date: Annotated[
        str | None, typer.Option("--as-of", help="Export the registry as it was on DATE.")
    ] = None,
    query: Annotated[
        str | None,
        typer.Option(
            help="geojson only: the units to export, as /api/v1/units.geojson's query string "
            "(e.g. 'service_type=avrusning&area=helse-nord'); the document is the API's."
        ),
    ] = None,
) -> None:
    """Export the registry (or its state on a past date) as CSV, XLSX, GeoJSON, HSDS 3 or FHIR R4."""
    kinds = kind or list(KINDS.names())
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        console.print(f"[red]Unknown kind(s) {', '.join(unknown)}; use {', '.join(KINDS.names())}[/red]")
        raise typer.Exit(2)
    if query is not None and format is not ExportFormat.geojson:
        console.print("[red]--query selects units for --format geojson only[/red]")
        raise typer.Exit(2)
    snapshot = _snapshot(as_of_date)
    if format is ExportFormat.geojson:
        _write_or_print(_dump(_geojson(snapshot, query or "")), output)
    elif format in (ExportFormat.hsds, ExportFormat.fhir):
        builder = hsds_document if format is ExportFormat.hsds else fhir_bundle
        # What is in service is decided on the day the export describes.
        day = date.fromisoformat(as_of_date) if as_of_date else None
        _write_or_print(_dump(builder(snapshot, day=day)), output)
    elif format is ExportFormat.xlsx:
        path = write_xlsx(snapshot, output or Path("tsbkart-export.xlsx"), kinds)
        console.print(f"Wrote {path}")
    elif len(kinds) == 1 and (output is None or output.suffix == ".csv"):
        _write_or_print(export_csv(snapshot, kinds[0]), output)
    elif output is None:
        console.print("[red]Exporting several kinds as CSV needs --output FOLDER[/red]")
        raise typer.Exit(2)
    else:
        for path in write_csv_files(snapshot, output, kinds):
            console.print(f"Wrote {path}")


def _dump(document: object) -> str:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"


def _geojson(snapshot: RegistrySnapshot, query: str) -> object:
    """The API's GeoJSON for the same query string (one parser, one builder)."""
    try:
        params = parse_qs(query, keep_blank_values=True)
        document = units_feature_collection(snapshot, params, unit_filter(params, snapshot))
    except FilterError as problem:
        console.print(f"[red]--query: {problem}[/red]")
        raise typer.Exit(2) from None
    if document["total"] > len(document["features"]):
        console.print(
            f"[yellow]{document['total']} units match; the first {len(document['features'])} are exported.[/yellow]"
        )
    return document


def _write_or_print(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"Wrote {output}")


def template_command(
    format: Annotated[TemplateFormat, typer.Option("--format", help="xlsx or csv.")] = TemplateFormat.xlsx,
    output: Annotated[Path | None, typer.Option(help="XLSX file or CSV folder.")] = None,
) -> None:
    """Write the steward template: an XLSX workbook with dropdowns and documentation, or CSV header files."""
    if format is TemplateFormat.xlsx:
        path = write_xlsx_template(output or Path("tsbkart-mal.xlsx"))
        console.print(f"Wrote {path}")
    else:
        for path in write_csv_templates(output or Path("tsbkart-mal")):
            console.print(f"Wrote {path}")


def check_command(
    format: Annotated[ReportFormat, typer.Option("--format", help="text or json.")] = ReportFormat.text,
    show_all: Annotated[bool, typer.Option("--all", help="List every finding, not the first 20.")] = False,
    language: Annotated[str, typer.Option(help="nb or en (text titles).")] = "en",
) -> None:
    """Print the data-quality report: missing fields, stale facts, approximate locations, catchment gaps, and
    the data depth per catchment area (share of units with phone, web page, waiting time, ...)."""
    snapshot = registry().snapshot()
    report = quality_check(snapshot)
    depths = depth(snapshot)
    if format is ReportFormat.json:
        document = {**report.to_dict(), "depth": depths.to_dict()}
        sys.stdout.write(_dump(document))
    else:
        lang = "nb" if language == "nb" else "en"
        text = render_text(report, lang, None if show_all else 20) + "\n" + render_depth_text(depths, lang)
        out.print(text, markup=False, highlight=False, end="", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("import")(import_command)
    app.command("export")(export_command)
    app.command("template")(template_command)
    app.command("check")(check_command)
