"""Sensitivity of the capacity projection to the parameters' ranges: one-at-a-time, seeded Monte Carlo,
and the tornado of which parameter matters most.

Parameters are the scenario's factors (all of a factor's effects move together to their low or high end) and
the bed utilisation (its range in ``capacity.yaml``; it moves beds only). Shapes::

    band = one_at_a_time_band(projection, usage, "illustrative", "catchment")
    # year level code name output value low high method
    band = monte_carlo_band(projection, usage, "illustrative", "catchment", draws=1000, seed=13)
    tornado(projection, usage, "illustrative", output="beds", year=2040, code="norge", level="nation")
    # parameter title low high swing   (sorted by swing, largest first)

Monte Carlo draws each factor from a triangular distribution (low, value, high) with one quantile per factor
and draw (its effects move together), utilisation likewise; the band is the 5th-95th percentile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tsbkart.planning.areas import Cube, Level
from tsbkart.planning.capacity import OUTPUTS, CapacityOptions, base_use, capacity_frame
from tsbkart.planning.capacity_settings import days_per_year, measure_ids, utilisation
from tsbkart.planning.projection import PopulationProjection
from tsbkart.planning.scenarios import Bound, ScenarioBook, load_scenarios
from tsbkart.planning.usage import Usage

__all__ = ["UTILISATION", "Inputs", "monte_carlo_band", "one_at_a_time_band", "tornado"]

UTILISATION = "utilisation"
KEYS = ["year", "level", "code", "name"]


@dataclass(frozen=True)
class Inputs:
    """What every sensitivity run shares: the base use (before factors) and the settings."""

    projection: PopulationProjection
    level: Level
    base: np.ndarray
    book: ScenarioBook
    scenario: str
    share: float
    ratio: float

    @classmethod
    def build(
        cls,
        projection: PopulationProjection,
        usage: Usage,
        scenario: str,
        level: Level,
        book: ScenarioBook | None = None,
        options: CapacityOptions | None = None,
        history: Cube | None = None,
    ) -> Inputs:
        book = book or load_scenarios()
        book.scenario(scenario)
        share, ratio = (options or CapacityOptions()).resolved()
        return cls(
            projection, level, base_use(projection, usage, level, history), book, scenario, share, ratio
        )

    def parameters(self) -> tuple[str, ...]:
        return (*self.book.scenario(self.scenario).factors, UTILISATION)

    def title(self, parameter: str, language: str = "en") -> str:
        if parameter == UTILISATION:
            return "Utnyttelsesgrad" if language == "nb" else "Bed utilisation"
        return self.book.factors[parameter].text("title", language)

    def run(self, bounds: Mapping[str, Bound]) -> pd.DataFrame:
        years = self.projection.years
        factors = self.book.multipliers(self.scenario, years, self.projection.launch, bounds)
        totals = self.base * np.stack([factors[m] for m in measure_ids()], axis=-1)[:, None, :]
        share = {"value": self.share, "low": utilisation().low, "high": utilisation().high}[
            bounds.get(UTILISATION, "value")
        ]
        return capacity_frame(self.projection, self.level, totals, share, self.ratio)


def _long(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    return frame.melt(id_vars=KEYS, value_vars=list(OUTPUTS), var_name="output", value_name=name)


def one_at_a_time_band(
    projection: PopulationProjection,
    usage: Usage,
    scenario: str,
    level: Level = "catchment",
    **kwargs: object,
) -> pd.DataFrame:
    """The envelope of moving one parameter at a time to its low and its high end (others at their value)."""
    inputs = Inputs.build(projection, usage, scenario, level, **kwargs)  # type: ignore[arg-type]
    central = _long(inputs.run({}), "value")
    runs = [
        _long(inputs.run({p: b}), "run")["run"].to_numpy()
        for p in inputs.parameters()
        for b in ("low", "high")
    ]
    stacked = np.stack([central["value"].to_numpy(), *runs])
    return central.assign(low=stacked.min(axis=0), high=stacked.max(axis=0), method="one-at-a-time")


def _triangular(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    if high <= low:
        return np.full_like(u, mode)
    cut = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
    return np.where(u < cut, left, right)


def monte_carlo_band(
    projection: PopulationProjection,
    usage: Usage,
    scenario: str,
    level: Level = "catchment",
    draws: int = 1000,
    seed: int = 13,
    percentiles: tuple[float, float] = (5.0, 95.0),
    **kwargs: object,
) -> pd.DataFrame:
    """Percentile band over ``draws`` seeded draws of every parameter (vectorised over draws)."""
    inputs = Inputs.build(projection, usage, scenario, level, **kwargs)  # type: ignore[arg-type]
    rng = np.random.default_rng(seed)
    phase = inputs.book.phase(projection.years, projection.launch)
    multipliers = np.ones((draws, len(projection.years), len(measure_ids())))
    for factor_id in inputs.book.scenario(scenario).factors:
        u = rng.random(draws)
        for measure, effect in inputs.book.factors[factor_id].effects.items():
            value = _triangular(u, effect.low, effect.value, effect.high)
            multipliers[:, :, measure_ids().index(measure)] *= 1 + (value[:, None] - 1) * phase[None, :]
    share = _triangular(rng.random(draws), utilisation().low, inputs.share, utilisation().high)
    totals = inputs.base[None] * multipliers[:, :, None, :]
    beds = totals[..., measure_ids().index("bed_days")] / (days_per_year() * share[:, None, None])
    man_years = totals[..., measure_ids().index("patients")] * inputs.ratio
    cube = np.concatenate([totals, beds[..., None], man_years[..., None]], axis=-1)
    if draws < 1:
        raise ValueError("draws must be at least 1")
    low, high = np.percentile(cube, percentiles, axis=0)  # an unknown area is unknown in every draw
    central = _long(inputs.run({}), "value")
    band = central.assign(low=_output_major(low), high=_output_major(high), method="monte-carlo")
    band.attrs.update(draws=draws, seed=seed, percentiles=percentiles)
    return band


def _output_major(values: np.ndarray) -> np.ndarray:
    """(years, areas, outputs) flattened in the row order of ``_long`` (output, then year, then area)."""
    return np.moveaxis(values, -1, 0).reshape(-1)


def tornado(
    projection: PopulationProjection,
    usage: Usage,
    scenario: str,
    output: str = "beds",
    year: int = 2040,
    code: str = "norge",
    level: Level = "nation",
    language: str = "en",
    **kwargs: object,
) -> pd.DataFrame:
    """Swing of one output (area ``code``, ``year``) as each parameter goes low -> high, largest first."""
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}; known: {', '.join(OUTPUTS)}")
    inputs = Inputs.build(projection, usage, scenario, level, **kwargs)  # type: ignore[arg-type]

    def pick(frame: pd.DataFrame) -> float:
        row = frame[(frame["year"] == year) & (frame["code"] == code)]
        if row.empty:
            raise ValueError(f"no {level} {code!r} in {year}")
        return float(row[output].iloc[0])

    central = pick(inputs.run({}))
    rows = [
        {
            "parameter": p,
            "title": inputs.title(p, language),
            "low": pick(inputs.run({p: "low"})),
            "high": pick(inputs.run({p: "high"})),
        }
        for p in inputs.parameters()
    ]
    frame = pd.DataFrame(rows, columns=["parameter", "title", "low", "high"])
    frame["swing"] = (frame["high"] - frame["low"]).abs()
    frame = frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    frame.attrs.update(output=output, year=year, code=code, central=central, scenario=scenario)
    return frame
