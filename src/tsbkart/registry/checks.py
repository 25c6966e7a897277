"""Validation rules that belong to some kinds only; each kind lists its own in ``tsbkart.registry.kinds``.

A rule gets the record, ``add(field, message)`` to report a problem, and the vocabulary codes by vocabulary
name. The generic checks (ids, names, sources, references and what the field declarations say: vocabularies,
identifiers, minimums) are in ``tsbkart.registry.validation``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Add = Callable[[str, str], None]
Codes = Mapping[str, frozenset[str]]  # vocabulary name -> its codes


def location(record: Any, add: Add, codes: Codes) -> None:
    if (record.lat is None) != (record.lon is None):
        add("lat", "lat and lon must both be given or both be empty")
    if record.lat is not None and not -90 <= record.lat <= 90:
        add("lat", f"latitude {record.lat} is outside -90..90")
    if record.lon is not None and not -180 <= record.lon <= 180:
        add("lon", f"longitude {record.lon} is outside -180..180")
    if record.lat is not None and record.location_precision is None:
        add("location_precision", "coordinates need a precision (exact, address or municipality)")


def age_band(record: Any, add: Add, codes: Codes) -> None:
    for name in ("age_min", "age_max"):
        value = getattr(record, name)
        if value is not None and not 0 <= value <= 120:
            add(name, f"age {value} is outside 0..120")
    if record.age_min is not None and record.age_max is not None and record.age_min > record.age_max:
        add("age_min", f"age_min {record.age_min} is above age_max {record.age_max}")


def waiting_time(record: Any, add: Add, codes: Codes) -> None:
    if record.waiting_weeks is not None and record.waiting_as_of is None:
        add("waiting_as_of", "a waiting time needs the date it was measured")


def valid_time(record: Any, add: Add, codes: Codes) -> None:
    """Opened and closed as a source states them; either may be unknown, but not closed before opened."""
    if record.opened_on is not None and record.closed_on is not None and record.closed_on < record.opened_on:
        add("closed_on", f"closed_on {record.closed_on} is before opened_on {record.opened_on}")
