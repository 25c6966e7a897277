"""Map page render time in headless chromium: 2,000 synthetic units vs the bundled registry (124 units).

Everything in the 2,000-unit registry is SYNTHETIC: ids start "synthetic-", names "Syntetisk enhet ...", and
every source says "synthetic benchmark data". Units are scattered around the bundled kommune points (most
drawn as approximate, as in the real data); service types come from the real vocabulary with a seeded RNG.

For each registry the app runs in a real uvicorn server on 127.0.0.1 and Debian's chromium (through
Playwright) loads ``/`` with a cold cache, several times. The time is from navigation start to the map
script's ``tsbkart-markers-drawn`` performance mark, set in the animation frame after the GeoJSON from
``/api/v1/units.geojson`` has been turned into markers and clusters and added to the map.

Prints the median and spread for both registries, the ratio 2,000/bundled and the ratio to the 1.5 s budget,
and last ``RESULT map_render_2000_markers_ms <value> ms`` (the median). Not asserted anywhere.

    python benchmarks/map_render.py [--units 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright
from sqlalchemy.orm import Session

from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Organisation, Provenance, ServiceOffer, Unit
from tsbkart.reference.build import build_reference, write_geography
from tsbkart.reference.geography import load_geography
from tsbkart.registry.store import Registry, Upsert
from tsbkart.settings import Settings
from tsbkart.vocab import load_vocabularies
from tsbkart.web.app import create_app
from tsbkart.web.local_server import CHROMIUM, CHROMIUM_ARGS, LocalServer

SOURCE = "synthetic benchmark data (tsbkart benchmarks/map_render.py)"
BUDGET_MS = 1500.0
ORGANISATIONS = 100
RENDER_TIMEOUT_MS = 60_000


def synthetic_records(units: int, seed: int = 11) -> list[Upsert]:
    """Organisations, units (1-3 offers each), all labelled synthetic, around the bundled kommune points."""
    rng = random.Random(seed)
    geography = load_geography()
    vocabs = load_vocabularies()
    provenance = Provenance(source=SOURCE, note="synthetic")
    kommuner = [a for a in geography.area_units.values() if a.kind == "kommune" and a.lat is not None]
    owner_types = [t.code for t in vocabs["owner_types"] if not t.get("historical")]
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
        # Four in five at the municipality point (approximate, so the map's jitter is exercised), as in the data.
        approximate = rng.random() < 0.8
        spread = 0.0 if approximate else 0.05
        unit = Unit(
            id=f"synthetic-unit-{i:05d}",
            name=f"Syntetisk enhet {i} {kommune.name}",
            organisation_id=organisations[i % ORGANISATIONS].id,
            provenance=provenance,
            catchment_code=kommune.catchment_code,
            region_code=catchment.region_code if catchment else None,
            municipality_code=kommune.code,
            town=kommune.name,
            lat=(kommune.lat or 0.0) + rng.uniform(-spread, spread),
            lon=(kommune.lon or 0.0) + rng.uniform(-spread, spread),
            location_precision="municipality" if approximate else "address",
        )
        records.append(Upsert(unit))
        for service_type in rng.sample(service_types, rng.randint(1, 3)):
            records.append(
                Upsert(ServiceOffer(f"{unit.id}/{service_type}", unit.id, service_type, provenance))
            )
    return records


def synthetic_registry(path: Path, units: int) -> Registry:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
    registry = Registry(engine)
    registry.commit(
        synthetic_records(units), actor=Actor.cli("benchmark"), reason="synthetic map benchmark registry"
    )
    return registry


def bundled_registry(path: Path) -> Registry:
    engine = make_engine(f"sqlite:///{path}")
    build_reference(engine, years=range(2026, 2027))
    return Registry(engine)


def render_times(browser: Browser, registry: Registry, runs: int) -> tuple[list[float], int]:
    """Milliseconds from navigation to markers drawn, per run (first run discarded as warm-up)."""
    app = create_app(Settings(database_url=str(registry.engine.url)), registry=registry)
    times: list[float] = []
    markers = 0
    with LocalServer(app) as server:
        for run in range(runs + 1):
            context = browser.new_context(viewport={"width": 1280, "height": 900})  # fresh cache per run
            page = context.new_page()
            page.goto(f"{server.url}/")
            page.wait_for_selector("#map[data-ready='true']", timeout=RENDER_TIMEOUT_MS)
            elapsed = page.evaluate("performance.getEntriesByName('tsbkart-markers-drawn')[0].startTime")
            markers = int(page.get_attribute("#map", "data-markers") or "0")
            context.close()
            if run:
                times.append(float(elapsed))
    return times, markers


def describe(label: str, times: list[float], markers: int) -> float:
    median = statistics.median(times)
    print(
        f"{label}: {markers} markers, median {median:.0f} ms (min {min(times):.0f}, max {max(times):.0f}, n={len(times)})"
    )
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        synthetic = synthetic_registry(Path(tmp) / "synthetic.sqlite", args.units)
        bundled = bundled_registry(Path(tmp) / "bundled.sqlite")
        print(f"built registries in {time.perf_counter() - started:.1f} s (synthetic: {args.units} units)")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
            try:
                base_times, base_markers = render_times(browser, bundled, args.runs)
                synth_times, synth_markers = render_times(browser, synthetic, args.runs)
            finally:
                browser.close()
    baseline = describe("baseline, bundled registry", base_times, base_markers)
    result = describe(f"SYNTHETIC registry of {args.units} units", synth_times, synth_markers)
    print(f"ratio synthetic/bundled: {result / baseline:.2f}")
    print(f"ratio to the {BUDGET_MS:.0f} ms budget: {result / BUDGET_MS:.2f}")
    print(f"RESULT map_render_{args.units}_markers_ms {result:.0f} ms")


if __name__ == "__main__":
    main()
