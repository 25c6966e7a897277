"""Integrate the research passes in ../shared/data into the bundled registry files, recording why each value changed.

Inputs (the shared data folder, read only):
    tsb_units.csv + tsb_units_pass2.csv + tsb_units_pass3.csv          new unit rows are appended
    vurderingsteam.csv + vurderingsteam_pass2.csv + vurderingsteam_pass3.csv
    contacts_pass3.csv                                                   contact facts per unit
and ``scripts/research_passes/corrections.csv``: the corrections that ``corrections_pass2.md`` and
``pass3.source.md`` propose for existing rows, transcribed one value per line with its source and reason.

Outputs (``src/tsbkart/reference/data``):
    tsb_units.csv, vurderingsteam.csv    the merged rows (vurderingsteam gains ``phone`` and ``address``)
    unit_contacts.csv                    contacts_pass3.csv with a ``published`` column: "no" for the phones the
                                         research pass marks "verify before use" (a pre-2009 third-party page)
    research_changes.csv                 one line per change: what, before, after, source, confidence, reason

``--check`` rebuilds everything in memory and fails if the shipped files differ, so the bundled data is always
what this script makes of the shared files (a test runs it).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORRECTIONS = ROOT / "scripts" / "research_passes" / "corrections.csv"
OUT = ROOT / "src" / "tsbkart" / "reference" / "data"
# When the compilers read each file's sources. Pass 1 states 2026-11-22 and pass 3 2026-12-01; pass 2 states no
# date but corrects pass 1's rows and is corrected by pass 3, so it was read in between: we take the earlier date,
# which never makes a fact look fresher than it is.
RETRIEVED = {
    "tsb_units.csv": "2026-11-22",
    "tsb_units_pass2.csv": "2026-11-22",
    "tsb_units_pass3.csv": "2026-12-01",
    "vurderingsteam.csv": "2026-11-22",
    "vurderingsteam_pass2.csv": "2026-11-22",
    "vurderingsteam_pass3.csv": "2026-12-01",
    "contacts_pass3.csv": "2026-12-01",
}
UNIT_FILES = ("tsb_units.csv", "tsb_units_pass2.csv", "tsb_units_pass3.csv")
TEAM_FILES = ("vurderingsteam.csv", "vurderingsteam_pass2.csv", "vurderingsteam_pass3.csv")
TEAM_EXTRA_COLUMNS = ("phone", "address")
WITHHOLD_MARK = "verify before use"
CHANGE_COLUMNS = (
    "target",
    "key",
    "field",
    "before",
    "after",
    "source_url",
    "source_date",
    "retrieved",
    "confidence",
    "reason",
)

Row = dict[str, str]


class IntegrationError(ValueError):
    """A research file does not fit the bundled files; names the file, line and field."""


@dataclass
class Tables:
    units: list[Row]
    unit_columns: list[str]
    teams: list[Row]
    team_columns: list[str]
    contacts: list[Row]
    contact_columns: list[str]
    changes: list[Row]


def read_rows(path: Path) -> tuple[list[str], list[Row]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _append_rows(
    shared: Path, files: Iterable[str], key: str, target: str, changes: list[Row]
) -> tuple[list[str], list[Row]]:
    columns: list[str] = []
    merged: list[Row] = []
    seen: set[str] = set()
    for index, name in enumerate(files):
        file_columns, rows = read_rows(shared / name)
        if index == 0:
            columns = file_columns
        elif file_columns != columns:
            raise IntegrationError(f"{name}: columns {file_columns} differ from {files} [0]'s {columns}")
        for line, row in enumerate(rows, start=2):
            if row[key] in seen:
                raise IntegrationError(
                    f"{name} line {line}, field {key}: {row[key]!r} is already in the registry"
                )
            seen.add(row[key])
            merged.append({**row, "retrieved": RETRIEVED[name]})
            if index > 0:
                changes.append(
                    _change(
                        target,
                        row[key],
                        "(row)",
                        "",
                        "added",
                        row.get("source_url", ""),
                        "",
                        RETRIEVED[name],
                        row.get("confidence", ""),
                        f"new row from {name}",
                    )
                )
    return [*columns, "retrieved"], merged


def _change(*values: str) -> Row:
    return dict(zip(CHANGE_COLUMNS, values, strict=True))


def _apply(rows: dict[str, Row], correction: Row, line: int, changes: list[Row]) -> None:
    row = rows.get(correction["key"])
    where = f"corrections.csv line {line}"
    if row is None:
        raise IntegrationError(f"{where}, field key: no {correction['target']} {correction['key']!r}")
    field = correction["field"]
    if field not in row:
        raise IntegrationError(f"{where}, field field: {correction['target']} rows have no column {field!r}")
    before, value = row[field], correction["value"]
    action = correction["action"]
    if action == "set":
        after = value
    elif action == "append":
        after = f"{before}; {value}" if before else value
    elif action == "add_token":
        tokens = [t for t in before.split(";") if t]
        after = ";".join([*tokens, value]) if value not in tokens else before
    else:
        raise IntegrationError(f"{where}, field action: unknown action {action!r} (set, append, add_token)")
    if after == before:
        raise IntegrationError(f"{where}: the correction changes nothing; remove it")
    row[field] = after
    changes.append(
        _change(
            correction["target"],
            correction["key"],
            field,
            before,
            after,
            correction["source_url"],
            correction["source_date"],
            correction["retrieved"],
            correction["confidence"],
            correction["reason"],
        )
    )


def _contacts(shared: Path, unit_ids: set[str], changes: list[Row]) -> tuple[list[str], list[Row]]:
    columns, rows = read_rows(shared / "contacts_pass3.csv")
    out = []
    for line, row in enumerate(rows, start=2):
        if row["unit_id"] not in unit_ids:
            raise IntegrationError(
                f"contacts_pass3.csv line {line}, field unit_id: unknown unit {row['unit_id']!r}"
            )
        withheld = WITHHOLD_MARK in row["note"]
        out.append(
            {**row, "retrieved": RETRIEVED["contacts_pass3.csv"], "published": "no" if withheld else "yes"}
        )
        if withheld:
            changes.append(
                _change(
                    "unit",
                    row["unit_id"],
                    row["field"],
                    "",
                    "(not published)",
                    row["source_url"],
                    "",
                    RETRIEVED["contacts_pass3.csv"],
                    row["confidence"],
                    "the research pass marks it 'old - verify before use' "
                    "(a third-party page from before 2009); withheld until a steward confirms it",
                )
            )
    return [*columns, "retrieved", "published"], out


def build(shared: Path) -> Tables:
    changes: list[Row] = []
    unit_columns, units = _append_rows(shared, UNIT_FILES, "unit_id", "unit", changes)
    team_columns, teams = _append_rows(shared, TEAM_FILES, "team_name", "team", changes)
    team_columns = [*team_columns, *TEAM_EXTRA_COLUMNS]
    for team in teams:
        for column in TEAM_EXTRA_COLUMNS:
            team.setdefault(column, "")
    by_target = {"unit": {r["unit_id"]: r for r in units}, "team": {r["team_name"]: r for r in teams}}
    _, corrections = read_rows(CORRECTIONS)
    for line, correction in enumerate(corrections, start=2):
        if correction["target"] not in by_target:
            raise IntegrationError(
                f"corrections.csv line {line}, field target: {correction['target']!r} (unit, team)"
            )
        _apply(by_target[correction["target"]], correction, line, changes)
    contact_columns, contacts = _contacts(shared, set(by_target["unit"]), changes)
    return Tables(units, unit_columns, teams, team_columns, contacts, contact_columns, changes)


def render(columns: Iterable[str], rows: Iterable[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def outputs(tables: Tables) -> dict[str, str]:
    return {
        "tsb_units.csv": render(tables.unit_columns, tables.units),
        "vurderingsteam.csv": render(tables.team_columns, tables.teams),
        "unit_contacts.csv": render(tables.contact_columns, tables.contacts),
        "research_changes.csv": render(CHANGE_COLUMNS, tables.changes),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=ROOT.parent / "shared" / "data", help="the shared data folder"
    )
    parser.add_argument(
        "--check", action="store_true", help="fail if the shipped files differ from a rebuild"
    )
    args = parser.parse_args(argv)
    try:
        files = outputs(build(args.shared))
    except (IntegrationError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stale = [
        name
        for name, text in files.items()
        if not (OUT / name).exists() or (OUT / name).read_bytes() != text.encode("utf-8")
    ]
    if args.check:
        for name in stale:
            print(
                f"{name} differs from what the research passes give; run scripts/integrate_research_passes.py",
                file=sys.stderr,
            )
        return 1 if stale else 0
    for name, text in files.items():
        (OUT / name).write_bytes(text.encode("utf-8"))
    print(f"wrote {', '.join(files)} ({len(stale)} changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
