"""Benchmark: great-circle distance to the nearest service for 2,000,000 points and 300 services.

Synthetic data (seed 7): points uniform in Norway's bounding box (lat 57.9-71.2, lon 4.5-31.2).
Target: under 2 s. A 20,000-point subsample is checked against the brute-force dense haversine matrix.
Run: ``.venv/bin/python benchmarks/nearest.py``.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from tsbkart.analysis import GreatCircle, Points, nearest_service, share_within

N_POINTS, N_SERVICES, SEED, REPEATS = 2_000_000, 300, 7, 3


def synthetic_points(rng: np.random.Generator, n: int) -> Points:
    return Points(rng.uniform(57.9, 71.2, n), rng.uniform(4.5, 31.2, n))


def main() -> None:
    rng = np.random.default_rng(SEED)
    points, services = synthetic_points(rng, N_POINTS), synthetic_points(rng, N_SERVICES)
    print(f"SYNTHETIC data, seed {SEED}: {N_POINTS:,} points x {N_SERVICES} services, Norway bounding box")
    print(f"cores available: {os.cpu_count()} (KD-tree query uses all)")
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        found = nearest_service(points, services)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    print(f"nearest_service: runs {', '.join(f'{t:.3f}' for t in times)} s; median {seconds:.3f} s")

    sample = Points(points.lat[:20_000], points.lon[:20_000])
    brute = GreatCircle().matrix(sample, services).min(axis=1)
    print(
        f"max abs difference vs brute force on 20,000 points: {np.max(np.abs(brute - found.cost[:20_000])):.3e} km"
    )
    shares = share_within(found.cost, np.ones(N_POINTS))
    print("share of points within " + ", ".join(f"{t:g} km: {s:.3f}" for t, s in shares.items()))
    print(f"RESULT nearest_2m_seconds {seconds:.3f} s")


if __name__ == "__main__":
    main()
