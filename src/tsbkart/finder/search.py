"""The finder's entry point: ``find(snapshot, profile, today=...)`` -> :class:`FinderResult` (plain data).

The profile is used for the call and dropped: nothing here stores or logs it.

Shape::

    FinderResult(deadline=GuidelineDeadline(weeks=4, latest_start=..., ...),
                 home=HomeArea(code="5601", name="Alta", catchment_code="finnmark", ...),
                 routing=Routing(...),                # the team for the patient in general
                 results=[RankedOffer(rank=1, offer_id="...", reasons=[Reason(...)...], routing=...)],
                 total_eligible=12, excluded=[ExcludedOffer(...)] or None, synthetic=False)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
from pydantic import BaseModel

from tsbkart.analysis.costs import CostProvider, GreatCircle, Points, great_circle_km
from tsbkart.domain.errors import UserError
from tsbkart.finder.deadlines import GuidelineDeadline, guideline_deadline
from tsbkart.finder.eligibility import Context, Verdict, context, eligibility_arrays, judge
from tsbkart.finder.index import FinderIndex, finder_index
from tsbkart.finder.profile import NeedProfile
from tsbkart.finder.ranking import deadline_fit, order
from tsbkart.finder.reasons import Reason, reason
from tsbkart.finder.routing import Routing, route
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
    target_groups: list[str]
    legal_basis: list[str]
    age_min: int | None
    age_max: int | None
    source: str
    reasons: list[Reason]
    routing: Routing


class ExcludedOffer(BaseModel):
    offer_id: str
    unit_name: str
    service_type: str
    reasons: list[Reason]


class FinderResult(BaseModel):
    deadline: GuidelineDeadline
    home: HomeArea
    routing: Routing
    results: list[RankedOffer]
    total_eligible: int
    total_offers: int
    excluded: list[ExcludedOffer] | None = None
    snapshot_revision: int
    synthetic: bool = False


def _home(snapshot: RegistrySnapshot, code: str) -> tuple[HomeArea, float | None, float | None]:
    geo = snapshot.geography
    area = geo.area_units.get(code)
    if area is None:
        raise FinderInputError(
            f"home_area: {code!r} is not a known municipality or Oslo city district", "home_area", (code,)
        )
    lat, lon, approximate = area.lat, area.lon, False
    if (lat is None or lon is None) and area.parent_code is not None and area.parent_code in geo.area_units:
        parent = geo.area_units[area.parent_code]
        lat, lon, approximate = parent.lat, parent.lon, True
    catchment = geo.catchment_of(code)
    home = HomeArea(
        code=area.code,
        name=area.name,
        kind=area.kind,
        catchment_code=catchment.code if catchment else None,
        catchment_name=catchment.name if catchment else None,
        region_code=catchment.region_code if catchment else None,
        point_approximate=approximate,
        has_point=lat is not None and lon is not None,
    )
    return home, lat, lon


def _travel(
    index: FinderIndex, lat: float | None, lon: float | None, cost: Cost
) -> tuple[np.ndarray, np.ndarray]:
    """Great-circle km (for display and the distance preference) and the provider's cost, nan = unknown."""
    n = len(index.offers)
    km = np.full(n, np.nan)
    travel = np.full(n, np.nan)
    if lat is None or lon is None:
        return km, travel
    known = index.place_of >= 0
    # One distance per distinct place (many offers share a unit, many units a municipality point).
    place_km = great_circle_km(lat, lon, index.place_lat, index.place_lon)
    km[known] = place_km[index.place_of[known]]
    if isinstance(cost, GreatCircle):
        travel[:] = km
    elif len(index.place_lat):
        matrix = cost.matrix(
            Points(np.array([lat]), np.array([lon])), Points(index.place_lat, index.place_lon)
        )
        row = matrix.toarray()[0] if hasattr(matrix, "toarray") else np.asarray(matrix)[0]
        travel[known] = np.where(np.isfinite(row), row, np.nan)[index.place_of[known]]
    return km, travel


