"""Why a unit list holds what it holds, and the nearest way out when it holds nothing.

A list never answers a bare 0: ``explain`` says how a target-group filter was matched (how many units state
they serve the group, how many state no target group, how many state they do not) and, for an empty list,
which filter to drop or how to widen the area, each with the number of units that would then be listed::

    explanation = explain(snapshot, {"target_group": ["alcohol"], "area": ["unn"]}, page)
    explanation.target_counts      # {"stated": 0, "stated_for_unit": 0, "possible": 9, "stated_not": 0}
    explanation.suggestions        # () unless page.total == 0; else e.g.
    # (Suggestion(kind="drop", parameter="area", value="unn", total=141, params={"target_group": ["alcohol"]}),
    #  Suggestion(kind="widen", parameter="area", value="helse-nord", total=31, params={...}), ...)

``params`` is the query as the one parser reads it (``tsbkart.query.params``); each suggestion carries the
query it stands for, so the map links to it and the API returns it. Plain data: the web layer words it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from tsbkart.query.filters import FilterError, UnitFilter
from tsbkart.query.params import Params, codes, unit_filter
from tsbkart.query.records import Record
from tsbkart.query.target_groups import Fit, Match
from tsbkart.query.units import Page, feature_collection, search_units
from tsbkart.registry.snapshot import RegistrySnapshot

# The filters a suggestion may drop, in the order they are offered: the most specific first.
DROPPABLE = (
    "q",
    "target_group",
    "legal_basis",
    "intake_status",
    "open_24_7",
    "service_type",
    "owner_type",
    "organisation",
    "language",
    "delivery_method",
    "accessibility",
    "area",
    "radius_km",
)
# Code lists: each code is dropped on its own; the other parameters are dropped whole.
CODE_LISTS = frozenset(
    {
        "target_group",
        "legal_basis",
        "intake_status",
        "service_type",
        "owner_type",
        "organisation",
        "language",
        "delivery_method",
        "accessibility",
        "area",
    }
)
RADIUS_STEP = 2  # widening a radius doubles it

Reason = Literal[
    "no_units", "target_group_not_stated", "target_group_stated_not", "bydel_not_stated", "filters_combined"
]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A way out of an empty list: ``drop`` a filter value or ``widen`` one (``value`` is then the wider one:
    a larger radius, the region around a catchment area, ``possible`` for ``match``); ``total`` units."""

    kind: Literal["drop", "widen"]
    parameter: str
    value: str
    total: int
    params: Mapping[str, Sequence[str]]


@dataclass(frozen=True, slots=True)
class Explanation:
    total: int
    target_groups: tuple[str, ...]
    match: Match | None  # None without a target-group filter
    target_counts: Mapping[Fit, int] | None
    reason: Reason | None  # why the list is empty; None when it is not
    suggestions: tuple[Suggestion, ...]

    @property
    def empty(self) -> bool:
        return self.total == 0


def _without(params: Params, parameter: str, value: str | None) -> dict[str, list[str]]:
    """``params`` without code ``value`` of ``parameter``, or without the whole parameter when ``value`` is None."""
    out: dict[str, list[str]] = {}
    for key, values in params.items():
        kept = [v for v in values if v.strip()]
        if key == parameter:
            rest = ",".join(c for c in codes(params, key) if c != value) if value is not None else ""
            kept = [rest] if rest else []
        if kept:
            out[key] = kept
    return out


def _with(params: Params, parameter: str, value: str) -> dict[str, list[str]]:
    return {**_without(params, parameter, None), parameter: [value]}


def _total(snapshot: RegistrySnapshot, params: Params) -> int | None:
    try:
        return search_units(snapshot, replace(unit_filter(params, snapshot), limit=1)).total
    except FilterError:
        return None


def _wider_areas(snapshot: RegistrySnapshot, code: str) -> list[str]:
    """The areas around ``code``: a bydel's municipality, a kommune's catchment area, a catchment's region."""
    geography = snapshot.geography
    area = geography.area_units.get(code)
    if area is not None:
        return [c for c in (area.parent_code, area.catchment_code) if c]
    catchment = geography.catchments.get(code)
    return [catchment.region_code] if catchment is not None else []


def _candidates(
    snapshot: RegistrySnapshot, params: Params
) -> list[tuple[str, str, str, dict[str, list[str]]]]:
    """(kind, parameter, value, the query it gives) for every way out, most specific first."""
    out: list[tuple[str, str, str, dict[str, list[str]]]] = []
    if codes(params, "target_group") and codes(params, "match") == ("stated",):
        out.append(("widen", "match", "possible", _with(params, "match", "possible")))
    for parameter in DROPPABLE:
        present = [v for v in params.get(parameter, ()) if v.strip()]
        if not present:
            continue
        if parameter in CODE_LISTS:
            for code in codes(params, parameter):
                out.append(("drop", parameter, code, _without(params, parameter, code)))
        else:
            out.append(("drop", parameter, present[-1], _without(params, parameter, None)))
    for code in codes(params, "area"):
        for wider in _wider_areas(snapshot, code):
            kept = [c for c in codes(params, "area") if c != code]
            out.append(
                (
                    "widen",
                    "area",
                    wider,
                    {**_without(params, "area", None), "area": [",".join([*kept, wider])]},
                )
            )
    radius = [v for v in params.get("radius_km", ()) if v.strip()]
    if radius:
        try:
            wider_radius = f"{float(radius[-1]) * RADIUS_STEP:g}"
        except ValueError:
            wider_radius = ""
        if wider_radius:
            out.append(("widen", "radius_km", wider_radius, _with(params, "radius_km", wider_radius)))
    return out


