"""Validation rules that belong to some kinds only; each kind lists its own in ``tsbkart.registry.kinds``.

A rule gets the record, ``add(field, message)`` to report a problem, and the vocabulary codes by vocabulary
name. The generic checks (ids, names, sources, identifiers, references) are in ``tsbkart.registry.validation``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Add = Callable[[str, str], None]
Codes = Mapping[str, frozenset[str]]  # vocabulary name -> its codes


def _code(record: Any, name: str, vocabulary: str, noun: str, add: Add, codes: Codes) -> None:
    value = getattr(record, name)
    if value not in codes[vocabulary]:
        add(name, f"{value!r} is not {noun}")


def _codes(record: Any, name: str, vocabulary: str, noun: str, add: Add, codes: Codes) -> None:
    values = getattr(record, name)
    if values and not codes[vocabulary].issuperset(values):
        for code in values:
            if code not in codes[vocabulary]:
                add(name, f"{code!r} is not {noun}")


def owner_type(record: Any, add: Add, codes: Codes) -> None:
    _code(record, "owner_type", "owner_types", "an owner type", add, codes)


def team_scope(record: Any, add: Add, codes: Codes) -> None:
    _code(record, "scope", "assessment_scope", "an assessment scope", add, codes)
    _codes(record, "disciplines", "disciplines", "a discipline", add, codes)


def offer_codes(record: Any, add: Add, codes: Codes) -> None:
    _code(record, "service_type", "service_types", "a service type", add, codes)
    _codes(record, "target_groups", "target_groups", "a target group", add, codes)
    _codes(record, "legal_basis", "legal_basis", "a legal basis", add, codes)
    _code(record, "intake_status", "intake_status", "an intake status", add, codes)


def counts(record: Any, add: Add, codes: Codes) -> None:
    """Beds, places and waiting weeks are never negative."""
    for name in ("beds", "places", "waiting_weeks"):
        value = getattr(record, name, None)
        if value is not None and value < 0:
            add(name, f"{name} must not be negative")


def location(record: Any, add: Add, codes: Codes) -> None:
    if (record.lat is None) != (record.lon is None):
        add("lat", "lat and lon must both be given or both be empty")
    if record.lat is not None and not -90 <= record.lat <= 90:
        add("lat", f"latitude {record.lat} is outside -90..90")
    if record.lon is not None and not -180 <= record.lon <= 180:
        add("lon", f"longitude {record.lon} is outside -180..180")
    precision = record.location_precision
    if precision is not None and precision not in codes["location_precision"]:
        add("location_precision", f"{precision!r} is not a location precision")
    if record.lat is not None and precision is None:
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
