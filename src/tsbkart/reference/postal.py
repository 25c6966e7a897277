"""Postal codes (Posten Bring's register, ``postnummer.csv``): people know theirs better than a municipality number.

A postal code gives a municipality, never an Oslo city district: for Oslo (0301) the caller must ask for the
bydel (or answer for every trust that serves Oslo). Shape, by example::

    place = postal_place("9600")
    # PostalPlace(postal_code="9600", place="HAMMERFEST", municipality_code="5603", municipality_name="HAMMERFEST",
    #             category="B")
    resolve_home(geography, postal_code="0150")
    # HomeChoice(area_code="0301", needs_bydel=True, bydeler=(("030101", "Gamle Oslo"), ...), postal=PostalPlace(...))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from tsbkart.domain.errors import UserError
from tsbkart.reference.files import read_csv
from tsbkart.registry.snapshot import Geography

POSTAL_CODE = re.compile(r"^[0-9]{4}$")
OSLO = "0301"


class PostalCodeError(UserError, ValueError):
    """A postal code that is malformed, not in Bring's register, or contradicts the area given.

    The message is a catalogue id (English); ``postal_code`` keeps the value for the API's problem detail."""

    status = 422

    def __init__(self, message: str, postal_code: str | None = None) -> None:
        super().__init__(message)
        self.postal_code = postal_code


NO_HOME = "Give a municipality, an Oslo city district or a postal code."
MALFORMED = "A Norwegian postal code has four digits."
UNKNOWN = "This postal code is not in Posten Bring's postal code register."
OUTSIDE = (
    "This postal code belongs to a place outside the registry's catchment areas (Svalbard or Jan Mayen)."
)
MISMATCH = "The postal code and the municipality do not match."
UNKNOWN_AREA = "No municipality or Oslo city district has this code."


@dataclass(frozen=True, slots=True)
class PostalPlace:
    postal_code: str
    place: str  # Bring's postal place, upper case as in the register
    municipality_code: str
    municipality_name: str
    category: str  # G street addresses, P post boxes, B both, S service codes

    @property
    def place_title(self) -> str:
        """'NORDRE LAND' -> 'Nordre Land' for display (the register is upper case)."""
        return " ".join(part.capitalize() if part.isupper() else part for part in self.place.split(" "))


@dataclass(frozen=True, slots=True)
class HomeChoice:
    """Where a postal code or an area code puts the patient's home, and whether a bydel is still needed."""

    area_code: str
    needs_bydel: bool
    bydeler: tuple[tuple[str, str], ...]  # (code, name) to choose from when needs_bydel
    postal: PostalPlace | None = None


@cache
def postal_places() -> Mapping[str, PostalPlace]:
    """Every postal code in the bundled register."""
    return MappingProxyType(
        {
            row["postal_code"]: PostalPlace(
                row["postal_code"],
                row["postal_place"],
                row["municipality_code"],
                row["municipality_name"],
                row["category"],
            )
            for _, row in read_csv("postnummer.csv")
        }
    )


def postal_place(code: str) -> PostalPlace:
    """The place of a 4-digit postal code; a clear error for anything else."""
    cleaned = code.strip()
    if not POSTAL_CODE.match(cleaned):
        raise PostalCodeError(MALFORMED, code)
    place = postal_places().get(cleaned)
    if place is None:
        raise PostalCodeError(UNKNOWN, cleaned)
    return place


def oslo_bydeler(geography: Geography) -> tuple[tuple[str, str], ...]:
    """Oslo's city districts as (code, name), by name."""
    found = [(a.code, a.name) for a in geography.area_units.values() if a.parent_code == OSLO]
    return tuple(sorted(found, key=lambda pair: pair[1]))


def resolve_home(
    geography: Geography, *, area_code: str | None = None, postal_code: str | None = None
) -> HomeChoice:
    """The home area from an area code (municipality or bydel) or a postal code; Oslo without a bydel asks
    for one. An area code wins when both are given and agree; they must not contradict each other."""
    postal = postal_place(postal_code) if postal_code else None
    code = area_code or (postal.municipality_code if postal else None)
    if code is None:
        raise PostalCodeError(NO_HOME)
    area = geography.area_units.get(code)
    if area is None:
        raise PostalCodeError(OUTSIDE if postal and not area_code else UNKNOWN_AREA, postal_code)
    if postal is not None and postal.municipality_code not in (code, area.parent_code):
        raise PostalCodeError(MISMATCH, postal_code)
    needs_bydel = code == OSLO
    return HomeChoice(code, needs_bydel, oslo_bydeler(geography) if needs_bydel else (), postal)
