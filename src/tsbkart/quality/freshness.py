"""Freshness of verified facts: the verification cycle per record kind and field, from ``freshness.yaml``.

Shapes, by example::

    rules = load_freshness()
    rules.cycle("offer", "intake_status")   # Cycle(stale_after_months=3, amber_after_months=None)
    rules.cycle("unit")                     # Cycle(stale_after_months=12, amber_after_months=6)
    freshness_of(date(2026, 5, 21), date(2026, 11, 22))
    # FreshnessBadge(status="amber", verified=date(2026, 5, 21), age_days=185, months=6)
    due_date(date(2026, 5, 21), rules.cycle("unit"))   # date(2027, 5, 21): verify again by then
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, model_validator

from tsbkart.yaml_schema import validate

BadgeStatus = Literal["ok", "amber", "red", "unknown"]


class Cycle(BaseModel):
    """How many calendar months a verified fact is fresh (ok), then amber (optional), then stale (red)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stale_after_months: int = Field(gt=0)
    amber_after_months: int | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _amber_before_stale(self) -> Cycle:
        if self.amber_after_months is not None and self.amber_after_months >= self.stale_after_months:
            raise ValueError("amber_after_months must be less than stale_after_months")
        return self


class FieldCycle(Cycle):
    kind: str = Field(min_length=1)
    fields: tuple[str, ...] = ()  # empty: the kind's record-level provenance


class FreshnessRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: Literal["freshness"] = "freshness"
    version: int = 1
    source: str = "tsbkart"
    default: Cycle
    cycles: tuple[FieldCycle, ...] = ()

    def cycle(self, kind: str, field: str | None = None) -> Cycle:
        """The cycle of ``kind``'s ``field`` (or of the record when None): the field's, the kind's, or the default."""
        for entry in self.cycles:
            if entry.kind == kind and field is not None and field in entry.fields:
                return entry
        for entry in self.cycles:
            if entry.kind == kind and not entry.fields:
                return entry
        return self.default

    def own_cycle_fields(self, kind: str) -> tuple[str, ...]:
        """Fields of ``kind`` with a cycle of their own (judged separately from the record)."""
        return tuple(f for entry in self.cycles if entry.kind == kind for f in entry.fields)


@dataclass(frozen=True, slots=True)
class FreshnessBadge:
    status: BadgeStatus  # "unknown" when there is no verified date
    verified: date | None
    age_days: int | None
    months: int | None = None  # the threshold passed: amber_after_months (amber) or stale_after_months (red)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Aug + 6 = 28/29 Feb)."""
    result: date = day + relativedelta(months=months)
    return result


def due_date(verified: date, cycle: Cycle) -> date:
    """The last day ``verified`` is still fresh: after it the fact is stale."""
    return add_months(verified, cycle.stale_after_months)


def is_stale(verified: date | None, today: date, cycle: Cycle) -> bool:
    """Never verified, or verified more than ``cycle.stale_after_months`` months before ``today``."""
    return verified is None or today > due_date(verified, cycle)


def freshness_of(verified: date | None, today: date, cycle: Cycle | None = None) -> FreshnessBadge:
    """ok until the amber threshold, amber until the stale threshold, red after it (default cycle 6/12)."""
    cycle = cycle or load_freshness().default
    if verified is None:
        return FreshnessBadge("unknown", None, None)
    age = (today - verified).days
    if is_stale(verified, today, cycle):
        return FreshnessBadge("red", verified, age, cycle.stale_after_months)
    amber = cycle.amber_after_months
    if amber is not None and today > add_months(verified, amber):
        return FreshnessBadge("amber", verified, age, amber)
    return FreshnessBadge("ok", verified, age)


def parse_freshness(document: object, origin: str = "freshness.yaml") -> FreshnessRules:
    """Validate a parsed freshness document; errors name the file and the entry."""
    return validate(FreshnessRules, document, origin)


@cache
def load_freshness() -> FreshnessRules:
    """The bundled freshness rules, validated once per process."""
    text = (resources.files("tsbkart.quality") / "freshness.yaml").read_text(encoding="utf-8")
    return parse_freshness(yaml.safe_load(text))
