"""The finder's entry point: ``find(snapshot, profile, today=...)`` -> :class:`FinderResult` (plain data).

The profile is used for the call and dropped: nothing here stores or logs it.

Shape::

    FinderResult(deadline=GuidelineDeadline(weeks=4, latest_start=..., acute=False, ...),
                 home=HomeArea(code="5601", name="Alta", catchment_code="finnmark", needs_bydel=False, ...),
                 routing=Routing(...),                # the team for the patient in general
                 groups=[ResultGroup(code="home", shown=["offer id", ...], more=[...], total=9), ...],
                 results=[RankedOffer(rank=1, offer_id="...", group="home", reasons=[...], routing=...)],
                 implied=[ImpliedNeed(code="alcohol_over_20_units_detox", ...)],
                 acute=AcuteGuidance(...) or None,    # an acute crisis: emergency numbers and acute units
                 total_eligible=12, excluded=[ExcludedOffer(...)] or None, synthetic=False)

Scope before length (``rules/scope.yaml``): results come in groups, the patient's catchment area first, then
the region, then elsewhere; each group holds at most its ``limit`` and shows its ``cap`` first. ``results`` is
every grouped offer in group order, cut at ``limit``; ``rank`` is an offer's place in the whole ranking (the
order within each group follows it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
from pydantic import BaseModel

from tsbkart.analysis.costs import CostProvider, GreatCircle, Points, Radians, haversine_km
from tsbkart.domain.errors import UserError
from tsbkart.finder.construct import constructed
from tsbkart.finder.deadlines import GuidelineDeadline, guideline_deadline
from tsbkart.finder.eligibility import Context, Verdict, context, eligibility_by_signature, judge
from tsbkart.finder.index import FinderIndex, finder_index
from tsbkart.finder.profile import NeedProfile
from tsbkart.finder.ranking import deadline_fit
from tsbkart.finder.ranking import ranked as ranked_offers
from tsbkart.finder.reasons import Reason, reason
from tsbkart.finder.routing import Router, Routing, acute_routing, route
from tsbkart.finder.rules import Group, acute_rules, scope_rules
from tsbkart.query.target_groups import stated_groups
from tsbkart.reference.postal import resolve_home
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab import load_vocabularies

MAX_LIMIT = 500
# GreatCircle is a frozen dataclass (read-only ``unit``), so mypy does not see it as a CostProvider.
Cost = CostProvider | GreatCircle


class FinderInputError(UserError, ValueError):
    """The profile names something the registry does not know (e.g. an unknown municipality code).
    ``parameter`` names the profile field and ``values`` what it held, for a message in the user's language."""

    status = 422

    def __init__(self, message: str, parameter: str = "", values: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.values = values


class HomeArea(BaseModel):
    code: str
    name: str
    kind: str
    catchment_code: str | None
    catchment_name: str | None
    region_code: str | None
    point_approximate: bool  # True when a city district falls back to its municipality's point
    has_point: bool
    # Oslo without a city district: its catchment depends on the bydel, so the answer asks for it (bydeler
    # lists the choices) and shows one group per trust that serves Oslo's bydeler.
    needs_bydel: bool = False
    bydeler: list[tuple[str, str]] = []
    postal_code: str | None = None  # when the home came from a postal code: that code and its place
    postal_place: str | None = None


class ImpliedNeed(BaseModel):
    """A service type the guide's criteria imply (``rules/implied.yaml``), offered without being ticked."""

    code: str
    need: str
    service_types: list[str]
    status: str  # verified | inferred
    nb: str
    en: str
    source: str


class EmergencyNumber(BaseModel):
    code: str
    number: str
    nb: str
    en: str
    source: str


class AcuteService(BaseModel):
    offer_id: str
    service_type: str
    unit_id: str
    unit_name: str
    town: str | None
    phone: str | None
    open_24_7: bool | None  # None = not stated
    in_home_catchment: bool
    distance_km: float | None


class AcuteGuidance(BaseModel):
    """The acute path: what to do now, the numbers with their sources, the acute units (home area first)."""

    nb: str
    en: str
    numbers: list[EmergencyNumber]
    services: list[AcuteService]
    sources: list[str]


class ResultGroup(BaseModel):
    """One scope of the answer: ``shown`` first, ``more`` behind "show more"; ``total`` eligible in scope."""

    code: str  # home | trust:<catchment> | region | national
    label_nb: str
    label_en: str
    note_nb: str | None = None
    note_en: str | None = None
    areas: list[str] = []  # trust groups: the Oslo city districts the trust serves
    cap: int
    total: int
    shown: list[str]  # offer ids
    more: list[str]


class RankedOffer(BaseModel):
    rank: int
    offer_id: str
    unit_id: str
    unit_name: str
    organisation_name: str | None
    owner_type: str | None
    public: bool | None
    service_type: str
    service_label_nb: str
    service_label_en: str
    level: int
    town: str | None
    municipality_code: str | None
    catchment_code: str | None
    in_home_catchment: bool
    distance_km: float | None
    distance_approximate: bool
    travel_cost: float | None
    travel_cost_unit: str
    waiting_weeks: float | None
    waiting_as_of: date | None
    can_start_within_deadline: bool | None  # None = not known
    intake_status: str
    phone: str | None
    website: str | None
    her_id: str | None  # professional view: the unit's HER-id address when known
    referral_note: str | None  # professional view: referral requirements as the source states them
    target_groups: list[str]  # the offer's own, else its unit's (then target_groups_of_unit is true)
    target_groups_of_unit: bool = False  # the groups are stated for the whole unit ("oppgitt for enheten")
    legal_basis: list[str]
    open_24_7: bool | None
    region_code: str | None
    group: str  # the ResultGroup code it is listed under
    age_min: int | None
    age_max: int | None
    source: str
    reasons: list[Reason]
    routing: Routing


# The fields of a RankedOffer that a search fills in; every other field is the offer's own, the same on every
# search of a snapshot (_build_static; answer_json writes those once per snapshot).
PER_SEARCH_FIELDS = frozenset(
    {
        "rank",
        "in_home_catchment",
        "distance_km",
        "distance_approximate",
        "travel_cost",
        "travel_cost_unit",
        "can_start_within_deadline",
        "group",
        "reasons",
        "routing",
    }
)


class ExcludedOffer(BaseModel):
    offer_id: str
    unit_name: str
    service_type: str
    reasons: list[Reason]


class FinderResult(BaseModel):
    deadline: GuidelineDeadline
    home: HomeArea
    routing: Routing
    acute: AcuteGuidance | None = None
    implied: list[ImpliedNeed] = []
    groups: list[ResultGroup] = []
    results: list[RankedOffer]
    total_eligible: int
    total_offers: int
    excluded: list[ExcludedOffer] | None = None
    snapshot_revision: int
    synthetic: bool = False

    @property
    def results_by_id(self) -> dict[str, RankedOffer]:
        return {r.offer_id: r for r in self.results}


def _home(snapshot: RegistrySnapshot, profile: NeedProfile) -> tuple[HomeArea, float | None, float | None]:
    geo = snapshot.geography
    code = profile.home_area
    if code is not None and code not in geo.area_units:
        raise FinderInputError(
            f"home_area: {code!r} is not a known municipality or Oslo city district", "home_area", (code,)
        )
    # A postal code resolves through Bring's register (a PostalCodeError, 422, names what is wrong).
    choice = resolve_home(geo, area_code=code, postal_code=profile.postal_code)
    area = geo.area_units[choice.area_code]
    lat, lon, approximate = area.lat, area.lon, False
    if (lat is None or lon is None) and area.parent_code is not None and area.parent_code in geo.area_units:
        parent = geo.area_units[area.parent_code]
        lat, lon, approximate = parent.lat, parent.lon, True
    catchment = geo.catchment_of(area.code)
    home = HomeArea(
        code=area.code,
        name=area.name,
        kind=area.kind,
        catchment_code=catchment.code if catchment else None,
        catchment_name=catchment.name if catchment else None,
        region_code=catchment.region_code if catchment else None,
        point_approximate=approximate,
        has_point=lat is not None and lon is not None,
        needs_bydel=choice.needs_bydel,
        # "Uoppgitt bydel" (code ..99) is a statistical bucket, not a place to choose.
        bydeler=[(c, n) for c, n in choice.bydeler if not c.endswith("99")],
        postal_code=choice.postal.postal_code if choice.postal else None,
        postal_place=choice.postal.place_title if choice.postal else None,
    )
    return home, lat, lon


def _place_costs(
    index: FinderIndex, lat: float | None, lon: float | None, cost: Cost
) -> tuple[np.ndarray, np.ndarray]:
    """Per place (``index.place_or_unknown``; the last entry is the unknown place): great-circle km (for
    display and the distance preference) and the provider's cost, nan = unknown. With great-circle costs the
    two are one array (read only). One distance per distinct place: many offers share a unit, many units a
    municipality point."""
    n = len(index.place_lat)
    if lat is None or lon is None:
        km = np.full(n + 1, np.nan)
        return km, km if isinstance(cost, GreatCircle) else np.full(n + 1, np.nan)
    km = _great_circle_row(index, lat, lon)
    if isinstance(cost, GreatCircle):
        return km, km
    travel = np.full(n + 1, np.nan)
    if n:
        matrix = cost.matrix(
            Points(np.array([lat]), np.array([lon])), Points(index.place_lat, index.place_lon)
        )
        row = matrix.toarray()[0] if hasattr(matrix, "toarray") else np.asarray(matrix)[0]
        travel[:n] = np.where(np.isfinite(row), row, np.nan)
    return km, travel


# Kilometres from a home point to every place, kept per index (read-only rows): home points are the areas'
# points (a few hundred in all), so the rows are bounded by the geography; this bound (bytes) only guards odd
# geographies.
_ROWS_MAX_BYTES = 32 * 1024 * 1024


def _great_circle_row(index: FinderIndex, lat: float, lon: float) -> np.ndarray:
    """Great-circle km from (lat, lon) to each place, nan for the last (unknown) place; computed once per home
    point and index."""
    rows = index.distance_rows
    found = rows.get((lat, lon))
    if found is None:
        n = len(index.place_lat)
        found = np.full(n + 1, np.nan)
        found[:n] = haversine_km(Radians.of(lat, lon), index.place_radians)
        found.setflags(write=False)
        if len(rows) * found.nbytes >= _ROWS_MAX_BYTES:
            rows.clear()
        rows[(lat, lon)] = found
    return found


def find(
    snapshot: RegistrySnapshot,
    profile: NeedProfile,
    *,
    today: date,
    cost: Cost | None = None,
    limit: int = 100,
    explain: bool = False,
    synthetic: bool = False,
) -> FinderResult:
    """Eligible offers for ``profile`` ranked as in :mod:`tsbkart.finder.ranking` and grouped by scope, with the
    guideline deadline (referral received ``today``) and routing, or the acute path for an acute crisis;
    ``explain=True`` adds every excluded offer with its reasons."""
    provider: Cost = cost if cost is not None else GreatCircle()
    limit = max(1, min(limit, MAX_LIMIT))
    index = finder_index(snapshot)
    home, lat, lon = _home(snapshot, profile)
    ctx = context(profile)
    deadline = guideline_deadline(profile, today)
    # Eligibility per signature; the candidates are the offers of the eligible signatures (in signature order:
    # the ranking sorts them on unique keys, so their order here does not matter).
    sig_ok, sig_tier, sig_target = eligibility_by_signature(index, ctx)
    signatures = np.flatnonzero(sig_ok)
    starts, ends = index.signature_starts[signatures], index.signature_starts[signatures + 1]
    candidates = (
        np.concatenate([index.by_signature[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)])
        if len(signatures)
        else np.zeros(0, dtype=np.int64)
    )
    tier = np.repeat(sig_tier[signatures], ends - starts)
    target = np.repeat(sig_target[signatures], ends - starts)
    place_km, place_travel = _place_costs(index, lat, lon, provider)
    places = index.place_or_unknown[candidates]
    km = place_km[places]
    # With great-circle costs the two are one array (_place_costs): one gather, not two.
    travel = km if place_travel is place_km else place_travel[places]
    max_km = profile.preferences.max_distance_km
    if max_km is not None:
        # Unknown distance is kept under a distance limit (unknown is not "too far"); the reason says so.
        near = np.isnan(km) | (km <= max_km)
        candidates, tier, target, km, travel = (a[near] for a in (candidates, tier, target, km, travel))
    chosen = candidates
    home_catchment = home.catchment_code
    home_number = index.catchment_numbers.get(home_catchment or "", -2)
    ranked = ranked_offers(
        chosen,
        tier=tier,
        level=index.level[chosen],
        fit=deadline_fit(index.waiting[chosen], deadline.weeks),
        catchment=(index.catchment_number[chosen] != home_number).astype(np.int64),
        target=target,
        travel=travel,
        static_rank=index.static_rank,
        static_order=index.static_order,
    )
    verdicts: dict[int, Verdict] = {}

    def verdict(i: int) -> Verdict:
        number = int(index.sig_of[i])
        if number not in verdicts:
            verdicts[number] = judge(index.signatures[number], ctx)
        return verdicts[number]

    groups, members = _groups(snapshot, index, ranked, home)
    shown = members[:limit]
    held = np.array([i for i, _, _ in shown], dtype=np.int64)
    held_places = index.place_or_unknown[held]
    build = _Results(snapshot, index, ctx, home, deadline, provider)
    results = [
        build.result(i, rank, verdict(i), group, distance, cost)
        for (i, group, rank), distance, cost in zip(
            shown,
            place_km[held_places].tolist(),
            place_travel[held_places].tolist(),
            strict=True,
        )
    ]
    kept = {r.offer_id for r in results}
    for group in groups:
        group.shown = [o for o in group.shown if o in kept]
        group.more = [o for o in group.more if o in kept]
    acute = _acute(results, profile) if profile.acute_crisis else None
    return FinderResult(
        deadline=deadline,
        home=home,
        routing=acute_routing()
        if profile.acute_crisis
        else route(
            snapshot, index, home_catchment=home_catchment, age=profile.age, lar=profile.lar != "none"
        ),
        acute=acute,
        implied=[
            ImpliedNeed(
                code=i.code,
                need=i.need,
                service_types=list(i.service_types),
                status=i.status,
                nb=i.label.nb,
                en=i.label.en,
                source=i.source,
            )
            for i in ctx.implied
        ],
        # Empty scopes stay, so the answer can say that nothing there fits (e.g. § 10-3 in most regions).
        groups=groups,
        results=results,
        total_eligible=len(chosen),
        total_offers=len(index.offers),
        excluded=_excluded(index, verdict, place_km[index.place_or_unknown], max_km) if explain else None,
        snapshot_revision=snapshot.revision,
        synthetic=synthetic,
    )


def _oslo_trusts(snapshot: RegistrySnapshot, home: HomeArea) -> dict[str, list[str]]:
    """Oslo without a bydel: catchment code -> the names of the bydeler it serves."""
    served: dict[str, list[str]] = {}
    for code, name in home.bydeler:
        catchment = snapshot.geography.catchment_of(code)
        if catchment is not None:
            served.setdefault(catchment.code, []).append(name)
    # The trust serving most bydeler first (OUS), then by code: a stable, useful order.
    return dict(sorted(served.items(), key=lambda item: (-len(item[1]), item[0])))


def _group(rule: Group, code: str, members: np.ndarray, index: FinderIndex, **label: str) -> ResultGroup:
    held = [index.offers[int(i)].id for i in members[: rule.limit]]
    return ResultGroup(
        code=code,
        label_nb=rule.label.nb.format(**label),
        label_en=rule.label.en.format(**label),
        note_nb=rule.note.nb if rule.note else None,
        note_en=rule.note.en if rule.note else None,
        areas=label["areas"].split(", ") if "areas" in label else [],
        cap=rule.cap,
        total=len(members),
        shown=held[: rule.cap],
        more=held[rule.cap :],
    )


def _home_region(snapshot: RegistrySnapshot, home: HomeArea) -> str | None:
    if home.region_code is not None or not home.needs_bydel:
        return home.region_code
    # Oslo without a bydel: its trusts are in one region; take it from the bydeler's catchments.
    regions = sorted(
        {c.region_code for c in map(snapshot.geography.catchment_of, (b for b, _ in home.bydeler)) if c}
    )
    return regions[0] if regions else None


def _groups(
    snapshot: RegistrySnapshot, index: FinderIndex, ranked: np.ndarray, home: HomeArea
) -> tuple[list[ResultGroup], list[tuple[int, str, int]]]:
    """The answer's groups (``rules/scope.yaml``) and the offers they hold as (offer number, group code, rank),
    in group order; the ranking decides the order within a group."""
    scope = scope_rules()
    catchment = index.catchment_number[ranked]
    home_region = index.region_numbers.get(_home_region(snapshot, home) or "", -2)
    in_region = index.region_number[ranked] == home_region
    scoped: list[tuple[Group, str, np.ndarray, dict[str, str]]] = []
    if home.needs_bydel:
        for code, areas in _oslo_trusts(snapshot, home).items():
            mask = catchment == index.catchment_numbers.get(code, -3)
            name = snapshot.geography.catchments[code].name
            scoped.append(
                (scope.group("trust"), f"trust:{code}", mask, {"name": name, "areas": ", ".join(areas)})
            )
    else:
        mask = catchment == index.catchment_numbers.get(home.catchment_code or "", -2)
        scoped.append((scope.group("home"), "home", mask, {}))
    taken = np.zeros(len(ranked), dtype=np.bool_)
    for _, _, mask, _ in scoped:
        taken |= mask
    scoped.append((scope.group("region"), "region", in_region & ~taken, {}))
    national = scope.group("national")
    elsewhere = ~in_region & ~taken
    if national.only_types_missing_nearer:
        types = index.service_type_number[ranked]
        nearer = np.zeros(int(types.max(initial=-1)) + 1, dtype=np.bool_)
        nearer[types[~elsewhere]] = True
        elsewhere &= ~nearer[types]
    scoped.append((national, "national", elsewhere, {}))
    groups: list[ResultGroup] = []
    flat: list[tuple[int, str, int]] = []
    for rule, code, mask, label in scoped:
        positions = np.flatnonzero(mask)
        members = ranked[positions]
        groups.append(_group(rule, code, members, index, **label))
        # An offer's rank is its place in the whole ranking (1 = best overall), read here from where the group
        # found it, rather than from a rank per offer of the whole index.
        held = zip(members[: rule.limit].tolist(), (positions[: rule.limit] + 1).tolist(), strict=True)
        flat += [(i, code, rank) for i, rank in held]
    return groups, flat


def _acute(results: list[RankedOffer], profile: NeedProfile) -> AcuteGuidance:
    """The acute path: the numbers, and the acute units that serve the home area first, then the nearest."""
    rules = acute_rules()
    acute = [r for r in results if r.service_type in rules.service_types]
    acute.sort(key=lambda r: (not r.in_home_catchment, r.distance_km if r.distance_km is not None else 1e9))
    return AcuteGuidance(
        nb=rules.guidance.nb,
        en=rules.guidance.en,
        numbers=[
            EmergencyNumber(code=n.code, number=n.number, nb=n.label.nb, en=n.label.en, source=n.source)
            for n in rules.numbers
        ],
        services=[
            AcuteService(
                offer_id=r.offer_id,
                service_type=r.service_type,
                unit_id=r.unit_id,
                unit_name=r.unit_name,
                town=r.town,
                phone=r.phone,
                open_24_7=r.open_24_7,
                in_home_catchment=r.in_home_catchment,
                distance_km=r.distance_km,
            )
            for r in acute[: rules.max_services]
        ],
        sources=list(rules.sources),
    )


def _excluded(
    index: FinderIndex,
    verdict: Callable[[int], Verdict],
    km: np.ndarray,
    max_km: float | None,
) -> list[ExcludedOffer]:
    """Every offer the search leaves out, with its reasons; ``km`` per offer (nan = unknown)."""
    # Unknown distance is kept under a distance limit (unknown is not "too far").
    too_far = (~np.isnan(km)) & (km > max_km) if max_km is not None else np.zeros(len(km), dtype=np.bool_)
    out = []
    for i, offer in enumerate(index.offers):
        reasons = list(verdict(i).exclusions)
        if too_far[i]:
            reasons.append(reason("pref_too_far", km=round(float(km[i])), max_km=max_km))
        if reasons:
            unit = index.units[i]
            out.append(
                ExcludedOffer(
                    offer_id=offer.id,
                    unit_name=unit.name if unit else offer.unit_id,
                    service_type=offer.service_type,
                    reasons=reasons,
                )
            )
    return out


def _deadline_reason(waiting: float | None, weeks: int | None) -> tuple[Reason, bool | None]:
    if waiting is None:
        return reason("waiting_unknown"), None
    if weeks is None:
        return reason("waiting_known", waiting=waiting), None
    within = waiting <= weeks
    return reason("within_deadline" if within else "beyond_deadline", waiting=waiting, deadline=weeks), within


# The profile-independent part of each offer's result, kept per snapshot and built on first use: a search
# fills in only what depends on the profile. Bounded (a search shows at most 75 of them; a day's searches over
# the whole country touch most offers): over the bound the memo starts again.
_STATIC_MAX = 8192


@dataclass(frozen=True, slots=True)
class _Static:
    template: RankedOffer  # the offer's own fields; the profile-dependent ones are filled in per search
    target_groups: tuple[str, ...]
    legal_basis: tuple[str, ...]
    catchment_code: str | None  # the unit's catchment area
    of_unit: bool  # the target groups are the unit's: reason "target_of_unit"
    approximate: bool  # the unit's location is approximate
    waiting: float | None


def _static(snapshot: RegistrySnapshot, index: FinderIndex, i: int) -> _Static:
    memo: dict[int, _Static] = snapshot.derived("finder.result_static", _new_memo)
    found = memo.get(i)
    if found is None:
        if len(memo) >= _STATIC_MAX:
            memo.clear()
        found = memo[i] = _build_static(snapshot, index, i)
    return found


def _new_memo(_: RegistrySnapshot) -> dict[int, _Static]:
    return {}


def _build_static(snapshot: RegistrySnapshot, index: FinderIndex, i: int) -> _Static:
    offer, unit = index.offers[i], index.units[i]
    sig = index.signatures[index.sig_of[i]]
    org = snapshot.organisations.get(unit.organisation_id) if unit else None
    service = load_vocabularies()["service_types"][offer.service_type]
    region_number = int(index.region_number[i])
    groups, of_unit = stated_groups(offer, unit)
    # model_construct: every value below comes from validated registry records or from this module. The
    # profile-dependent fields hold placeholders until a search fills them in (_Results.result).
    template = RankedOffer.model_construct(
        rank=0,
        offer_id=offer.id,
        unit_id=offer.unit_id,
        unit_name=unit.name if unit else offer.unit_id,
        organisation_name=org.name if org else None,
        owner_type=org.owner_type if org else None,
        public=sig.public,
        service_type=offer.service_type,
        service_label_nb=service.label_in("nb"),
        service_label_en=service.label_in("en"),
        level=sig.level,
        town=unit.town if unit else None,
        municipality_code=unit.municipality_code if unit else None,
        catchment_code=unit.catchment_code if unit else None,
        in_home_catchment=False,
        distance_km=None,
        distance_approximate=False,
        travel_cost=None,
        travel_cost_unit="",
        waiting_weeks=offer.waiting_weeks,
        waiting_as_of=offer.waiting_as_of,
        can_start_within_deadline=None,
        intake_status=offer.intake_status,
        phone=unit.phone if unit else None,
        website=unit.website if unit else None,
        her_id=unit.her_id if unit else None,
        referral_note=offer.referral_note,
        target_groups=[],
        target_groups_of_unit=bool(groups) and of_unit,
        legal_basis=[],
        open_24_7=offer.open_24_7,
        region_code=next((c for c, n in index.region_numbers.items() if n == region_number), None),
        group="",
        age_min=offer.age_min,
        age_max=offer.age_max,
        source=offer.provenance.source,
        reasons=[],
        routing=acute_routing(),
    )
    return _Static(
        template=template,
        target_groups=tuple(groups),
        legal_basis=tuple(offer.legal_basis),
        catchment_code=unit.catchment_code if unit else None,
        of_unit=bool(groups) and of_unit,
        approximate=bool(index.approximate[i]),
        waiting=offer.waiting_weeks,
    )


class _Results:
    """Builds one search's results: the per-offer parts from the snapshot's memo (:func:`_static`), the
    profile-dependent parts here, shared by every result of the search that has the same value."""

    def __init__(
        self,
        snapshot: RegistrySnapshot,
        index: FinderIndex,
        ctx: Context,
        home: HomeArea,
        deadline: GuidelineDeadline,
        cost: Cost,
    ) -> None:
        self.snapshot, self.index, self.ctx, self.home, self.cost = snapshot, index, ctx, home, cost
        self.weeks = deadline.weeks
        self.great_circle = isinstance(cost, GreatCircle)
        if home.catchment_code is None:
            self.catchment_reasons = (reason("catchment_unknown"), reason("catchment_unknown"))
        else:
            self.catchment_reasons = (
                reason("other_catchment"),
                reason("own_catchment", catchment=home.catchment_name),
            )
        self.approximate_reason = reason(
            "distance_approximate",
            why={
                "nb": "bydelen har ikke eget punkt"
                if home.point_approximate
                else "enheten er plassert i kommunepunktet",
                "en": "the city district has no point of its own"
                if home.point_approximate
                else "the unit is placed at its municipality's point",
            },
        )
        self.acute_types = acute_rules().service_types if ctx.profile.acute_crisis else frozenset()
        self.memo: dict[int, _Static] = snapshot.derived("finder.result_static", _new_memo)
        self.deadline_reasons: dict[float | None, tuple[Reason, bool | None]] = {}
        self.of_unit_reason = reason("target_of_unit")
        self.distance_unknown = reason("distance_unknown")
        self.router = Router(snapshot, index, home_catchment=home.catchment_code, age=ctx.profile.age)
        self.routes: dict[tuple[object, ...], Routing] = {}
        self.distance_reasons: dict[float, Reason] = {}

    def _route(self, i: int) -> Routing:
        offer, unit = self.index.offers[i], self.index.units[i]
        if offer.service_type in self.acute_types:
            # The acute path: an acute unit is contacted directly, never through an assessment team.
            return acute_routing()
        # Everything Router.route reads of the offer and its unit: offers alike in these share one routing.
        key = (
            offer.assessment_team_id,
            offer.service_type,
            None if unit is None else (unit.catchment_code, unit.organisation_id, unit.municipality_code),
        )
        found = self.routes.get(key)
        if found is None:
            found = self.routes[key] = self.router.route(offer, unit)
        return found

    def result(
        self, i: int, rank: int, verdict: Verdict, group: str, km: float, travel: float
    ) -> RankedOffer:
        static = self.memo.get(i) or _static(self.snapshot, self.index, i)
        home = self.home
        distance = None if math.isnan(km) else round(km, 1)
        cost_value = None if math.isnan(travel) else round(travel, 1)
        approximate = static.approximate or home.point_approximate
        in_home = static.catchment_code is not None and static.catchment_code == home.catchment_code
        fit = self.deadline_reasons.get(static.waiting)
        if fit is None:
            fit = self.deadline_reasons[static.waiting] = _deadline_reason(static.waiting, self.weeks)
        wait_reason, within = fit
        reasons = [verdict.notes[0], wait_reason, self.catchment_reasons[in_home], verdict.notes[1]]
        if static.of_unit:
            # The target groups are the unit's, not this offer's: say so ("oppgitt for enheten").
            reasons.append(self.of_unit_reason)
        if distance is None:
            reasons.append(self.distance_unknown)
        elif self.great_circle:
            said = self.distance_reasons.get(distance)
            if said is None:
                said = self.distance_reasons[distance] = reason("distance", km=distance)
            reasons.append(said)
        else:
            reasons.append(reason("travel_cost", cost=cost_value, unit=self.cost.unit))
        if distance is not None and approximate:
            reasons.append(self.approximate_reason)
        reasons += verdict.notes[2:]
        # Every field of the template, the profile's ones replaced: model_copy's result, made without copy.copy.
        return constructed(
            RankedOffer,
            static.template.__dict__
            | {
                "rank": rank,
                "in_home_catchment": in_home,
                "distance_km": distance,
                "distance_approximate": approximate and distance is not None,
                "travel_cost": cost_value,
                "travel_cost_unit": self.cost.unit,
                "can_start_within_deadline": within,
                "target_groups": list(static.target_groups),
                "legal_basis": list(static.legal_basis),
                "group": group,
                "reasons": reasons,
                "routing": self._route(i),
            },
            static.template.model_fields_set,
        )