def _unstated_bydeler(snapshot: RegistrySnapshot, params: Params) -> tuple[str, ...]:
    """The bydel codes of the area filter that no unit of the registry is placed in. The bundled sources place
    a unit in its municipality only (Oslo is 0301) and a postal code does not give a bydel
    (reference/data/postnummer.csv.source.md), so such a filter finds nothing whatever else is asked."""
    area_units = snapshot.geography.area_units
    bydeler = [c for c in codes(params, "area") if c in area_units and area_units[c].kind == "bydel"]
    placed = {u.municipality_code for u in snapshot.units.values()}
    return tuple(c for c in bydeler if c not in placed)


def _reason(
    snapshot: RegistrySnapshot, params: Params, page: Page, suggestions: Sequence[Suggestion]
) -> Reason:
    if _unstated_bydeler(snapshot, params):
        return "bydel_not_stated"
    counts = page.target_counts
    if (
        counts is not None
        and counts.get("stated_not", 0)
        and not any(counts[f] for f in counts if f != "stated_not")
    ):
        return "target_group_stated_not"
    if counts is not None and counts.get("possible", 0):
        return "target_group_not_stated"  # only with match=stated: units exist that state no group
    return "filters_combined" if suggestions else "no_units"


def explain(snapshot: RegistrySnapshot, params: Params, page: Page) -> Explanation:
    """How ``page`` (``search_units`` for ``params``) was selected and, when it is empty, the ways out."""
    selection = unit_filter(params, snapshot)
    facets = selection.offers
    suggestions: list[Suggestion] = []
    if page.total == 0:
        for kind, parameter, value, query in _candidates(snapshot, params):
            total = _total(snapshot, query)
            if total:
                suggestions.append(Suggestion(kind, parameter, value, total, query))  # type: ignore[arg-type]
    return Explanation(
        total=page.total,
        target_groups=facets.target_groups,
        match=facets.target_match if facets.target_groups else None,
        target_counts=page.target_counts,
        reason=_reason(snapshot, params, page, suggestions) if page.total == 0 else None,
        suggestions=tuple(suggestions),
    )


def explanation_record(explanation: Explanation) -> dict[str, object]:
    """The API's ``explanation`` member (shape in ``tsbkart.web.api.schemas.ExplanationOut``)."""
    return {
        "total": explanation.total,
        "target_groups": list(explanation.target_groups),
        "match": explanation.match,
        "target_counts": dict(explanation.target_counts) if explanation.target_counts is not None else None,
        "reason": explanation.reason,
        "message": message(explanation),
        "suggestions": [
            {
                "kind": s.kind,
                "parameter": s.parameter,
                "value": s.value,
                "total": s.total,
                "query": {k: list(v) for k, v in s.params.items()},
            }
            for s in explanation.suggestions
        ],
    }


REASONS: Mapping[Reason, str] = {
    "no_units": "The registry has no units.",
    "target_group_not_stated": "No unit states that it serves this target group; units that state no target group "
    "are listed with match=possible.",
    "target_group_stated_not": "Every unit that passes the other filters states age limits or age bands that leave "
    "this target group out.",
    "bydel_not_stated": "No unit in the registry is placed in this city district (bydel): the sources place units "
    "in their municipality only (Oslo units in 0301) and a postal code does not give a bydel; widen the area to "
    "the municipality.",
    "filters_combined": "No unit passes all the filters together; each suggestion drops or widens one of them.",
}


def message(explanation: Explanation) -> str:
    """A plain English sentence for API clients (the pages word it in the user's language)."""
    parts = []
    counts = explanation.target_counts
    if counts is not None:
        parts.append(
            f"{counts['stated']} units state on an offer that they serve the target group, "
            f"{counts['stated_for_unit']} state it for the whole unit, {counts['possible']} state no restriction "
            f"that rules it out and {counts['stated_not']} state that they do not serve it."
        )
    if explanation.reason is not None:
        parts.append(REASONS[explanation.reason])
    return " ".join(parts)


def units_feature_collection(snapshot: RegistrySnapshot, params: Params, selection: UnitFilter) -> Record:
    """The units ``selection`` (parsed from ``params``) picks as a GeoJSON FeatureCollection, explained when
    it needs it: the one builder behind ``/api/v1/units.geojson`` and ``tsbkart export --format geojson``."""
    return feature_collection(explained(snapshot, params, search_units(snapshot, selection)))


def explained(snapshot: RegistrySnapshot, params: Params, page: Page) -> Page:
    """``page`` with its ``explanation`` record when it needs one: a target-group filter was used or the page
    is empty (a list never answers a bare 0)."""
    if page.total and page.target_counts is None:
        return page
    return replace(page, explanation=explanation_record(explain(snapshot, params, page)))
