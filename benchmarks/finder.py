"""Finder latency: p50/p95/p99 of ``tsbkart.finder.search.find`` over a SYNTHETIC registry of 10,000 units and
40,000 service offers, in-process (no HTTP), against a naive baseline on the same inputs.

Everything in the registry is SYNTHETIC (ids start with "synthetic-", provenance says "synthetic benchmark
data"); only the geography (municipalities, catchments) is the bundled reference data.

- finder: ``find(snapshot, profile, today=..., limit=50)`` with its per-snapshot index (built once per
  snapshot, timed separately) and eligibility evaluated once per distinct offer signature;
- baseline ("naive scan"): the same eligibility rules (``judge``) called for every offer, distances per offer
  in Python, and a Python ``sorted`` on the same ranking keys; it is what the finder would cost without its
  index. Both return the same eligible offers (checked).

    python benchmarks/finder.py [--units 10000] [--offers 40000] [--requests 400]

Prints ``RESULT finder_p95_ms <value> ms`` last (target: under 25 ms).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from datetime import date

from tsbkart.domain.entities import AssessmentTeam, Organisation, Provenance, ServiceOffer, Unit
from tsbkart.finder.eligibility import context, judge
from tsbkart.finder.index import finder_index
from tsbkart.finder.profile import SUBSTANCES, NeedProfile, Preferences
from tsbkart.finder.search import find
from tsbkart.reference.geography import load_geography
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab import load_vocabularies

SOURCE = Provenance(source="synthetic benchmark data (tsbkart benchmarks/finder.py)", note="synthetic")
TODAY = date(2026, 11, 23)
SERVICE_TYPES = list(load_vocabularies()["service_types"].codes)  # every type the vocabulary has
GROUPS = [
    "young",
    "rop",
    "pregnant",
    "families",
    "gambling",
    "prisoners",
    "under_23",
    "adults",
    "elderly",
    "under_18",
]
OWNERS = ["hf", "private_nonprofit_contract", "municipal"]


def synthetic_registry(n_units: int, n_offers: int, seed: int = 7) -> RegistrySnapshot:
    rng = random.Random(seed)
    geography = load_geography()
    areas = [a for a in geography.area_units.values() if a.lat is not None and a.catchment_code]
    orgs = [
        Organisation(f"synthetic-org-{i}", f"Synthetic org {i}", OWNERS[i % 3], SOURCE) for i in range(300)
    ]
    units = []
    for i in range(n_units):
        area = rng.choice(areas)
        units.append(
            Unit(
                f"synthetic-unit-{i}",
                f"Synthetic unit {i}",
                rng.choice(orgs).id,
                SOURCE,
                catchment_code=area.catchment_code,
                municipality_code=area.code,
                lat=(area.lat or 0) + rng.uniform(-0.05, 0.05),
                lon=(area.lon or 0) + rng.uniform(-0.05, 0.05),
                location_precision="municipality",
            )
        )
    offers = []
    for i in range(n_offers):
        unit = units[i % n_units]
        service = rng.choice(SERVICE_TYPES)
        offers.append(
            ServiceOffer(
                f"synthetic-offer-{i}",
                unit.id,
                service,
                SOURCE,
                target_groups=tuple(sorted(set(rng.sample(GROUPS, rng.choice([0, 0, 0, 1, 2]))))),
                legal_basis=rng.choice([(), (), (), ("hol_10_2",), ("hol_10_2", "hol_10_3")]),
                age_min=rng.choice([None, None, 18, 16]),
                age_max=rng.choice([None, None, None, 29, 23]),
                waiting_weeks=rng.choice([None, None, float(rng.randint(0, 30))]),
                intake_status=rng.choice(["unknown", "unknown", "open", "waitlist", "closed"]),
            )
        )
    catchments = sorted(geography.catchments)
    teams = [
        AssessmentTeam(
            f"synthetic-team-{i}",
            f"Synthetic team {i}",
            SOURCE,
            catchment_code=catchments[i % len(catchments)],
            scope=["all_tsb", "lar_only", "own_unit", "unknown"][i % 4],
        )
        for i in range(84)
    ]
    return RegistrySnapshot.build(geography, organisations=orgs, units=units, offers=offers, teams=teams)


def profiles(snapshot: RegistrySnapshot, n: int, seed: int = 11) -> list[NeedProfile]:
    rng = random.Random(seed)
    codes = sorted(snapshot.geography.area_units)
    out = []
    for _ in range(n):
        substances = rng.sample(SUBSTANCES, rng.randint(1, 2))
        pregnant = rng.random() < 0.1
        out.append(
            NeedProfile(
                home_area=rng.choice(codes),
                age=rng.randint(14, 85),
                substances=tuple(substances),
                injecting=rng.random() < 0.2,
                pregnant=pregnant,
                sex="female" if pregnant else None,
                lar=rng.choice(["none", "none", "current", "wanted"]),
                rop=rng.random() < 0.2,
                detox=rng.random() < 0.2,
                acute_crisis=rng.random() < 0.05,
                coercion=rng.choice(["none"] * 18 + ["hol_10_2"] + (["hol_10_3"] if pregnant else ["none"])),
                preferences=Preferences(
                    public_only=rng.random() < 0.2,
                    max_distance_km=rng.choice([None, None, 100.0, 300.0]),
                    setting=rng.choice(["any", "any", "outpatient", "inpatient"]),
                ),
            )
        )
    return out


def naive(snapshot: RegistrySnapshot, profile: NeedProfile) -> list[str]:
    """Baseline: every offer judged on its own, distances and sorting in plain Python."""
    index = finder_index(snapshot)
    ctx = context(profile)
    area = snapshot.geography.area_units[profile.home_area]
    parent = snapshot.geography.area_units.get(area.parent_code or "")
    lat, lon = (
        (area.lat, area.lon)
        if area.lat is not None
        else ((parent.lat, parent.lon) if parent else (None, None))
    )
    home = snapshot.geography.catchment_of(profile.home_area)
    keys = []
    for i, offer in enumerate(index.offers):
        verdict = judge(index.signatures[index.sig_of[i]], ctx)
        if not verdict.eligible:
            continue
        unit = index.units[i]
        km = math.inf
        if (
            lat is not None
            and lon is not None
            and unit is not None
            and unit.lat is not None
            and unit.lon is not None
        ):
            p1, p2 = math.radians(lat), math.radians(unit.lat)
            h = (
                math.sin((p2 - p1) / 2) ** 2
                + math.cos(p1) * math.cos(p2) * math.sin(math.radians(unit.lon - lon) / 2) ** 2
            )
            km = 2 * 6371.0088 * math.atan2(math.sqrt(h), math.sqrt(1 - h))
        limit = profile.preferences.max_distance_km
        if limit is not None and km != math.inf and km > limit:
            continue
        keys.append(
            (
                verdict.tier,
                index.signatures[index.sig_of[i]].level,
                int(home is None or unit is None or unit.catchment_code != home.code),
                km,
                i,
                offer.id,
            )
        )
    return [k[-1] for k in sorted(keys)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--offers", type=int, default=40_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--baseline-requests", type=int, default=15)
    args = parser.parse_args()

    t0 = time.perf_counter()
    snapshot = synthetic_registry(args.units, args.offers)
    print(
        f"SYNTHETIC registry: {len(snapshot.units):,} units, {len(snapshot.offers):,} offers, "
        f"{len(snapshot.teams)} teams (built in {time.perf_counter() - t0:.1f} s)"
    )
    t0 = time.perf_counter()
    index = finder_index(snapshot)
    print(
        f"finder index: {len(index.signatures):,} distinct offer signatures, built once in "
        f"{(time.perf_counter() - t0) * 1000:.0f} ms"
    )
    requests = profiles(snapshot, args.requests)
    for profile in requests[:10]:  # warm-up (vocabulary and rules caches)
        find(snapshot, profile, today=TODAY)

    timings = []
    for profile in requests:
        start = time.perf_counter()
        find(snapshot, profile, today=TODAY, limit=50)
        timings.append((time.perf_counter() - start) * 1000)

    baseline = []
    for profile in requests[: args.baseline_requests]:
        start = time.perf_counter()
        naive_ids = naive(snapshot, profile)
        baseline.append((time.perf_counter() - start) * 1000)
        found = find(snapshot, profile, today=TODAY, limit=500)
        assert found.total_eligible == len(naive_ids), "finder and baseline disagree on the eligible set"

    p50, p95, p99 = (percentile(timings, q) for q in (50, 95, 99))
    b50 = statistics.median(baseline)
    print(
        f"finder   (n={len(timings)}): p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms, max {max(timings):.2f} ms"
    )
    print(f"baseline naive scan (n={len(baseline)}): p50 {b50:.1f} ms, p95 {percentile(baseline, 95):.1f} ms")
    print(f"ratio naive/finder at p50: {b50 / p50:.1f}x")
    print(f"target p95 < 25 ms: {'met' if p95 < 25 else 'NOT met'}")
    print(f"RESULT finder_p95_ms {p95:.2f} ms")


if __name__ == "__main__":
    main()
