"""Typed filters for registry queries, checked against the vocabularies and the geography.

A filter holds plain values; ``check_codes`` raises ``FilterError`` naming the parameter and listing the valid
codes, so the web layer can answer 422 with a clear message::

    UnitFilter(service_types=("dogn_kort",), near=(59.91, 10.75), radius_km=50, limit=20)

Within one facet the codes are alternatives (OR); different facets must all hold (AND). The offer facets
(service type, target group, legal basis, intake status, open 24/7) must all hold for *one* offer of the unit,
so ``service_type=dogn_kort&target_group=young`` finds units with a 24-hour unit for young people, not units
with any døgn offer and some other offer for young people. A target group matches as
``tsbkart.query.target_groups.fit`` says: ``target_match="stated"`` keeps offers a source states serve the group
(on the offer or for its unit), ``"possible"`` (the default) also those with no restriction stated that rules
the group out; offers stated not to serve it never match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tsbkart.domain.errors import UserError
from tsbkart.query.target_groups import DEFAULT_MATCH, Match
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab import load_vocabularies

MAX_LIMIT = 500  # keeps one response small enough to build in a few milliseconds
DEFAULT_LIMIT = 50
# A map layer needs every unit at once; GeoJSON pages may be this large (the registry has a few hundred units).
MAX_FEATURES = 20_000
# Longest list of valid codes quoted in an error message; area codes run to hundreds.
MAX_CODES_IN_MESSAGE = 40


class FilterError(UserError, ValueError):
    """A filter value is not valid. ``parameter`` names the query parameter, ``valid`` the accepted codes,
    ``values`` the given values that are not known (for a message in the user's language)."""

    status = 422

    def __init__(
        self, parameter: str, message: str, valid: Iterable[str] = (), values: Iterable[str] = ()
    ) -> None:
        self.parameter = parameter
        self.valid = tuple(valid)
        self.values = tuple(values)
        shown = ", ".join(self.valid[:MAX_CODES_IN_MESSAGE])
        more = (
            f" (and {len(self.valid) - MAX_CODES_IN_MESSAGE} more)"
            if len(self.valid) > MAX_CODES_IN_MESSAGE
            else ""
        )
        super().__init__(f"{parameter}: {message}" + (f"; valid codes: {shown}{more}" if self.valid else ""))


@dataclass(frozen=True, slots=True)
class OfferFacets:
    """Offer-level facets; an empty tuple (or None) means "no filter"."""

    service_types: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    legal_basis: tuple[str, ...] = ()
    intake_status: tuple[str, ...] = ()
    open_24_7: bool | None = None
    target_match: Match = DEFAULT_MATCH
    # stated values only: an offer whose delivery or languages are unknown does not match (the explanation
    # says so and offers to drop the filter)
    delivery_methods: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(
            self.service_types
            or self.target_groups
            or self.legal_basis
            or self.intake_status
            or self.open_24_7 is not None
            or self.delivery_methods
            or self.languages
        )


@dataclass(frozen=True, slots=True)
class UnitFilter:
    """What ``search_units`` selects and how it pages. ``near`` is (lat, lon) in WGS84 degrees."""

    offers: OfferFacets = field(default_factory=OfferFacets)
    owner_types: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()  # the unit states every one of these (AND): each is a need
    areas: tuple[str, ...] = ()  # region, catchment, kommune or bydel codes (OR)
    organisation_ids: tuple[str, ...] = ()
    q: str | None = None
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_FEATURES:
            raise FilterError("limit", f"must be between 1 and {MAX_FEATURES}, got {self.limit}")
        if self.offset < 0:
            raise FilterError("offset", f"must be 0 or more, got {self.offset}")
        if self.radius_km is not None and self.near is None:
            raise FilterError("radius_km", "needs near=lat,lon")
        if self.radius_km is not None and not self.radius_km > 0:
            raise FilterError("radius_km", f"must be more than 0, got {self.radius_km}")
        if self.near is not None:
            lat, lon = self.near
            if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
                raise FilterError("near", f"lat must be in [-90, 90] and lon in [-180, 180], got {lat},{lon}")


VOCABULARY_OF: Mapping[str, str] = {
    "service_type": "service_types",
    "target_group": "target_groups",
    "legal_basis": "legal_basis",
    "intake_status": "intake_status",
    "owner_type": "owner_types",
    "delivery_method": "delivery_methods",
    "accessibility": "accessibility",
}


def check_codes(parameter: str, codes: Iterable[str]) -> tuple[str, ...]:
    """``codes`` if all are in the parameter's vocabulary, else FilterError listing the valid ones."""
    vocabulary = load_vocabularies()[VOCABULARY_OF[parameter]]
    values = tuple(dict.fromkeys(codes))
    unknown = [code for code in values if code not in vocabulary]
    if unknown:
        message = f"unknown code(s) {', '.join(map(repr, unknown))}"
        raise FilterError(parameter, message, vocabulary.codes, unknown)
    return values


def check_areas(snapshot: RegistrySnapshot, codes: Iterable[str]) -> tuple[str, ...]:
    """``codes`` if each is a region, catchment area, kommune or bydel of the snapshot's geography."""
    geography = snapshot.geography
    values = tuple(dict.fromkeys(codes))
    known = set(geography.regions) | set(geography.catchments) | set(geography.area_units)
    unknown = [code for code in values if code not in known]
    if unknown:
        valid = sorted(geography.regions) + sorted(geography.catchments)
        raise FilterError(
            "area",
            f"unknown area code(s) {', '.join(map(repr, unknown))}; use a region or catchment code, "
            "a 4-digit kommune or a 6-digit bydel code (see /api/v1/areas)",
            valid,
            unknown,
        )
    return values


def parse_near(value: str) -> tuple[float, float]:
    """``"59.91,10.75"`` -> (59.91, 10.75); FilterError on anything else."""
    parts = value.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise FilterError(
            "near", f"expected lat,lon in decimal degrees, e.g. 59.91,10.75; got {value!r}"
        ) from None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise FilterError("near", f"lat must be in [-90, 90] and lon in [-180, 180], got {value!r}")
    return lat, lon
