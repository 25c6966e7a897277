"""Age groupings (``data/age_groups.yaml``) and summing single-year ages into them.

``age_groups("broad")`` -> (AgeGroup("0-17", 0, 17), ..., AgeGroup("80+", 80, None)).
``group_matrix(groups)`` is a (91, n_groups) 0/1 matrix: ``values @ matrix`` sums ages into groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from tsbkart.planning.areas import TOP_AGE

__all__ = ["AgeGroup", "age_groups", "group_matrix", "grouping_names"]


@dataclass(frozen=True, slots=True)
class AgeGroup:
    label: str
    min: int
    max: int | None

    def contains(self, ages: np.ndarray) -> np.ndarray:
        upper = TOP_AGE if self.max is None else self.max
        return np.asarray((ages >= self.min) & (ages <= upper))


@cache
def _groupings() -> dict[str, Any]:
    text = (resources.files("tsbkart.planning") / "data" / "age_groups.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def grouping_names() -> tuple[str, ...]:
    return tuple(_groupings())


def age_groups(name: str = "broad") -> tuple[AgeGroup, ...]:
    """The groups of one grouping; ``ValueError`` for an unknown name."""
    if name not in _groupings():
        raise ValueError(f"unknown age grouping {name!r}; known: {', '.join(grouping_names())}")
    return tuple(
        AgeGroup(str(g["label"]), int(g["min"]), None if g.get("max") is None else int(g["max"]))
        for g in _groupings()[name]["groups"]
    )


def group_matrix(groups: tuple[AgeGroup, ...]) -> np.ndarray:
    ages = np.arange(TOP_AGE + 1)
    return np.stack([g.contains(ages) for g in groups], axis=1).astype(float)
