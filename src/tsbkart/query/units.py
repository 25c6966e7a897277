"""Search the units of a snapshot: facet filters, area, free text, distance from a point, pagination.

    page = search_units(snap, UnitFilter(offers=OfferFacets(service_types=("avrusning",)), near=(63.43, 10.39)))
    page.total, page.items[0]["name"], page.items[0]["distance_km"]

Items are ``unit_summary`` dicts (see ``tsbkart.query.records``) plus ``lat``, ``lon`` and ``distance_km``
(None without ``near`` or without a known location) and ``target_group_fit``: with a target-group filter, how
the unit's best matching offer fits it (``tsbkart.query.target_groups.fit``: "stated", "stated_for_unit",
"possible"), else None. ``Page.target_counts`` then counts the units that pass every other filter by their best
fit (also "stated_not"), so an answer can explain itself. Order is stable: (distance, name, id) with ``near``,
else (name, id); units without a known location come last when sorting by distance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from tsbkart.analysis.costs import great_circle_km
from tsbkart.query.filters import FilterError, OfferFacets, UnitFilter, check_areas
from tsbkart.query.index import NO, YES, BoolArray, FloatArray, IntArray, UnitIndex, index_for
from tsbkart.query.records import Record
from tsbkart.query.target_groups import FITS, SHOWN, Fit
from tsbkart.query.text import query_tokens
from tsbkart.registry.areas import area_of_code, units_in_area
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab import load_vocabularies

# Distances are shown to the metre; more digits would be false precision for a straight line.
DISTANCE_DECIMALS = 3


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: ``items`` (plain dicts), the ``total`` matching, and the page bounds."""

    items: list[Record]
    total: int
    limit: int
    offset: int
    # with a target-group filter: units passing every other filter, by the best fit of their offers
    target_counts: dict[Fit, int] | None = field(default=None, compare=False)
    # why the page holds what it holds (tsbkart.query.explain.explained): set for the API's answers
    explanation: Record | None = field(default=None, compare=False)


def offer_mask(index: UnitIndex, facets: OfferFacets) -> BoolArray:
    """Offers (rows of index.offer_unit) that satisfy every offer facet at once."""
    vocabs = load_vocabularies()
    mask = np.ones(index.offer_unit.shape[0], dtype=np.bool_)
    for facet, vocabulary, codes in (
        ("service_type", "service_types", facets.service_types),
        ("target_group", "target_groups", facets.target_groups),
        ("legal_basis", "legal_basis", facets.legal_basis),
        ("intake_status", "intake_status", facets.intake_status),
        ("delivery_method", "delivery_methods", facets.delivery_methods),
    ):
        if codes and facet == "target_group":
            mask &= target_ranks(index, codes) <= _threshold(facets)
        elif codes:
            columns = [vocabs[vocabulary].codes.index(c) for c in codes]
            mask &= index.offer_codes[facet][:, columns].any(axis=1)
    if facets.languages:
        wanted = frozenset(facets.languages)
        mask &= np.fromiter(
            (bool(s & wanted) for s in index.offer_languages), np.bool_, len(index.offer_languages)
        )
    if facets.open_24_7 is not None:
        # Unknown stays unknown: false selects offers known not to be open 24/7, never unknown ones.
        mask &= index.offer_open == (YES if facets.open_24_7 else NO)
    return mask


def target_ranks(index: UnitIndex, codes: Iterable[str]) -> IntArray:
    """Per offer, the best fit (position in FITS) over the target group ``codes`` (alternatives)."""
    columns = [load_vocabularies()["target_groups"].codes.index(c) for c in codes]
    ranks: IntArray = index.offer_fit[:, columns].min(axis=1)
    return ranks


def _threshold(facets: OfferFacets) -> int:
    return max(FITS.index(f) for f in SHOWN[facets.target_match])


# A unit without an offer passing the other facets has no fit at all.
NO_FIT = len(FITS)


def unit_ranks(index: UnitIndex, facets: OfferFacets) -> IntArray:
    """Per unit, the best fit of its offers that pass every other offer facet; NO_FIT when none does."""
    offers = offer_mask(index, replace(facets, target_groups=()))
    ranks = np.full(len(index.unit_ids), NO_FIT, dtype=np.int64)
    np.minimum.at(ranks, index.offer_unit[offers], target_ranks(index, facets.target_groups)[offers])
    return ranks


def area_mask(snapshot: RegistrySnapshot, index: UnitIndex, areas: Iterable[str]) -> BoolArray:
    """Units located in any of ``areas``, as ``tsbkart.registry.areas.units_in_area`` selects them (the area
    pages use the same function): a kommune includes its bydeler's units, a bydel only its own."""
    mask = np.zeros(len(index.unit_ids), dtype=np.bool_)
    for code in check_areas(snapshot, areas):
        area = area_of_code(snapshot.geography, code)
        if area is not None:
            mask[[index.row_of[u.id] for u in units_in_area(snapshot, area)]] = True
    return mask


