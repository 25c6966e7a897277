"""The map page's server-rendered result list: the registry's units filtered like the GeoJSON API.

The map page works without JavaScript: the filter form submits ``GET /?service_type=...`` and this module
builds the list the page shows. With JavaScript, the page fetches ``/api/v1/units.geojson`` with the same
query string. Shape, by example::

    filters = parse_filters({"service_type": ["avrusning"], "region": ["helse-nord"]}, snapshot)
    items = filter_units(snapshot, filters)
    items[0]  # MapItem(id="unn-avrusning-tromso", name="Avrusning Tromsø ...", approximate=True,
              #         service_types=("akutt", "avrusning"), main_service_type="akutt", ...)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tsbkart.domain.entities import Unit
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab.loader import Vocabularies, load_vocabularies

# Query parameter -> vocabulary its values must belong to (None: checked against the geography).
FILTER_VOCABULARIES: Mapping[str, str | None] = {
    "service_type": "service_types",
    "target_group": "target_groups",
    "legal_basis": "legal_basis",
    "owner_type": "owner_types",
    "region": None,
    "catchment": None,
}
MAX_QUERY_LENGTH = 100


class FilterError(ValueError):
    """A filter value is not a known code; the message names the parameter and the value."""


@dataclass(frozen=True, slots=True)
class UnitFilters:
    """Selected values per filter; values within one filter are OR-ed, filters are AND-ed."""

    service_type: tuple[str, ...] = ()
    target_group: tuple[str, ...] = ()
    legal_basis: tuple[str, ...] = ()
    owner_type: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    catchment: tuple[str, ...] = ()
    open_24_7: bool = False
    q: str = ""

    @property
    def active(self) -> bool:
        return self != UnitFilters()


@dataclass(frozen=True, slots=True)
class MapItem:
    id: str
    name: str
    organisation_name: str | None
    owner_type: str | None
    catchment_name: str | None
    municipality_name: str | None
    town: str | None
    approximate: bool
    lat: float | None
    lon: float | None
    service_types: tuple[str, ...]
    main_service_type: str | None  # the highest-level service type: decides the marker's colour and shape
    beds: int | None
    open_24_7: bool | None


def parse_filters(
    query: Mapping[str, Sequence[str]], snapshot: RegistrySnapshot, vocabularies: Vocabularies | None = None
) -> UnitFilters:
    """Validate query parameters (each a list of values); raise FilterError naming a bad one."""
    vocabs = vocabularies or load_vocabularies()
    known_geo = {
        "region": set(snapshot.geography.regions),
        "catchment": set(snapshot.geography.catchments),
    }
    values: dict[str, tuple[str, ...]] = {}
    for name, vocabulary in FILTER_VOCABULARIES.items():
        chosen = tuple(dict.fromkeys(v for v in query.get(name, ()) if v))
        allowed = set(vocabs[vocabulary].codes) if vocabulary else known_geo[name]
        for value in chosen:
            if value not in allowed:
                raise FilterError(f"{name}: unknown code {value[:40]!r}")
        values[name] = chosen
    q = " ".join(query.get("q", ())).strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise FilterError(f"q: longer than {MAX_QUERY_LENGTH} characters")
    open_flag = tuple(query.get("open_24_7", ()))
    if any(v not in ("", "true", "1", "on") for v in open_flag):
        raise FilterError("open_24_7: expected 'true'")
    return UnitFilters(**values, open_24_7=any(v in ("true", "1", "on") for v in open_flag), q=q)


def _matches(snapshot: RegistrySnapshot, unit: Unit, filters: UnitFilters) -> bool:
    organisation = snapshot.organisations.get(unit.organisation_id)
    if filters.region and unit.region_code not in filters.region:
        return False
    if filters.catchment and unit.catchment_code not in filters.catchment:
        return False
    if filters.owner_type and (organisation is None or organisation.owner_type not in filters.owner_type):
        return False
    if filters.q:
        text = " ".join(filter(None, (unit.name, unit.town, organisation.name if organisation else None)))
        if filters.q.casefold() not in text.casefold():
            return False
    offers = snapshot.offers_of(unit.id)
    # Offer-level filters must hold for one and the same offer (an 18+ detox and a youth outpatient clinic do
    # not make a youth detox).
    return any(
        (not filters.service_type or o.service_type in filters.service_type)
        and (not filters.target_group or set(o.target_groups) & set(filters.target_group))
        and (not filters.legal_basis or set(o.legal_basis) & set(filters.legal_basis))
        and (not filters.open_24_7 or o.open_24_7 is True)
        for o in offers
    ) or (not offers and not _offer_filters_active(filters))


def _offer_filters_active(filters: UnitFilters) -> bool:
    return bool(filters.service_type or filters.target_group or filters.legal_basis or filters.open_24_7)


def main_service_type(codes: Sequence[str], vocabularies: Vocabularies | None = None) -> str | None:
    """The highest-level code (acute > inpatient > day > outpatient > assessment); vocabulary order breaks ties."""
    vocabs = vocabularies or load_vocabularies()
    order = {t.code: (int(t.get("level", 0)), -i) for i, t in enumerate(vocabs["service_types"])}
    known = [c for c in codes if c in order]
    return max(known, key=lambda c: order[c]) if known else None


def filter_units(
    snapshot: RegistrySnapshot, filters: UnitFilters, vocabularies: Vocabularies | None = None
) -> tuple[MapItem, ...]:
    """Units matching ``filters``, sorted by name, as list items."""
    vocabs = vocabularies or load_vocabularies()
    geography = snapshot.geography
    items = []
    for unit in snapshot.units.values():
        if not _matches(snapshot, unit, filters):
            continue
        organisation = snapshot.organisations.get(unit.organisation_id)
        codes = tuple(dict.fromkeys(o.service_type for o in snapshot.offers_of(unit.id)))
        catchment = geography.catchments.get(unit.catchment_code or "")
        municipality = geography.area_units.get(unit.municipality_code or "")
        flags = [o.open_24_7 for o in snapshot.offers_of(unit.id)]
        items.append(
            MapItem(
                id=unit.id,
                name=unit.name,
                organisation_name=organisation.name if organisation else None,
                owner_type=organisation.owner_type if organisation else None,
                catchment_name=catchment.name if catchment else None,
                municipality_name=municipality.name if municipality else None,
                town=unit.town,
                approximate=unit.is_approximate,
                lat=unit.lat,
                lon=unit.lon,
                service_types=codes,
                main_service_type=main_service_type(codes, vocabs),
                beds=unit.beds,
                open_24_7=True
                if True in flags
                else (False if flags and all(f is False for f in flags) else None),
            )
        )
    return tuple(sorted(items, key=lambda i: (i.name.casefold(), i.id)))
