"""The map page's server-rendered result list: the units the GeoJSON API would return for the same query.

The map page works without JavaScript: the filter form submits ``GET /?service_type=...&area=...`` and this
module builds the list the page shows, through the same parser (``tsbkart.query.params.unit_filter``) and
core query that serve ``/api/v1/units.geojson``; with JavaScript, the page fetches that endpoint with the
same query string. Shape, by example::

    selection = unit_filter({"service_type": ["avrusning"], "area": ["helse-nord"]}, snapshot)
    items = filter_units(snapshot, selection)
    items[0]  # MapItem(id="unn-avrusning-tromso", name="Avrusning Tromsø ...", approximate=True,
              #         service_types=("akutt", "avrusning"), main_service_type="akutt", lat=69.75, ...)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from tsbkart.query.explain import Explanation, Suggestion, explain
from tsbkart.query.filters import FilterError, UnitFilter
from tsbkart.query.params import Params
from tsbkart.query.records import Record
from tsbkart.query.target_groups import DEFAULT_MATCH
from tsbkart.query.units import search_units
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab.loader import Vocabularies, load_vocabularies

__all__ = [
    "FORM_FIELDS",
    "LIST_PAGE_SIZE",
    "FilterError",
    "ListPage",
    "MapItem",
    "active_filter_count",
    "filter_units",
    "list_page",
    "main_service_type",
    "map_explanation",
    "result_page",
    "selected",
    "suggestion_query",
]

# The query parameters the map form sends: the same names as /api/v1/units.geojson.
FORM_FIELDS = (
    "service_type",
    "target_group",
    "legal_basis",
    "intake_status",
    "owner_type",
    "area",
    "open_24_7",
    "q",
    "near",
    "match",
    "delivery_method",
    "language",
    "accessibility",
)
# Items per page of the server-rendered list (the no-JavaScript view); the whole bundled registry fits on one.
LIST_PAGE_SIZE = 200


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
    # with a target-group filter: "stated", "stated_for_unit" or "possible" (tsbkart.query.target_groups.fit)
    target_group_fit: str | None = None


def selected(selection: UnitFilter) -> dict[str, Any]:
    """The selection's values by form field, for re-filling the form::

    {"service_type": ("akutt", "avrusning"), "target_group": (), "legal_basis": (), "intake_status": (),
     "owner_type": (), "area": ("helse-nord",), "open_24_7": None, "q": "", "match": ()}

    ``match`` is listed only when it is not the default (it is how, not whether, the list is filtered).
    """
    return {
        "service_type": selection.offers.service_types,
        "target_group": selection.offers.target_groups,
        "legal_basis": selection.offers.legal_basis,
        "intake_status": selection.offers.intake_status,
        "owner_type": selection.owner_types,
        "area": selection.areas,
        "open_24_7": selection.offers.open_24_7,
        "q": selection.q or "",
        "match": () if selection.offers.target_match == DEFAULT_MATCH else (selection.offers.target_match,),
        "delivery_method": selection.offers.delivery_methods,
        "language": selection.offers.languages,
        "accessibility": selection.accessibility,
    }


def active_filter_count(filters: Mapping[str, Any]) -> int:
    """How many of ``selected``'s values restrict the list: one per code (checkbox or option), one for
    ``open_24_7`` when set (False filters too, from hand-written URLs), one for non-blank ``q``. The example
    above counts 3. The map script counts the form's values the same way when a filter changes."""
    count = 0
    for value in filters.values():
        if isinstance(value, tuple):
            count += len(value)
        elif isinstance(value, str):
            count += 1 if value.strip() else 0
        elif value is not None:
            count += 1
    return count


def _intensity(vocabs: Vocabularies) -> dict[str, tuple[int, int]]:
    return {t.code: (int(t.get("level", 0)), -i) for i, t in enumerate(vocabs["service_types"])}


def main_service_type(codes: Sequence[str], vocabularies: Vocabularies | None = None) -> str | None:
    """The highest-level code (acute > inpatient > day > outpatient > assessment); vocabulary order breaks ties."""
    return _most_intense(codes, _intensity(vocabularies or load_vocabularies()))


def _most_intense(codes: Sequence[str], order: Mapping[str, tuple[int, int]]) -> str | None:
    known = [c for c in codes if c in order]
    return max(known, key=lambda c: order[c]) if known else None


def _item(record: Record, order: Mapping[str, tuple[int, int]]) -> MapItem:
    codes = tuple(record["service_types"])
    return MapItem(
        id=record["id"],
        name=record["name"],
        organisation_name=record["organisation_name"],
        owner_type=record["owner_type"],
        catchment_name=record["catchment_name"],
        municipality_name=record["municipality_name"],
        town=record["town"],
        approximate=bool(record["approximate"]),
        lat=record["lat"],
        lon=record["lon"],
        service_types=codes,
        main_service_type=_most_intense(codes, order),
        beds=record["beds"],
        target_group_fit=record.get("target_group_fit"),
    )


def filter_units(snapshot: RegistrySnapshot, selection: UnitFilter) -> tuple[MapItem, ...]:
    """Units matching ``selection`` in the query's stable (name, id) order, as list items."""
    order = _intensity(load_vocabularies())
    return tuple(_item(record, order) for record in search_units(snapshot, selection).items)


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of the result list: ``items`` of ``matched`` results; ``number`` counts from 1."""

    items: tuple[MapItem, ...]
    matched: int
    number: int
    pages: int

    @property
    def complete(self) -> bool:
        return self.pages <= 1


def list_page(items: Sequence[MapItem], number: int, size: int = LIST_PAGE_SIZE) -> ListPage:
    """Page ``number`` of ``items`` (clamped to the pages that exist)."""
    pages = max(1, -(-len(items) // size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    return ListPage(tuple(items[start : start + size]), len(items), number, pages)


def result_page(
    snapshot: RegistrySnapshot, selection: UnitFilter, number: int, size: int = LIST_PAGE_SIZE
) -> ListPage:
    """Page ``number`` of the units ``selection`` matches, clamped to the pages that exist; the same page as
    ``list_page(filter_units(...), number, size)`` but only the shown items are built, so a 10,000-unit
    registry costs one page of items, not 10,000."""
    order = _intensity(load_vocabularies())

    def window(page: int) -> tuple[int, list[Record]]:
        found = search_units(snapshot, replace(selection, offset=(page - 1) * size, limit=size))
        return found.total, found.items

    number = max(1, number)
    matched, records = window(number)
    pages = max(1, -(-matched // size))
    if number > pages:
        number = pages
        matched, records = window(number)
    return ListPage(tuple(_item(record, order) for record in records), matched, number, pages)


def map_explanation(snapshot: RegistrySnapshot, params: Params, selection: UnitFilter) -> Explanation:
    """Why the map's list holds what it holds, and the ways out of an empty one (``tsbkart.query.explain``)."""
    return explain(snapshot, params, search_units(snapshot, replace(selection, offset=0, limit=1)))


def suggestion_query(suggestion: Suggestion) -> list[tuple[str, str]]:
    """The map's query string for a suggestion: only the form's fields (no page number or language)."""
    return [(k, v) for k, values in suggestion.params.items() if k in FORM_FIELDS for v in values]
