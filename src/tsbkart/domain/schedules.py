"""Opening hours in the shape HSDS 3 schedules use (``freq``, ``byday``, ``opens_at``, ``closes_at``), and the
compact text a spreadsheet cell holds::

    parse_schedules("MO-FR 08:00-15:30; SA 10:00-14:00")
    # (Schedule(byday=("MO", "TU", "WE", "TH", "FR"), opens_at="08:00", closes_at="15:30"),
    #  Schedule(byday=("SA",), opens_at="10:00", closes_at="14:00"))
    format_schedules(...)   # "MO-FR 08:00-15:30; SA 10:00-14:00" (the inverse)

Days are iCal's two-letter codes (MO TU WE TH FR SA SU; Norwegian ma ti on to fr lø sø are read too), a range
(``MO-FR``) or a list (``MO,WE,FR``); a day may have several periods (``MO-FR 08:00-11:30, 12:00-15:30``). Open
round the clock is ``MO-SU 00:00-24:00``. An empty cell is unknown, never "closed".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
NORWEGIAN_DAYS = {"MA": "MO", "TI": "TU", "ON": "WE", "TO": "TH", "FR": "FR", "LØ": "SA", "SØ": "SU"}
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")
_PERIOD = re.compile(r"^\s*(\d{1,2}[:.]\d{2})\s*[-–]\s*(\d{1,2}[:.]\d{2})\s*$")
SEPARATOR = "; "


class ScheduleError(ValueError):
    """Opening hours that cannot be read; the message says what was expected."""


def _check_time(value: str, what: str) -> None:
    if not _TIME.match(value):
        raise ScheduleError(f"{what} {value!r} is not a time HH:MM (00:00-24:00)")


@dataclass(frozen=True, slots=True)
class Schedule:
    """A weekly opening period: on ``byday`` from ``opens_at`` to ``closes_at`` (HH:MM, local time)."""

    byday: tuple[str, ...]
    opens_at: str
    closes_at: str
    freq: Literal["WEEKLY"] = "WEEKLY"

    def __post_init__(self) -> None:
        if not self.byday:
            raise ScheduleError("a schedule needs at least one day")
        unknown = [d for d in self.byday if d not in DAYS]
        if unknown:
            raise ScheduleError(f"unknown day(s) {', '.join(unknown)}; use {' '.join(DAYS)}")
        _check_time(self.opens_at, "opening time")
        _check_time(self.closes_at, "closing time")
        if self.opens_at == "24:00" or self.closes_at <= self.opens_at:
            raise ScheduleError(
                f"{self.opens_at}-{self.closes_at}: the closing time must be after the opening time"
            )

    @property
    def days_text(self) -> str:
        return _days_text(self.byday)


def check_schedule(schedule: Schedule) -> None:
    """The field check (``fact(check=...)``): a Schedule validates itself when it is made."""
    if not isinstance(schedule, Schedule):
        raise ScheduleError("expected opening hours")


def _day(token: str) -> str:
    code = token.strip().upper()
    code = NORWEGIAN_DAYS.get(code, code)
    if code not in DAYS:
        raise ScheduleError(f"{token.strip()!r} is not a day; use {' '.join(DAYS)} (or ma ti on to fr lø sø)")
    return code


def _days(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for part in text.split(","):
        if "-" in part or "–" in part:
            first, last = re.split(r"[-–]", part, maxsplit=1)
            start, end = DAYS.index(_day(first)), DAYS.index(_day(last))
            if end < start:
                raise ScheduleError(f"{part.strip()!r}: a day range runs forward (MO-FR)")
            out.extend(DAYS[start : end + 1])
        else:
            out.append(_day(part))
    return tuple(sorted(dict.fromkeys(out), key=DAYS.index))


def _time(text: str) -> str:
    hours, minutes = re.split(r"[:.]", text)
    value = f"{int(hours):02d}:{minutes}"
    _check_time(value, "time")
    return value


def parse_schedules(text: str) -> tuple[Schedule, ...]:
    """The schedules of a compact text (see the module docstring); ScheduleError names the part it cannot read."""
    schedules: list[Schedule] = []
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        match = re.match(r"^(\S+(?:\s*,\s*\S+)*?)\s+(\d.*)$", entry)
        if match is None:
            raise ScheduleError(f"{entry!r}: expected days and times, e.g. MO-FR 08:00-15:30")
        days = _days(match.group(1).replace(" ", ""))
        for period in match.group(2).split(","):
            times = _PERIOD.match(period)
            if times is None:
                raise ScheduleError(f"{period.strip()!r}: expected a period HH:MM-HH:MM")
            schedules.append(Schedule(days, _time(times.group(1)), _time(times.group(2))))
    return tuple(schedules)


def _days_text(days: tuple[str, ...]) -> str:
    """("MO", "TU", "WE", "FR") -> "MO-WE,FR": runs of three or more days as a range."""
    parts: list[str] = []
    indexes = [DAYS.index(d) for d in days]
    run: list[int] = []
    for i in [*indexes, -2]:
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if run:
            parts.append(
                f"{DAYS[run[0]]}-{DAYS[run[-1]]}" if len(run) >= 3 else ",".join(DAYS[j] for j in run)
            )
        run = [i]
    return ",".join(parts)


def format_schedules(schedules: tuple[Schedule, ...]) -> str:
    """The compact text of ``schedules``; ``parse_schedules`` reads it back to the same value."""
    return SEPARATOR.join(f"{s.days_text} {s.opens_at}-{s.closes_at}" for s in schedules)
