"""The one parser of the list filters' query parameters: the map page and every API list call it.

Input is the query string as a mapping of name -> every value given (``?a=1&a=2`` -> ``{"a": ["1", "2"]}``);
output is the core's typed filter, or ``FilterError`` naming the parameter (status 422)::

    unit_filter({"service_type": ["akutt,avrusning"], "area": ["unn"], "q": [" tromsø "]}, snapshot)
    # UnitFilter(offers=OfferFacets(service_types=("akutt", "avrusning")), areas=("unn",), q="tromsø", ...)

Codes may be repeated or comma-separated (the same thing); codes are checked against their vocabulary and
area codes against the snapshot's geography. A blank value is no filter (an empty form field).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import TypeAdapter, ValidationError

from tsbkart.domain.identifiers import LANGUAGE_CODE
from tsbkart.query.filters import (
    MAX_FEATURES,
    FilterError,
    OfferFacets,
    UnitFilter,
    check_areas,
    check_codes,
    parse_near,
)
from tsbkart.query.lists import OfferFilter
from tsbkart.query.target_groups import DEFAULT_MATCH, MATCHES, Match
from tsbkart.reference.postal import OUTSIDE, POSTAL_CODE, PostalCodeError, postal_place
from tsbkart.registry.snapshot import RegistrySnapshot

Params = Mapping[str, Sequence[str]]

# Longest free-text query accepted; names are far shorter, and this bounds the work per request.
MAX_QUERY_CHARS = 200
# The farthest anything can be on Earth, so a larger radius is a typing error.
MAX_RADIUS_KM = 40_000.0
_BOOLEAN = TypeAdapter(bool)


def codes(params: Params, name: str) -> tuple[str, ...]:
    """Repeated and comma-separated values alike: ``["a,b", "c", "a"]`` -> ("a", "b", "c")."""
    return tuple(dict.fromkeys(c.strip() for v in params.get(name, ()) for c in v.split(",") if c.strip()))


def vocabulary_codes(params: Params, name: str) -> tuple[str, ...]:
    """``codes`` checked against the parameter's vocabulary (``service_type`` -> service_types)."""
    return check_codes(name, codes(params, name))


def text(params: Params, name: str = "q") -> str | None:
    """Free text (several values joined by a space); None when blank."""
    value = " ".join(v for v in params.get(name, ()) if v).strip()
    if len(value) > MAX_QUERY_CHARS:
        raise FilterError(name, f"longer than {MAX_QUERY_CHARS} characters")
    return value or None


def flag(params: Params, name: str) -> bool | None:
    """true/false (also 1/0, yes/no, on/off); None when absent or blank; two different values are an error."""
    values = {v.strip().lower() for v in params.get(name, ()) if v.strip()}
    try:
        parsed = {_BOOLEAN.validate_python(v) for v in values}
    except ValidationError:
        raise FilterError(name, "expected true or false") from None
    if len(parsed) > 1:
        raise FilterError(name, "expected true or false, not both")
    return parsed.pop() if parsed else None


def number(params: Params, name: str, *, above: float, at_most: float) -> float | None:
    values = [v for v in params.get(name, ()) if v.strip()]
    if not values:
        return None
    try:
        value = float(values[-1])
    except ValueError:
        raise FilterError(name, f"expected a number, got {values[-1]!r}") from None
    if not above < value <= at_most:
        raise FilterError(name, f"must be more than {above:g} and at most {at_most:g}, got {value:g}")
    return value


def language_codes(params: Params) -> tuple[str, ...]:
    """``language``: ISO 639-1 codes (two lower-case letters), OR."""
    values = codes(params, "language")
    bad = [v for v in values if not LANGUAGE_CODE.match(v)]
    if bad:
        raise FilterError("language", f"not an ISO 639-1 code: {', '.join(map(repr, bad))}", (), bad)
    return values


def target_match(params: Params) -> Match:
    """``match``: how a target group must be stated, "stated" or "possible" (the default when blank)."""
    values = {v.strip() for v in params.get("match", ()) if v.strip()}
    if len(values) > 1:
        raise FilterError("match", "give one value", MATCHES, sorted(values))
    value = values.pop() if values else DEFAULT_MATCH
    for match in MATCHES:
        if value == match:
            return match
    raise FilterError("match", f"unknown value {value!r}", MATCHES, (value,))


def offer_facets(params: Params) -> OfferFacets:
    """The facets one offer must all match: service type, target group, legal basis, intake, open 24/7."""
    return OfferFacets(
        service_types=vocabulary_codes(params, "service_type"),
        target_groups=vocabulary_codes(params, "target_group"),
        legal_basis=vocabulary_codes(params, "legal_basis"),
        intake_status=vocabulary_codes(params, "intake_status"),
        open_24_7=flag(params, "open_24_7"),
        target_match=target_match(params),
        delivery_methods=vocabulary_codes(params, "delivery_method"),
        languages=language_codes(params),
    )


def area_codes(params: Params, snapshot: RegistrySnapshot) -> tuple[str, ...]:
    return check_areas(snapshot, codes(params, "area"))


def near_point(value: str, snapshot: RegistrySnapshot) -> tuple[float, float]:
    """``near``: "lat,lon", or a postal code (4 digits), placed at its municipality's point (approximate: a
    postal code is smaller than a municipality, and Oslo's is the city's point). An unknown postal code raises
    ``PostalCodeError`` (422, a catalogue message)."""
    cleaned = value.strip()
    if not POSTAL_CODE.match(cleaned):
        return parse_near(cleaned)
    place = postal_place(cleaned)
    area = snapshot.geography.area_units.get(place.municipality_code)
    if area is None or area.lat is None or area.lon is None:
        raise PostalCodeError(OUTSIDE, cleaned)
    return area.lat, area.lon


def unit_filter(
    params: Params, snapshot: RegistrySnapshot, *, limit: int = MAX_FEATURES, offset: int = 0
) -> UnitFilter:
    """The unit list's selection: offer facets, owner type, area, organisation, text, near and radius."""
    near = [v for v in params.get("near", ()) if v.strip()]
    return UnitFilter(
        offers=offer_facets(params),
        owner_types=vocabulary_codes(params, "owner_type"),
        accessibility=vocabulary_codes(params, "accessibility"),
        areas=area_codes(params, snapshot),
        organisation_ids=codes(params, "organisation"),
        q=text(params),
        near=near_point(near[-1], snapshot) if near else None,
        radius_km=number(params, "radius_km", above=0, at_most=MAX_RADIUS_KM),
        limit=limit,
        offset=offset,
    )


def offer_filter(params: Params, snapshot: RegistrySnapshot) -> OfferFilter:
    """The offer list's selection: offer facets, area of the offer's unit, unit ids."""
    return OfferFilter(
        facets=offer_facets(params), areas=area_codes(params, snapshot), unit_ids=codes(params, "unit")
    )
