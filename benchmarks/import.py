"""Import throughput: 100,000 synthetic service offers through `tsbkart import` vs a raw sqlite3 executemany.

Everything here is SYNTHETIC (ids start with "synthetic-", sources say "synthetic benchmark data"). The
registry gets the bundled geography, one organisation and 1,000 units; then a CSV of 100,000 offers is
imported through the full path (read CSV + parse cells + validate + one Registry.commit with its change log).

Two baselines, same machine, same CSV file, both "read the CSV with the csv module and insert its rows with one
sqlite3 `executemany`" (no parsing beyond splitting the lines, no validation, no change log):

- same table (the headline ratio): into the real `service_offers` table of a copy of the very database the
  import starts from (1,000 units, its keys, indexes and foreign-key checks on, the engine's pragmas), with
  empty cells as NULL. This is the raw cost of putting these rows where tsbkart keeps them.
- bare table: into a table of TEXT columns with no key or index, the cheapest insert SQLite can do. Printed
  for comparison; it is about twice as fast as the same-table insert.

    python benchmarks/import.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Organisation, Provenance, Unit
from tsbkart.exchange.columns import load_columns
from tsbkart.exchange.importer import import_files
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography
from tsbkart.registry.store import Registry, Upsert
from tsbkart.vocab import load_vocabularies

SOURCE = "synthetic benchmark data (tsbkart benchmarks/import.py)"
UNITS = 1_000


def build_registry(path: Path) -> Registry:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    geography = load_geography()
    with Session(engine) as session, session.begin():
        write_geography(session, geography)
    provenance = Provenance(source=SOURCE, note="synthetic")
    organisation = Organisation("synthetic-org", "Synthetic organisation", "hf", provenance)
    municipalities = sorted(c for c, a in geography.area_units.items() if a.kind == "kommune")
    units = [
        Unit(
            f"synthetic-unit-{i:04d}",
            f"Synthetic unit {i}",
            organisation.id,
            provenance,
            municipality_code=municipalities[i % len(municipalities)],
        )
        for i in range(UNITS)
    ]
    registry = Registry(engine)
    registry.commit(
        [Upsert(organisation), *(Upsert(u) for u in units)], actor=Actor.cli("benchmark"), reason="synthetic"
    )
    return registry


def write_offers(path: Path, rows: int, seed: int = 20261122) -> None:
    vocabs = load_vocabularies()
    rng = random.Random(seed)
    services = vocabs["service_types"].codes
    groups = vocabs["target_groups"].codes
    statuses = vocabs["intake_status"].codes
    columns = load_columns()["offer"].names
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        for i in range(rows):
            has_wait = rng.random() < 0.5
            writer.writerow(
                {
                    "id": f"synthetic-offer-{i:06d}",
                    "unit_id": f"synthetic-unit-{i % UNITS:04d}",
                    "service_type": services[i % len(services)],
                    "target_groups": ";".join(rng.sample(groups, 2)),
                    "legal_basis": "voluntary",
                    "age_min": "18",
                    "beds": str(rng.randint(0, 30)),
                    "waiting_weeks": f"{rng.uniform(0, 20):.1f}" if has_wait else "",
                    "waiting_as_of": "2026-11-01" if has_wait else "",
                    "intake_status": rng.choice(statuses),
                    "open_24_7": rng.choice(["ja", "nei", ""]),
                    "languages": "nb;en",
                    "source": SOURCE,
                    "verified": "2026-11-22",
                    "steward": "synthetic",
                }
            )


def read_csv(csv_path: Path) -> tuple[list[str], list[list[str]]]:
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        return next(reader), list(reader)


def raw_same_table(csv_path: Path, db_path: Path) -> tuple[float, float]:
    """Wall and CPU seconds to read the CSV and executemany its rows into ``service_offers`` of ``db_path``."""
    connection = sqlite3.connect(db_path)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):  # as tsbkart.db.engine
        connection.execute(f"PRAGMA {pragma}")
    start, cpu = time.perf_counter(), time.process_time()
    header, rows = read_csv(csv_path)
    # Every record also carries its version (the revision that wrote it); the baseline writes a constant one.
    # Required list columns: an empty cell is an empty list (as the importer stores it), not NULL; required
    # columns the sheet leaves out get the same.
    table = list(connection.execute("PRAGMA table_info(service_offers)"))
    required = {
        name: "[]" if kind == "JSON" else "" for _, name, kind, notnull, default, _ in table if notnull
    }
    empty = [required.get(name) for name in header]
    filled = [(n, v) for n, v in required.items() if n not in {*header, "field_provenance", "version"}]
    extra = tuple(value for _, value in filled)
    values = [
        (*(cell or blank for cell, blank in zip(row, empty, strict=True)), "{}", 2, *extra) for row in rows
    ]
    columns = [*header, "field_provenance", "version", *(name for name, _ in filled)]
    placeholders = ", ".join("?" for _ in columns)
    connection.executemany(
        f"INSERT INTO service_offers ({', '.join(columns)}) VALUES ({placeholders})",
        values,
    )
    connection.commit()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    connection.close()
    return elapsed, cpu


def copy_database(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def raw_bare_table(csv_path: Path, db_path: Path) -> tuple[float, float]:
    """Wall and CPU seconds to read the CSV and executemany its rows into a bare table of TEXT columns."""
    columns = load_columns()["offer"].names
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        f"CREATE TABLE offers_raw ({', '.join(c + ' TEXT' for c in columns)}, field_provenance TEXT)"
    )
    start, cpu = time.perf_counter(), time.process_time()
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = [(*row, "{}") for row in reader]
    placeholders = ", ".join("?" for _ in range(len(columns) + 1))
    connection.executemany(f"INSERT INTO offers_raw VALUES ({placeholders})", rows)
    connection.commit()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    connection.close()
    return elapsed, cpu


Timing = tuple[float, float]  # (wall seconds, CPU seconds)


def one_round(folder: Path, csv_path: Path, rows: int) -> tuple[Timing, Timing, Timing]:
    """Import into a fresh registry, then the two raw baselines; each starts from the same database state."""
    registry = build_registry(folder / "tsbkart.sqlite")
    copy_database(folder / "tsbkart.sqlite", folder / "same.sqlite")
    start, cpu = time.perf_counter(), time.process_time()
    report = import_files(
        registry, [csv_path], actor=Actor.cli("benchmark"), reason="synthetic import benchmark"
    )
    ours = (time.perf_counter() - start, time.process_time() - cpu)
    if not report.ok or report.created["offer"] != rows:
        raise SystemExit(f"import failed: {report.problems[:5]}")
    registry.engine.dispose()
    return (
        ours,
        raw_same_table(csv_path, folder / "same.sqlite"),
        raw_bare_table(csv_path, folder / "bare.sqlite"),
    )


def median_timing(timings: list[Timing]) -> Timing:
    return statistics.median(t[0] for t in timings), statistics.median(t[1] for t in timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; medians are printed")
    args = parser.parse_args()
    rounds: list[tuple[Timing, Timing, Timing]] = []
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "tilbud.csv"
        write_offers(csv_path, args.rows)
        print(f"synthetic data: 1 organisation, {UNITS} units, {args.rows:,} offers in {csv_path.name}")
        for number in range(args.repeat):
            folder = Path(tmp) / f"round-{number}"
            folder.mkdir()
            rounds.append(one_round(folder, csv_path, args.rows))
    (elapsed, cpu), (same, same_cpu), (bare, bare_cpu) = (
        median_timing([r[i] for r in rounds]) for i in range(3)
    )
    ours, raw = args.rows / elapsed, args.rows / same
    print(f"medians of {args.repeat} rounds (each a fresh database)")
    print(
        f"tsbkart import (read + parse + validate + one revision with its change log): "
        f"{elapsed:.2f} s wall ({cpu:.2f} s CPU), {ours:,.0f} rows/s"
    )
    print(
        f"raw executemany into service_offers (same table): {same:.2f} s wall ({same_cpu:.2f} s CPU), "
        f"{raw:,.0f} rows/s"
    )
    print(
        f"raw executemany into a bare TEXT table: {bare:.2f} s wall ({bare_cpu:.2f} s CPU), "
        f"{args.rows / bare:,.0f} rows/s; ratio tsbkart/bare {bare / elapsed:.3f}"
    )
    # Wall time is the headline; the CPU-time ratio shows how much of it was waiting on a shared machine.
    print(f"CPU-time ratio tsbkart/same-table: {same_cpu / cpu:.3f}")
    print(f"ratio tsbkart/same-table: {ours / raw:.3f} (target >= 0.25; target >= 20,000 rows/s)")
    print(f"RESULT import_rows_per_second {ours:.0f} rows/s")


if __name__ == "__main__":
    main()
