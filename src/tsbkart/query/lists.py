"""Lists other than units: offers, organisations, assessment teams and areas, filtered and paged.

Every function returns a ``Page`` of plain dicts from ``tsbkart.query.records`` in a stable order
(by id for registry records; by kind and code for areas).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tsbkart.query.filters import DEFAULT_LIMIT, MAX_FEATURES, FilterError, OfferFacets, check_areas
from tsbkart.query.index import index_for
from tsbkart.query.records import (
    Record,
    area_unit_record,
    catchment_record,
    offer_record,
    organisation_record,
    region_record,
    team_record,
)
from tsbkart.query.text import matches, name_keys, query_tokens
from tsbkart.query.units import Page, area_mask, offer_mask
from tsbkart.registry.snapshot import RegistrySnapshot

AREA_KINDS = ("region", "catchment", "kommune", "bydel")


@dataclass(frozen=True, slots=True)
class ListWindow:
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_FEATURES:
            raise FilterError("limit", f"must be between 1 and {MAX_FEATURES}, got {self.limit}")
        if self.offset < 0:
            raise FilterError("offset", f"must be 0 or more, got {self.offset}")


@dataclass(frozen=True, slots=True)
class OfferFilter:
    facets: OfferFacets = field(default_factory=OfferFacets)
    areas: tuple[str, ...] = ()
    unit_ids: tuple[str, ...] = ()


def paginate(records: Sequence[Record], window: ListWindow) -> Page:
    items = list(records[window.offset : window.offset + window.limit])
    return Page(items=items, total=len(records), limit=window.limit, offset=window.offset)


def _text_filter(q: str | None) -> tuple[str, ...] | None:
    if q is None:
        return None
    tokens = query_tokens(q)
    if not tokens:
        raise FilterError("q", "needs at least one letter or digit")
    return tokens


def search_offers(snapshot: RegistrySnapshot, selection: OfferFilter, window: ListWindow) -> Page:
    """Offers matching every facet, optionally only at units in ``areas`` or with the given ids."""
    index = index_for(snapshot)
    mask = offer_mask(index, selection.facets)
    if selection.areas:
        mask &= area_mask(snapshot, index, selection.areas)[index.offer_unit]
    if selection.unit_ids:
        rows = [index.row_of[u] for u in selection.unit_ids if u in index.row_of]
        mask &= np.isin(index.offer_unit, rows)
    ids = [offer_id for offer_id, keep in zip(index.offer_ids, mask, strict=True) if keep]
    window_ids = ids[window.offset : window.offset + window.limit]
    items = [offer_record(snapshot.offers[offer_id]) for offer_id in window_ids]
    return Page(items=items, total=len(ids), limit=window.limit, offset=window.offset)


def list_organisations(
    snapshot: RegistrySnapshot, owner_types: tuple[str, ...], q: str | None, window: ListWindow
) -> Page:
    tokens = _text_filter(q)
    units_of: dict[str, list[str]] = {}
    for unit in snapshot.units.values():
        units_of.setdefault(unit.organisation_id, []).append(unit.id)
    records = [
        organisation_record(o, units_of.get(o.id, ()))
        for o in snapshot.organisations.values()
        if (not owner_types or o.owner_type in owner_types)
        and (tokens is None or matches(tokens, name_keys([o.name])))
    ]
    return paginate(records, window)


def list_teams(snapshot: RegistrySnapshot, areas: tuple[str, ...], q: str | None, window: ListWindow) -> Page:
    tokens = _text_filter(q)
    wanted: set[str] = set()
    for code in check_areas(snapshot, areas):
        area = snapshot.geography.area_units.get(code)
        wanted.add(area.catchment_code or code if area is not None and area.kind == "bydel" else code)
    records = [
        team_record(t)
        for t in snapshot.teams.values()
        if (not wanted or wanted & {t.region_code, t.catchment_code, t.municipality_code})
        and (tokens is None or matches(tokens, name_keys([t.name, t.town])))
    ]
    return paginate(records, window)


def area_records(snapshot: RegistrySnapshot) -> list[Record]:
    """Every region, catchment area, kommune and bydel, in that order, each by code."""
    geography = snapshot.geography
    records = [region_record(r) for r in sorted(geography.regions.values(), key=lambda r: r.code)]
    records += [catchment_record(c) for c in sorted(geography.catchments.values(), key=lambda c: c.code)]
    for kind in ("kommune", "bydel"):
        for area in sorted(geography.area_units.values(), key=lambda a: a.code):
            if area.kind == kind:
                catchment = geography.catchments.get(area.catchment_code or "")
                records.append(area_unit_record(area, catchment.region_code if catchment else None))
    return records


def list_areas(snapshot: RegistrySnapshot, kinds: tuple[str, ...], q: str | None, window: ListWindow) -> Page:
    unknown = [k for k in kinds if k not in AREA_KINDS]
    if unknown:
        raise FilterError("kind", f"unknown area kind(s) {', '.join(map(repr, unknown))}", AREA_KINDS)
    tokens = _text_filter(q)
    records = [
        r
        for r in area_records(snapshot)
        if (not kinds or r["kind"] in kinds) and (tokens is None or matches(tokens, name_keys([r["name"]])))
    ]
    return paginate(records, window)
