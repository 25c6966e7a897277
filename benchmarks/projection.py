"""Back-test of the Hamilton-Perry population projection (issue #13) and SSB's projection as the peer.

1. Projects 2021 from 2016 and 2026 from 2021 (only the years up to the launch are used) and compares with
   the bundled observed population: MAPE and the worst area per level (small area = municipality or Oslo
   bydel, catchment area, region, nation) and broad age group, next to two naive baselines: constant
   population, and constant share of the (projected) national total by sex and single age.
2. National totals 2030/2035/2040 by SSB's age groups (launch 2026) beside SSB's main alternative MMMM,
   editions 2022 (table 13600), 2024 (14288) and 2026 (14746), with the differences.
Ends with ``RESULT projection_mape_catchment_2026 <value> %``: the MAPE over the 21 catchment areas x 6 broad
age groups, 2026 projected from 2021. Target: under 2 %, and below both baselines at every level.
Run: ``.venv/bin/python benchmarks/projection.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from tsbkart.planning.areas import LEVELS, bundled_history
from tsbkart.planning.backtest import ALL_AGES, METHODS, backtest, ssb_national_comparison
from tsbkart.planning.population import project_population
from tsbkart.planning.settings import default_settings

SHORT = {"hamilton-perry": "HP", "constant population": "const pop", "constant share": "const share"}


def cell_mape(frame: pd.DataFrame, level: str, method: str) -> float:
    """MAPE over every area x broad age group (the 'all' row left out) at ``level``: a weighted mean of the
    per-group MAPEs by their number of areas."""
    rows = frame[(frame["level"] == level) & (frame["method"] == method) & (frame["age_group"] != ALL_AGES)]
    return float(np.average(rows["mape"], weights=rows["areas"]))


def print_backtest(frame: pd.DataFrame) -> list[str]:
    target, launch = int(frame["target"].iloc[0]), int(frame["launch"].iloc[0])
    print(f"\n== Back-test: {target} projected from {launch} (observed {target} as truth)")
    failures = []
    for level in LEVELS:
        part = frame[frame["level"] == level]
        wide = part.pivot(index="age_group", columns="method", values="mape")
        worst = part[part["method"] == "hamilton-perry"].set_index("age_group")
        order = [*dict.fromkeys(part["age_group"])]
        print(f"-- {level} ({int(worst['areas'].max())} areas): MAPE %")
        print(f"   {'age':>6} " + " ".join(f"{SHORT[m]:>11}" for m in METHODS) + "   worst area (HP, APE %)")
        for group in order:
            cells = " ".join(f"{wide.loc[group, m]:11.2f}" for m in METHODS)
            w = worst.loc[group]
            print(f"   {group:>6} {cells}   {w['worst_name']} ({w['worst_ape']:.2f})")
        ours, pop, share = (cell_mape(frame, level, m) for m in METHODS)
        print(f"   {'cells':>6} {ours:11.2f} {pop:11.2f} {share:11.2f}   (area x age group)")
        if level != "nation" and not (ours < pop and ours < share):
            failures.append(f"{target} {level}: HP {ours:.2f} vs baselines {pop:.2f} / {share:.2f}")
        if level == "nation" and not ours < pop:
            failures.append(f"{target} nation: HP {ours:.2f} vs constant population {pop:.2f}")
    return failures


def not_best(frame: pd.DataFrame) -> list[str]:
    """Rows (level, age group) where a baseline beats the projection (nation: constant population only)."""
    wide = frame.pivot_table(index=["level", "age_group"], columns="method", values="mape", sort=False)
    out = []
    for (level, group), row in wide.iterrows():
        rivals = ["constant population"] if level == "nation" else ["constant population", "constant share"]
        better = [f"{SHORT[r]} {row[r]:.2f}" for r in rivals if row[r] < row["hamilton-perry"]]
        if better:
            out.append(f"{level}/{group} (HP {row['hamilton-perry']:.2f}; {', '.join(better)})")
    return out


def print_ssb(comparison: pd.DataFrame) -> None:
    print("\n== National totals by SSB age group: ours (launch 2026) vs SSB main alternative MMMM")
    print("   (SSB editions: 2022 = table 13600, 2024 = 14288, 2026 = 14746; diff = ours - SSB)")
    header = f"   {'year':>4} {'age':>6} {'ours':>10}"
    for v in (2022, 2024, 2026):
        header += f" {'SSB ' + str(v):>10} {'diff':>8} {'%':>6}"
    print(header)
    for row in comparison.itertuples(index=False):
        line = f"   {row.year:>4} {row.age_group:>6} {row.ours:10,.0f}"
        for v in (2022, 2024, 2026):
            line += f" {getattr(row, f'ssb_{v}'):10,.0f} {getattr(row, f'diff_{v}'):8,.0f} {getattr(row, f'pct_{v}'):6.2f}"
        print(line)


def main() -> None:
    settings = default_settings()
    print(f"Method: {settings.describe()}")
    print("Data: bundled population 2010-2026 (SSB via FHI csdata), 2024 municipalities, Oslo by bydel")
    hierarchy, _ = bundled_history()
    print(
        f"Small areas: {len(hierarchy.units)}; catchments: {len(hierarchy.catchments)}; regions: {len(hierarchy.regions)}"
    )
    failures = []
    results = {}
    for target in (2021, 2026):
        frame = backtest(target)
        results[target] = frame
        failures += print_backtest(frame)
        print(
            f"   rows where a baseline is lower than HP in {target}: "
            + ("; ".join(not_best(frame)) or "none")
        )
    print_ssb(ssb_national_comparison())
    start = time.perf_counter()
    projection = project_population(2040)
    seconds = time.perf_counter() - start
    print(f"\nProjection 2026->2040, {len(hierarchy.units)} small areas x 2 sexes x 91 ages: {seconds:.2f} s")
    print(f"Projection used: {projection.label()}")
    catchment = cell_mape(results[2026], "catchment", "hamilton-perry")
    pop = cell_mape(results[2026], "catchment", "constant population")
    share = cell_mape(results[2026], "catchment", "constant share")
    print(
        f"\nCatchment 2026 (5 years ahead): HP {catchment:.2f} % vs constant population {pop:.2f} % "
        f"(ratio {catchment / pop:.2f}) and constant share {share:.2f} % (ratio {catchment / share:.2f}); target < 2 %"
    )
    print("Below both baselines at every level: " + ("yes" if not failures else "NO: " + "; ".join(failures)))
    print(f"RESULT projection_mape_catchment_2026 {catchment:.2f} %")


if __name__ == "__main__":
    main()
