"""API latency and throughput: a filtered, near-sorted /api/v1/units query vs /api/v1/health, same app, same run.

Everything here is SYNTHETIC: a registry of 10,000 units and about 40,000 service offers with ids starting
"synthetic-", names "Syntetisk enhet ...", and sources that say "synthetic benchmark data". Units are
scattered around the bundled kommune points (so areas and distances are realistic); codes are drawn from
the real vocabularies with a seeded RNG.

The app runs in a real uvicorn server on 127.0.0.1 (a free port); one httpx client sends sequential
requests (one client, keep-alive), first to warm up, then N timed requests to each endpoint, in alternating
blocks of N/10 so that load from other processes on the machine falls on both alike:

- trivial: ``GET /api/v1/health`` (reads the in-memory revision, no query work);
- query:   ``GET /api/v1/units?service_type=dogn_kort&service_type=avrusning&intake_status=open
  &intake_status=unknown&near=60.39,5.32&radius_km=400&limit=50`` (facets + great-circle sort + page).

Prints throughput (requests/s) and p50/p95/p99 latency of both, the ratio query/trivial throughput, and
last the headline ``RESULT api_throughput_ratio <value> ratio``. Targets: ratio >= 0.25, query p95 < 20 ms.

    python benchmarks/api.py [--units 10000] [--requests 2000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy.orm import Session

from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Organisation, Provenance, ServiceOffer, Unit
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography
from tsbkart.registry.store import Registry, Upsert
from tsbkart.settings import Settings
from tsbkart.vocab import load_vocabularies
from tsbkart.web.app import create_app
from tsbkart.web.local_server import LocalServer

SOURCE = "synthetic benchmark data (tsbkart benchmarks/api.py)"
ORGANISATIONS = 200
OFFERS_PER_UNIT = 4  # about 40,000 offers for 10,000 units
ROUNDS = 10  # the timed requests alternate between the endpoints in this many blocks each
QUERY = (
    "/api/v1/units?service_type=dogn_kort&service_type=avrusning&intake_status=open&intake_status=unknown"
    "&near=60.39,5.32&radius_km=400&limit=50"
)
TRIVIAL = "/api/v1/health"


def synthetic_records(units: int, seed: int = 7) -> list[Upsert]:
    """Organisations, units and offers, all labelled synthetic, spread over the bundled kommuner."""
    rng = random.Random(seed)
    geography = load_geography()
    vocabs = load_vocabularies()
    provenance = Provenance(source=SOURCE, note="synthetic")
    kommuner = [a for a in geography.area_units.values() if a.kind == "kommune" and a.lat is not None]
    owner_types = vocabs["owner_types"].codes
    organisations = [
        Organisation(
            f"synthetic-org-{i:03d}", f"Syntetisk organisasjon {i}", rng.choice(owner_types), provenance
        )
        for i in range(ORGANISATIONS)
    ]
    records: list[Upsert] = [Upsert(o) for o in organisations]
    service_types = vocabs["service_types"].codes
    for i in range(units):
        kommune = rng.choice(kommuner)
        catchment = geography.catchments.get(kommune.catchment_code or "")
        unit = Unit(
            id=f"synthetic-unit-{i:05d}",
            name=f"Syntetisk enhet {i} {kommune.name}",
            organisation_id=organisations[i % ORGANISATIONS].id,
            provenance=provenance,
            catchment_code=kommune.catchment_code,
            region_code=catchment.region_code if catchment else None,
            municipality_code=kommune.code,
            town=kommune.name,
            lat=(kommune.lat or 0.0) + rng.uniform(-0.05, 0.05),
            lon=(kommune.lon or 0.0) + rng.uniform(-0.05, 0.05),
            location_precision="municipality",
        )
        records.append(Upsert(unit))
        for service_type in rng.sample(service_types, OFFERS_PER_UNIT):
            offer = ServiceOffer(
                id=f"{unit.id}/{service_type}",
                unit_id=unit.id,
                service_type=service_type,
                provenance=provenance,
                intake_status=rng.choice(("open", "waitlist", "closed", "unknown")),
                open_24_7=rng.choice((True, False, None)),
            )
            records.append(Upsert(offer))
    return records


def build_registry(path: Path, units: int) -> Registry:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
    registry = Registry(engine)
    registry.commit(
        synthetic_records(units), actor=Actor.cli("benchmark"), reason="synthetic benchmark registry"
    )
    return registry


def measure(client: httpx.Client, path: str, count: int) -> tuple[float, np.ndarray]:
    """(seconds spent, latencies in ms) of ``count`` sequential GETs."""
    latencies = np.empty(count)
    start = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        response = client.get(path)
        latencies[i] = (time.perf_counter() - t0) * 1000.0
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}: {response.text[:200]}")
    return time.perf_counter() - start, latencies


def interleaved(client: httpx.Client, paths: tuple[str, str], count: int) -> list[tuple[float, np.ndarray]]:
    """Both endpoints in alternating blocks, so a busy machine slows both alike; (requests/s, ms) each."""
    spent = [0.0, 0.0]
    latencies: list[list[np.ndarray]] = [[], []]
    block = max(count // ROUNDS, 1)
    for _ in range(ROUNDS):
        for k, path in enumerate(paths):
            seconds, ms = measure(client, path, block)
            spent[k] += seconds
            latencies[k].append(ms)
    return [(block * ROUNDS / spent[k], np.concatenate(latencies[k])) for k in range(2)]


def report(label: str, throughput: float, latencies: np.ndarray) -> None:
    p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
    print(f"{label:8s} {throughput:8.0f} req/s   p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   p99 {p99:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.sqlite"
        started = time.perf_counter()
        registry = build_registry(path, args.units)
        snapshot = registry.snapshot()
        print(
            f"SYNTHETIC registry: {len(snapshot.units)} units, {len(snapshot.offers)} offers "
            f"(built in {time.perf_counter() - started:.1f} s)"
        )
        # The query path itself: no page cache (it would answer the repeated query from memory) and no planning
        # warm-up (a start-up thread, docs/planning.md) running beside the timed requests.
        settings = Settings(database_url=f"sqlite:///{path}", warm_planning=False, page_cache_bytes=0)
        app = create_app(settings, registry=registry)
        with LocalServer(app) as server, httpx.Client(base_url=server.url, timeout=10.0) as client:
            first = client.get(QUERY).json()
            print(f"query matches {first['total']} units; nearest {first['items'][0]['distance_km']} km")
            for path_ in (TRIVIAL, QUERY):
                measure(client, path_, max(args.requests // 10, 20))  # warm-up
            (trivial_rps, trivial_ms), (query_rps, query_ms) = interleaved(
                client, (TRIVIAL, QUERY), args.requests
            )
    print(f"one client, sequential, {args.requests} timed requests each (interleaved), uvicorn on 127.0.0.1")
    report("trivial", trivial_rps, trivial_ms)
    report("query", query_rps, query_ms)
    ratio = query_rps / trivial_rps
    p95 = float(np.percentile(query_ms, 95))
    print(f"query p95 {p95:.2f} ms (target < 20 ms); throughput ratio {ratio:.3f} (target >= 0.25)")
    print(f"RESULT api_throughput_ratio {ratio:.3f} ratio")


if __name__ == "__main__":
    main()
