"""Projection settings from ``data/projection.yaml`` (each value with its source there)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["ProjectionSettings", "default_settings"]


@dataclass(frozen=True, slots=True)
class ProjectionSettings:
    """``step``: years per Hamilton-Perry step; ``window``: launch intervals pooled per ratio;
    ``prior``: shrinkage towards the parent area in persons; ``childbearing``: ages of the child-woman ratio."""

    step: int = 5
    window: int = 1
    prior: float = 50.0
    childbearing: tuple[int, int] = (15, 49)

    def describe(self) -> str:
        return (
            f"Hamilton-Perry, {self.step}-year cohort-change ratios pooled over {self.window} interval(s), "
            f"child-woman ratios (women {self.childbearing[0]}-{self.childbearing[1]}), open group 90+, "
            f"shrinkage {self.prior:g} persons, controlled unit->catchment->region->nation by sex and age"
        )


@cache
def _raw() -> dict[str, Any]:
    text = (resources.files("tsbkart.planning") / "data" / "projection.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def default_settings() -> ProjectionSettings:
    raw = _raw()
    low, high = raw["childbearing_ages"]["value"]
    return ProjectionSettings(
        step=int(raw["step_years"]["value"]),
        window=int(raw["window"]["value"]),
        prior=float(raw["prior_persons"]["value"]),
        childbearing=(int(low), int(high)),
    )