def find(
    snapshot: RegistrySnapshot,
    profile: NeedProfile,
    *,
    today: date,
    cost: Cost | None = None,
    limit: int = 50,
    explain: bool = False,
    synthetic: bool = False,
) -> FinderResult:
    """Eligible offers for ``profile`` ranked as in :mod:`tsbkart.finder.ranking`, with the guideline deadline
    (referral received ``today``) and routing; ``explain=True`` adds every excluded offer with its reasons."""
    provider: Cost = cost if cost is not None else GreatCircle()
    limit = max(1, min(limit, MAX_LIMIT))
    index = finder_index(snapshot)
    home, lat, lon = _home(snapshot, profile.home_area)
    ctx = context(profile)
    deadline = guideline_deadline(profile, today)
    sig_ok, tier, target = eligibility_arrays(index, ctx)
    km, travel = _travel(index, lat, lon, provider)
    max_km = profile.preferences.max_distance_km
    # Unknown distance is kept under a distance limit (unknown is not "too far"); the reason says so.
    too_far = (~np.isnan(km)) & (km > max_km) if max_km is not None else np.zeros(len(km), dtype=np.bool_)
    chosen = np.flatnonzero(sig_ok & ~too_far)
    home_catchment = home.catchment_code
    home_number = index.catchment_numbers.get(home_catchment or "", -2)
    ranked = chosen[
        order(
            tier=tier[chosen],
            level=index.level[chosen],
            fit=deadline_fit(index.waiting[chosen], deadline.weeks),
            catchment=(index.catchment_number[chosen] != home_number).astype(np.int64),
            target=target[chosen],
            travel=travel[chosen],
            waiting=index.waiting[chosen],
            position=chosen.astype(np.int64),
        )
    ]
    verdicts: dict[int, Verdict] = {}

    def verdict(i: int) -> Verdict:
        number = int(index.sig_of[i])
        if number not in verdicts:
            verdicts[number] = judge(index.signatures[number], ctx)
        return verdicts[number]

    results = [
        _ranked(snapshot, index, int(i), rank, verdict(int(i)), ctx, home, deadline, km, travel, provider)
        for rank, i in enumerate(ranked[:limit], start=1)
    ]
    return FinderResult(
        deadline=deadline,
        home=home,
        routing=route(
            snapshot, index, home_catchment=home_catchment, age=profile.age, lar=profile.lar != "none"
        ),
        results=results,
        total_eligible=len(chosen),
        total_offers=len(index.offers),
        excluded=_excluded(index, verdict, too_far, km, max_km) if explain else None,
        snapshot_revision=snapshot.revision,
        synthetic=synthetic,
    )


def _excluded(
    index: FinderIndex,
    verdict: Callable[[int], Verdict],
    too_far: np.ndarray,
    km: np.ndarray,
    max_km: float | None,
) -> list[ExcludedOffer]:
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


def _ranked(
    snapshot: RegistrySnapshot,
    index: FinderIndex,
    i: int,
    rank: int,
    verdict: Verdict,
    ctx: Context,
    home: HomeArea,
    deadline: GuidelineDeadline,
    km: np.ndarray,
    travel: np.ndarray,
    cost: Cost,
) -> RankedOffer:
    offer, unit = index.offers[i], index.units[i]
    sig = index.signatures[index.sig_of[i]]
    org = snapshot.organisations.get(unit.organisation_id) if unit else None
    service = load_vocabularies()["service_types"][offer.service_type]
    distance = None if np.isnan(km[i]) else round(float(km[i]), 1)
    cost_value = None if np.isnan(travel[i]) else round(float(travel[i]), 1)
    approximate = bool(index.approximate[i]) or home.point_approximate
    in_home = (
        unit is not None and unit.catchment_code is not None and unit.catchment_code == home.catchment_code
    )
    wait_reason, within = _deadline_reason(offer.waiting_weeks, deadline.weeks)
    reasons = [verdict.notes[0], wait_reason]
    if home.catchment_code is None:
        reasons.append(reason("catchment_unknown"))
    elif in_home:
        reasons.append(reason("own_catchment", catchment=home.catchment_name))
    else:
        reasons.append(reason("other_catchment"))
    reasons.append(verdict.notes[1])
    if distance is None:
        reasons.append(reason("distance_unknown"))
    elif isinstance(cost, GreatCircle):
        reasons.append(reason("distance", km=distance))
    else:
        reasons.append(reason("travel_cost", cost=cost_value, unit=cost.unit))
    if distance is not None and approximate:
        why = {
            "nb": "bydelen har ikke eget punkt"
            if home.point_approximate
            else "enheten er plassert i kommunepunktet",
            "en": "the city district has no point of its own"
            if home.point_approximate
            else "the unit is placed at its municipality's point",
        }
        reasons.append(reason("distance_approximate", why=why))
    reasons += verdict.notes[2:]
    # model_construct: every value below comes from validated registry records or from this module.
    return RankedOffer.model_construct(
        rank=rank,
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
        in_home_catchment=in_home,
        distance_km=distance,
        distance_approximate=approximate and distance is not None,
        travel_cost=cost_value,
        travel_cost_unit=cost.unit,
        waiting_weeks=offer.waiting_weeks,
        waiting_as_of=offer.waiting_as_of,
        can_start_within_deadline=within,
        intake_status=offer.intake_status,
        phone=unit.phone if unit else None,
        website=unit.website if unit else None,
        her_id=unit.her_id if unit else None,
        referral_note=offer.referral_note,
        target_groups=list(offer.target_groups),
        legal_basis=list(offer.legal_basis),
        age_min=offer.age_min,
        age_max=offer.age_max,
        source=offer.provenance.source,
        reasons=reasons,
        routing=route(
            snapshot, index, home_catchment=home.catchment_code, age=ctx.profile.age, offer=offer, unit=unit
        ),
    )
