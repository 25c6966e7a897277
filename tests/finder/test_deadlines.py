"""Guideline deadlines, Norwegian working days and the rules files' validation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.finder.deadlines import add_working_days, guideline_deadline, is_working_day, public_holidays
from tsbkart.finder.profile import NeedProfile
from tsbkart.finder.rules import RulesError, deadline_rules, level_rules, parse_deadlines, reason_texts

# Easter Sundays from the Norwegian almanac (Universitetet i Oslo / Almanakk for Norge).
EASTER = {
    2024: date(2024, 3, 31),
    2025: date(2025, 4, 20),
    2026: date(2026, 4, 5),
    2027: date(2027, 3, 28),
    2038: date(2038, 4, 25),
}
# The public holidays the two laws name, as offsets from Easter Sunday and fixed days.
EASTER_OFFSETS = (-3, -2, 0, 1, 39, 49, 50)
FIXED = ((1, 1), (5, 1), (5, 17), (12, 25), (12, 26))


@pytest.mark.parametrize("year", sorted(EASTER))
def test_public_holidays_are_the_laws_days(year: int) -> None:
    easter = EASTER[year]
    expected = {easter + timedelta(days=d) for d in EASTER_OFFSETS} | {date(year, m, d) for m, d in FIXED}
    assert public_holidays(year) == expected


def test_holidays_are_not_working_days() -> None:
    for day in (
        date(2026, 4, 2),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 1),
        date(2026, 5, 14),
        date(2026, 5, 25),
        date(2026, 12, 25),
        date(2027, 1, 1),
        date(2026, 5, 17),
    ):
        assert not is_working_day(day)
    assert is_working_day(date(2026, 12, 24))  # Christmas Eve is not a public holiday
    # Ten working days from Monday 30 March 2026 cross Easter (2, 3 and 6 April are holidays).
    assert add_working_days(date(2026, 3, 30), 10) == date(2026, 4, 16)


@given(st.dates(date(2020, 1, 1), date(2035, 12, 31)), st.integers(1, 30))
def test_working_days_counts(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert is_working_day(end)
    days = [start.fromordinal(o) for o in range(start.toordinal() + 1, end.toordinal() + 1)]
    assert sum(is_working_day(d) for d in days) == n


@pytest.mark.parametrize(
    ("fields", "weeks", "status"),
    [
        ({"substances": ["alcohol"]}, 6, "verified"),
        ({"substances": ["alcohol"], "alcohol_over_20_units": True}, 2, "verified"),
        ({"substances": ["opioids"]}, 12, "verified"),
        ({"substances": ["opioids"], "injecting": True}, 4, "verified"),
        ({"substances": ["opioids"], "injecting_groin_neck": True}, 2, "verified"),
        ({"substances": ["gambling"]}, 12, "verified"),
        ({"substances": ["gambling"], "age": 22}, 4, "verified"),
        ({"substances": ["cannabis"], "age": 16}, 4, "inferred"),
        ({"substances": ["cannabis"]}, None, None),
        ({"substances": ["alcohol", "opioids"], "injecting": True}, 4, "verified"),
        ({"lar": "wanted"}, 12, "verified"),
        ({}, None, None),
    ],
)
def test_guideline_deadline(fields: dict[str, object], weeks: int | None, status: str | None) -> None:
    profile = NeedProfile.model_validate({"home_area": "0301", "age": 40} | fields)
    deadline = guideline_deadline(profile, date(2026, 11, 23))
    assert (deadline.weeks, deadline.basis_status) == (weeks, status)
    assert deadline.guidance is True


def test_rules_files_load_and_every_condition_has_a_source() -> None:
    rules = deadline_rules()
    assert rules.version >= 1 and rules.assessment_working_days == 10
    assert all(c.source.startswith("https://") for c in rules.conditions)
    assert {c.code for c in rules.conditions if c.status == "missing"} >= {"cannabis", "stimulants"}
    assert level_rules().needs["detox"].service_types == ("avrusning",)
    assert {"age_below_min", "legal_basis_missing", "intake_closed"} <= set(reason_texts())


def test_a_malformed_rules_file_names_the_entry() -> None:
    from importlib import resources

    doc = yaml.safe_load((resources.files("tsbkart.finder") / "rules" / "deadlines.yaml").read_text("utf-8"))
    doc["conditions"][1]["status"] = "probably"
    with pytest.raises(RulesError, match=r"deadlines.yaml: conditions\[1\]\.status"):
        parse_deadlines(doc)
    doc["conditions"][1]["status"] = "verified"
    doc["conditions"][1]["weeks"] = None
    with pytest.raises(RulesError, match="weeks may be null only"):
        parse_deadlines(doc)
