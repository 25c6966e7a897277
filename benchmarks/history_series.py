"""``history.series`` over 20 dates vs 20 separate ``history.as_of`` calls, on a registry of 10,000 revisions.

Everything here is SYNTHETIC (ids start with "synthetic-", sources say "synthetic benchmark data"). The
registry gets the bundled geography; its revision log is written straight into the ``revisions`` and
``changes`` tables in the store's own form (one change per revision, ``after`` = ``records.to_json`` of a real
record, times rising with the ids, one revision every 8 hours from 2016-01-01), because 10,000 separate
``Registry.commit`` calls would take minutes and ``as_of`` and ``series`` read only the log and the geography.
The first revisions create 1 organisation, 400 units and 800 offers; the rest change beds, delete an offer
or create it again (seed 13).

Both sides get the same 20 dates spread evenly over the log; the answers are checked to be equal. The ratio
is as_of time / series time (target at least 10x). Run on SQLite in a temporary folder (the machine is
shared: no server database is loaded)::

    python benchmarks/history_series.py [--revisions 10000] [--dates 20] [--repeat 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.db.models import ChangeRow, RevisionRow
from tsbkart.domain.entities import Organisation, Provenance, ServiceOffer, Unit
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography
from tsbkart.registry.history import as_of, series
from tsbkart.registry.records import to_json

SOURCE = "synthetic benchmark data (tsbkart benchmarks/history_series.py)"
UNITS, SEED, START, STEP = 400, 13, datetime(2016, 1, 1, tzinfo=UTC), timedelta(hours=8)
Change = tuple[str, str, str | None, str, dict[str, Any] | None]  # kind, id, parent, op, after


def _records(rng: random.Random) -> tuple[list[Change], list[Unit], list[ServiceOffer]]:
    provenance = Provenance(source=SOURCE, note="synthetic")
    organisation = Organisation("synthetic-org", "Synthetic organisation", "hf", provenance)
    units = [
        Unit(
            f"synthetic-unit-{i:03d}",
            f"Synthetic unit {i}",
            organisation.id,
            provenance,
            beds=rng.randint(0, 20),
        )
        for i in range(UNITS)
    ]
    offers = [
        ServiceOffer(f"{u.id}/{t}", u.id, t, provenance, beds=rng.randint(0, 10))
        for u in units
        for t in ("poliklinikk", "dogn_kort")
    ]
    created: list[Change] = [("organisation", organisation.id, None, "create", to_json(organisation))]
    created += [("unit", u.id, u.organisation_id, "create", to_json(u)) for u in units]
    created += [("offer", o.id, o.unit_id, "create", to_json(o)) for o in offers]
    return created, units, offers


def _log(revisions: int) -> list[Change]:
    rng = random.Random(SEED)
    changes, units, offers = _records(rng)
    present = {o.id for o in offers}
    while len(changes) < revisions:
        roll = rng.random()
        if roll < 0.4:
            unit = rng.choice(units)
            after = to_json(Unit(**{**_fields(unit), "beds": rng.randint(0, 20)}))
            changes.append(("unit", unit.id, unit.organisation_id, "update", after))
            continue
        offer = rng.choice(offers)
        if offer.id in present and roll < 0.5:
            present.discard(offer.id)
            changes.append(("offer", offer.id, offer.unit_id, "delete", None))
        else:
            op = "update" if offer.id in present else "create"
            present.add(offer.id)
            after = to_json(ServiceOffer(**{**_fields(offer), "beds": rng.randint(0, 10)}))
            changes.append(("offer", offer.id, offer.unit_id, op, after))
    return changes[:revisions]


def _fields(record: Unit | ServiceOffer) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def build(path: Path, revisions: int) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
        log = _log(revisions)
        session.execute(
            insert(RevisionRow),
            [
                {
                    "id": number,
                    "actor_kind": "system",
                    "actor_id": "benchmark",
                    "actor_name": "benchmark",
                    "created_at": START + number * STEP,
                    "reason": "synthetic",
                    "change_count": 1,
                }
                for number in range(1, len(log) + 1)
            ],
        )
        session.execute(
            insert(ChangeRow),
            [
                {
                    "revision_id": number,
                    "kind": kind,
                    "entity_id": entity_id,
                    "parent_id": parent,
                    "op": op,
                    "before": None,
                    "after": after,
                }
                for number, (kind, entity_id, parent, op, after) in enumerate(log, start=1)
            ],
        )
    return engine


def checkpoints(revisions: int, count: int) -> list[date]:
    span = revisions * STEP
    return [(START + span * (k + 1) / count).date() for k in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--revisions", type=int, default=10_000)
    parser.add_argument("--dates", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        engine = build(Path(folder) / "history.sqlite", args.revisions)
        print(
            f"SYNTHETIC registry, seed {SEED}: {args.revisions:,} revisions (one change each), "
            f"built in {time.perf_counter() - start:.1f} s"
        )
        dates = checkpoints(args.revisions, args.dates)
        print(f"{len(dates)} dates from {dates[0]} to {dates[-1]}")
        separate, single = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            expected = [as_of(engine, d) for d in dates]
            separate.append(time.perf_counter() - start)
            start = time.perf_counter()
            found = series(engine, dates)
            single.append(time.perf_counter() - start)
        assert found == expected, "series differs from as_of"
        counts = [len(s.offers) for s in found]
        print(f"offers at the dates: {counts[0]} ... {counts[-1]}; series equals as_of at every date")
        engine.dispose()
    a, s = statistics.median(separate), statistics.median(single)
    print(f"{len(dates)} x as_of: {a:.3f} s; series: {s:.3f} s")
    print(f"RESULT history_series_speedup {a / s:.1f} x")


if __name__ == "__main__":
    main()
