"""Capacity settings from ``data/capacity.yaml``: the measures, utilisation, days per year and the
man-years ratio (each with its source there)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from tsbkart.planning.series import national_value

__all__ = [
    "Range",
    "capacity_config",
    "days_per_year",
    "man_years_per_patient",
    "measure_ids",
    "measure_label",
    "utilisation",
]


@dataclass(frozen=True, slots=True)
class Range:
    value: float
    low: float
    high: float
    source: str

    def check(self, value: float, name: str) -> float:
        if not self.low <= value <= self.high:
            raise ValueError(f"{name} {value:g} is outside {self.low:g}-{self.high:g}")
        return value


@cache
def capacity_config() -> dict[str, Any]:
    text = (resources.files("tsbkart.planning") / "data" / "capacity.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def measure_ids() -> tuple[str, ...]:
    return tuple(str(m["id"]) for m in capacity_config()["measures"])


def measure_label(measure: str, language: str) -> str:
    found = next(m for m in capacity_config()["measures"] if m["id"] == measure)
    return str(found.get(language) or found["en"])


def utilisation() -> Range:
    raw = capacity_config()["utilisation"]
    low, high = raw["range"]
    return Range(float(raw["value"]), float(low), float(high), str(raw["source"]))


def days_per_year() -> int:
    return int(capacity_config()["days_per_year"]["value"])


def man_years_per_patient() -> float:
    """The default ratio: national man-years over national patients of the configured year."""
    raw = capacity_config()["man_years_per_patient"]
    top = national_value(raw["numerator"]["measure"], int(raw["numerator"]["year"]))
    bottom = national_value(raw["denominator"]["measure"], int(raw["denominator"]["year"]))
    return float(top["value"]) / float(bottom["value"])
