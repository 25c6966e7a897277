"""Opening hours: the compact cell text <-> HSDS-shaped schedules, with clear errors."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.domain.schedules import DAYS, Schedule, ScheduleError, format_schedules, parse_schedules


def test_reads_ranges_lists_several_periods_and_norwegian_days() -> None:
    got = parse_schedules("MO-FR 08:00-11:30, 12:00-15:30; lø 10.00-14:00; SU 0:00-24:00")
    assert got == (
        Schedule(("MO", "TU", "WE", "TH", "FR"), "08:00", "11:30"),
        Schedule(("MO", "TU", "WE", "TH", "FR"), "12:00", "15:30"),
        Schedule(("SA",), "10:00", "14:00"),
        Schedule(("SU",), "00:00", "24:00"),
    )
    assert format_schedules(got) == "MO-FR 08:00-11:30; MO-FR 12:00-15:30; SA 10:00-14:00; SU 00:00-24:00"
    assert parse_schedules("MO,WE,FR 09:00-12:00")[0].byday == ("MO", "WE", "FR")
    assert parse_schedules("") == ()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("XX 08:00-15:00", "'XX' is not a day"),
        ("MO-FR 8-15", "expected a period HH:MM-HH:MM"),
        ("MO-FR 15:00-08:00", "closing time must be after the opening time"),
        ("MO 25:00-26:00", "is not a time"),
        ("FR-MO 08:00-15:00", "runs forward"),
        ("08:00-15:00", "expected days and times"),
    ],
)
def test_errors_say_what_was_expected(text: str, says: str) -> None:
    with pytest.raises(ScheduleError, match=says):
        parse_schedules(text)


times = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")
schedules = st.builds(
    lambda days, pair: Schedule(tuple(d for d in DAYS if d in days), *sorted(pair)),
    st.sets(st.sampled_from(DAYS), min_size=1),
    st.lists(times, min_size=2, max_size=2, unique=True),
)


@given(st.lists(schedules, max_size=4).map(tuple))
def test_format_and_parse_are_inverse(values: tuple[Schedule, ...]) -> None:
    assert parse_schedules(format_schedules(values)) == values


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_a_schedule_error(text: str) -> None:
    with contextlib.suppress(ScheduleError):
        parse_schedules(text)
