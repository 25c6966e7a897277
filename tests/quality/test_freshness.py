"""Freshness rules: one file of verification cycles (record kind and field), the badge and due dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.quality.freshness import (
    Cycle,
    add_months,
    due_date,
    freshness_of,
    is_stale,
    load_freshness,
    parse_freshness,
)
from tsbkart.yaml_schema import DataFileError

TODAY = date(2026, 11, 22)


def test_freshness_thresholds() -> None:
    assert freshness_of(date(2026, 5, 22), TODAY).status == "ok"  # exactly 6 months
    amber = freshness_of(date(2026, 5, 21), TODAY)
    assert (amber.status, amber.months) == ("amber", 6)
    assert freshness_of(date(2025, 11, 22), TODAY).status == "amber"  # exactly 12 months
    red = freshness_of(date(2025, 11, 21), TODAY)
    assert (red.status, red.months) == ("red", 12)
    unknown = freshness_of(None, TODAY)
    assert unknown.status == "unknown" and unknown.age_days is None
    assert freshness_of(TODAY - timedelta(days=3), TODAY).age_days == 3


def test_cycles_per_kind_and_field_are_data() -> None:
    rules = load_freshness()
    assert rules.cycle("unit") == Cycle(stale_after_months=12, amber_after_months=6)
    assert rules.cycle("offer") == rules.default
    for field in ("waiting_weeks", "waiting_as_of", "intake_status"):
        assert rules.cycle("offer", field).stale_after_months == 3
    assert rules.cycle("offer", "beds") == rules.default
    assert rules.cycle("unit", "intake_status") == rules.default  # the cycle is the offer's field only
    assert set(rules.own_cycle_fields("offer")) == {"waiting_weeks", "waiting_as_of", "intake_status"}


def test_a_three_month_field_is_stale_after_three_months_without_amber() -> None:
    cycle = load_freshness().cycle("offer", "intake_status")
    assert due_date(date(2026, 8, 22), cycle) == TODAY
    assert not is_stale(date(2026, 8, 22), TODAY, cycle)
    assert is_stale(date(2026, 8, 21), TODAY, cycle)
    assert freshness_of(date(2026, 9, 1), TODAY, cycle).status == "ok"
    assert is_stale(None, TODAY, cycle)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"default": {"stale_after_months": 0}}, "freshness.yaml: default.stale_after_months"),
        (
            {"default": {"stale_after_months": 6, "amber_after_months": 6}},
            "amber_after_months must be less than stale_after_months",
        ),
        (
            {"default": {"stale_after_months": 12}, "cycles": [{"kind": "offer", "fields": ["x"]}]},
            "freshness.yaml: cycles[0].stale_after_months: Field required",
        ),
        ({"default": {"stale_after_months": 12}, "stale_after_days": 365}, "stale_after_days"),
    ],
)
def test_bad_rules_name_the_entry(document: object, message: str) -> None:
    with pytest.raises(DataFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_freshness(document)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 15), 12) == date(2027, 1, 15)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 240))
def test_add_months_moves_forward_by_whole_months(day: date, months: int) -> None:
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    assert result >= day


@given(st.dates(min_value=date(2000, 1, 1), max_value=TODAY))
def test_freshness_is_monotonic_in_age(verified: date) -> None:
    order = {"ok": 0, "amber": 1, "red": 2}
    older = verified - timedelta(days=1)
    assert order[freshness_of(older, TODAY).status] >= order[freshness_of(verified, TODAY).status]
