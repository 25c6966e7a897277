"""Small synthetic hierarchies and populations for the planning tests (SYNTHETIC, not real data)."""

from __future__ import annotations

import numpy as np

from tsbkart.planning.areas import TOP_AGE, Cube, Hierarchy


def hierarchy() -> Hierarchy:
    """6 small areas -> 3 catchments -> 2 regions."""
    return Hierarchy(
        units=("u1", "u2", "u3", "u4", "u5", "u6"),
        unit_names=("U1", "U2", "U3", "U4", "U5", "U6"),
        catchments=("c1", "c2", "c3"),
        catchment_names=("C1", "C2", "C3"),
        regions=("r1", "r2"),
        region_names=("R1", "R2"),
        unit_parent=np.array([0, 0, 1, 1, 2, 2]),
        catchment_parent=np.array([0, 0, 1]),
    )


def stable(years: range, births: np.ndarray, survival: float = 0.99) -> Cube:
    """A stationary population: each area's cohort of age a is births x survival**a in every year; the
    open top group holds everyone 90 and over (a geometric tail), so the population never changes."""
    ages = np.arange(TOP_AGE + 1, dtype=float)
    profile = survival**ages
    profile[TOP_AGE] = survival**TOP_AGE / (1 - survival)
    one = births[:, :, None] * profile[None, None, :]
    values = np.broadcast_to(one, (len(years), *one.shape)).copy()
    return Cube(tuple(years), tuple(f"u{i + 1}" for i in range(one.shape[0])), values)


def growing(years: range, seed: int = 3) -> Cube:
    """A noisy, growing population per area (for sum and control checks)."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(5, 400, size=(6, 2, TOP_AGE + 1))
    growth = rng.uniform(0.98, 1.03, size=(6, 1, 1))
    values = np.stack([base * growth**k * rng.uniform(0.95, 1.05, base.shape) for k in range(len(years))])
    return Cube(tuple(years), tuple(f"u{i + 1}" for i in range(6)), values)
