"""Scenario factors as data (``data/scenarios.yaml`` or a user file of the same shape).

A factor is a named multiplier per measure with a range; a scenario switches factors on. Shape::

    book = load_scenarios()
    book.factors["dogn_to_outpatient"].effects["bed_days"]   # Effect(value=0.9, low=0.8, high=1.0)
    book.scenario("illustrative").factors                     # ("need_gap", "dogn_to_outpatient", ...)
    book.multipliers("illustrative", years, launch=2026)      # {measure: array over years}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml

from tsbkart.planning.capacity_settings import measure_ids

__all__ = ["Effect", "Factor", "Scenario", "ScenarioBook", "ScenarioError", "load_scenarios"]

Bound = Literal["value", "low", "high"]


class ScenarioError(ValueError):
    """A scenario file that cannot be used (names the file and the entry)."""


@dataclass(frozen=True, slots=True)
class Effect:
    value: float
    low: float
    high: float

    def at(self, bound: Bound) -> float:
        return {"value": self.value, "low": self.low, "high": self.high}[bound]


@dataclass(frozen=True)
class Factor:
    id: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    source: str
    effects: Mapping[str, Effect]

    def text(self, key: Literal["title", "description"], language: str) -> str:
        texts = self.title if key == "title" else self.description
        return texts.get(language) or texts["en"]


@dataclass(frozen=True)
class Scenario:
    id: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    factors: tuple[str, ...]

    def text(self, key: Literal["title", "description"], language: str) -> str:
        texts = self.title if key == "title" else self.description
        return texts.get(language) or texts["en"]


@dataclass(frozen=True)
class ScenarioBook:
    factors: Mapping[str, Factor]
    scenarios: Mapping[str, Scenario]
    full_effect_year: int
    origin: str
    overrides: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def scenario(self, scenario_id: str) -> Scenario:
        if scenario_id not in self.scenarios:
            raise ScenarioError(f"unknown scenario {scenario_id!r}; known: {', '.join(self.scenarios)}")
        return self.scenarios[scenario_id]

    def with_value(self, factor: str, measure: str, value: float) -> ScenarioBook:
        """A copy with one effect's value set (``--set factor.measure=value``); must lie in its range."""
        effect = self.factors.get(factor, None)
        if effect is None or measure not in effect.effects:
            raise ScenarioError(f"no effect {factor}.{measure} in {self.origin}")
        bounds = effect.effects[measure]
        if not bounds.low <= value <= bounds.high:
            raise ScenarioError(
                f"{factor}.{measure} = {value:g} is outside its range {bounds.low:g}-{bounds.high:g}"
            )
        effects = dict(effect.effects)
        effects[measure] = replace(bounds, value=value)
        factors = dict(self.factors)
        factors[factor] = replace(effect, effects=effects)
        return replace(self, factors=factors, overrides={**self.overrides, (factor, measure): value})

    def phase(self, years: Sequence[int], launch: int) -> np.ndarray:
        """Share of the full effect per year: 0 up to the launch year, 1 from ``full_effect_year``."""
        span = max(self.full_effect_year - launch, 1)
        return np.clip((np.asarray(years, dtype=float) - launch) / span, 0.0, 1.0)

    def multipliers(
        self,
        scenario_id: str,
        years: Sequence[int],
        launch: int,
        bounds: Mapping[str, Bound] | None = None,
    ) -> dict[str, np.ndarray]:
        """Product of the scenario's factors per measure and year; ``bounds`` picks low/high per factor."""
        phase = self.phase(years, launch)
        out = {m: np.ones(len(years)) for m in measure_ids()}
        for factor_id in self.scenario(scenario_id).factors:
            bound = (bounds or {}).get(factor_id, "value")
            for measure, effect in self.factors[factor_id].effects.items():
                out[measure] = out[measure] * (1.0 + (effect.at(bound) - 1.0) * phase)
        return out


def _texts(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or "en" not in raw or "nb" not in raw:
        raise ScenarioError(f"{where}: needs 'nb' and 'en' texts")
    return {str(k): str(v) for k, v in raw.items()}


def _effect(raw: Any, where: str) -> Effect:
    try:
        value, (low, high) = float(raw["value"]), (float(x) for x in raw["range"])
    except (KeyError, TypeError, ValueError) as problem:
        raise ScenarioError(f"{where}: needs 'value' and 'range: [low, high]' numbers") from problem
    if not (0 < low <= value <= high):
        raise ScenarioError(f"{where}: needs 0 < low <= value <= high, got {low:g}, {value:g}, {high:g}")
    return Effect(value, low, high)


def _factor(factor_id: str, raw: Any, origin: str) -> Factor:
    where = f"{origin}: factor {factor_id}"
    if not isinstance(raw, dict) or not raw.get("source"):
        raise ScenarioError(f"{where}: needs a source")
    effects = raw.get("effects") or {}
    unknown = set(effects) - set(measure_ids())
    if unknown or not effects:
        raise ScenarioError(f"{where}: effects must name measures among {', '.join(measure_ids())}")
    return Factor(
        id=factor_id,
        title=_texts(raw.get("title"), f"{where}.title"),
        description=_texts(raw.get("description"), f"{where}.description"),
        source=str(raw["source"]).strip(),
        effects={m: _effect(e, f"{where}.{m}") for m, e in effects.items()},
    )


def _scenario(scenario_id: str, raw: Any, factors: Mapping[str, Factor], origin: str) -> Scenario:
    where = f"{origin}: scenario {scenario_id}"
    listed = tuple(str(f) for f in (raw or {}).get("factors") or ())
    missing = [f for f in listed if f not in factors]
    if missing:
        raise ScenarioError(f"{where}: unknown factor(s) {', '.join(missing)}")
    return Scenario(
        scenario_id, _texts(raw.get("title"), f"{where}.title"), _texts(raw.get("description"), where), listed
    )


def parse_scenarios(raw: Any, origin: str) -> ScenarioBook:
    if not isinstance(raw, dict) or "factors" not in raw or "scenarios" not in raw:
        raise ScenarioError(f"{origin}: needs 'factors' and 'scenarios'")
    factors = {str(k): _factor(str(k), v, origin) for k, v in raw["factors"].items()}
    scenarios = {str(k): _scenario(str(k), v, factors, origin) for k, v in raw["scenarios"].items()}
    full = int((raw.get("phase_in") or {}).get("full_effect_year", 2040))
    return ScenarioBook(factors, scenarios, full, origin)


@cache
def _bundled() -> ScenarioBook:
    text = (resources.files("tsbkart.planning") / "data" / "scenarios.yaml").read_text(encoding="utf-8")
    return parse_scenarios(yaml.safe_load(text), "scenarios.yaml")


def load_scenarios(path: Path | None = None) -> ScenarioBook:
    """The bundled scenarios, or a user file of the same shape (``ScenarioError`` names what is wrong)."""
    if path is None:
        return _bundled()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as problem:
        raise ScenarioError(f"{path.name}: cannot read it as YAML ({problem})") from problem
    return parse_scenarios(raw, path.name)