def unit_mask(snapshot: RegistrySnapshot, index: UnitIndex, selection: UnitFilter) -> BoolArray:
    """Rows of ``index`` that pass every filter except distance."""
    mask = np.ones(len(index.unit_ids), dtype=np.bool_)
    if selection.offers.active:
        offered = np.zeros_like(mask)
        offered[index.offer_unit[offer_mask(index, selection.offers)]] = True
        mask &= offered
    if selection.owner_types:
        owner_codes = load_vocabularies()["owner_types"].codes
        mask &= np.isin(index.owner_type, [owner_codes.index(c) for c in selection.owner_types])
    if selection.accessibility:
        codes = load_vocabularies()["accessibility"].codes
        mask &= index.unit_accessibility[:, [codes.index(c) for c in selection.accessibility]].all(axis=1)
    if selection.organisation_ids:
        wanted = [i for i, o in enumerate(index.organisation_ids) if o in set(selection.organisation_ids)]
        mask &= np.isin(index.organisation, wanted)
    if selection.areas:
        mask &= area_mask(snapshot, index, selection.areas)
    if selection.q is not None:
        tokens = query_tokens(selection.q)
        if not tokens:
            raise FilterError("q", "needs at least one letter or digit")
        mask &= index.text.matching(tokens)
    return mask


def order_by_distance(
    index: UnitIndex, rows: IntArray, near: tuple[float, float], radius_km: float | None
) -> tuple[IntArray, FloatArray]:
    """``rows`` (already in name order) re-ordered by distance; NaN distance (no location) sorts last."""
    distance = great_circle_km(near[0], near[1], index.lat[rows], index.lon[rows])
    if radius_km is not None:
        keep = distance <= radius_km  # NaN compares False: units without a location drop out
        rows, distance = rows[keep], distance[keep]
    order = np.argsort(np.where(np.isnan(distance), np.inf, distance), kind="stable")
    return rows[order], distance[order]


def search_units(snapshot: RegistrySnapshot, selection: UnitFilter) -> Page:
    """The page of units ``selection`` asks for (see the module docstring for order and item shape)."""
    index = index_for(snapshot)
    facets = selection.offers
    grouped = bool(facets.target_groups)
    # With a target-group filter, select on every other filter first: the rest are then counted by their fit.
    others = replace(selection, offers=replace(facets, target_groups=())) if grouped else selection
    rows = np.flatnonzero(unit_mask(snapshot, index, others))
    distance: FloatArray | None = None
    if selection.near is not None:
        rows, distance = order_by_distance(index, rows, selection.near, selection.radius_km)
    ranks: IntArray | None = None
    counts: dict[Fit, int] | None = None
    if grouped:
        ranks = unit_ranks(index, facets)
        found = np.bincount(ranks[rows], minlength=NO_FIT + 1)
        counts = {f: int(found[i]) for i, f in enumerate(FITS)}
        keep = ranks[rows] <= _threshold(facets)
        rows = rows[keep]
        distance = None if distance is None else distance[keep]
    window = slice(selection.offset, selection.offset + selection.limit)
    items = [
        _item(
            index,
            int(row),
            None if distance is None else float(distance[k]),
            None if ranks is None else FITS[int(ranks[row])],
        )
        for k, row in enumerate(rows[window], start=selection.offset)
    ]
    return Page(
        items=items,
        total=int(rows.shape[0]),
        limit=selection.limit,
        offset=selection.offset,
        target_counts=counts,
    )


def _item(index: UnitIndex, row: int, distance: float | None, target_fit: Fit | None) -> Record:
    lat, lon = float(index.lat[row]), float(index.lon[row])
    known = bool(index.has_location[row])
    return index.summaries[row] | {
        "lat": lat if known else None,
        "lon": lon if known else None,
        "distance_km": None if distance is None or np.isnan(distance) else round(distance, DISTANCE_DECIMALS),
        "target_group_fit": target_fit,
    }


def unit_feature(item: Record) -> Record:
    """A GeoJSON Feature for a ``search_units`` item: Point [lon, lat], or null geometry when unknown."""
    properties = {k: v for k, v in item.items() if k not in ("lat", "lon")}
    geometry = None
    if item["lat"] is not None and item["lon"] is not None:
        geometry = {"type": "Point", "coordinates": [item["lon"], item["lat"]]}
    return {"type": "Feature", "id": item["id"], "geometry": geometry, "properties": properties}


def feature_collection(page: Page) -> Record:
    collection: Record = {
        "type": "FeatureCollection",
        "features": [unit_feature(item) for item in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }
    if page.explanation is not None:
        collection["explanation"] = page.explanation
    return collection
