"""Everything the registry knows about one unit, as plain data for the unit page (HTML or JSON).

Shape, by example::

    page = build_unit_page(snapshot, "unn-avrusning-tromso", today=date(2026, 11, 22))
    page.facts[0]        # Fact(field="town", value="Tromsø", provenance=Provenance(...), field_level=False)
    page.freshness       # FreshnessBadge(status="ok", verified=date(2026, 11, 22), age_days=0)
    page.offers[0].offer # ServiceOffer(...); .facts as above, .assessment_teams: tuple[ReferralRoute, ...]
    page.referral_routes # (ReferralRoute(team=AssessmentTeam(...), inferred=True, basis="catchment"), ...)

Labels are not resolved here: codes stay codes and the web layer looks them up in the vocabularies, so the
same data serves both languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tsbkart.domain.entities import (
    AreaUnit,
    AssessmentTeam,
    CatchmentArea,
    Organisation,
    Provenance,
    Region,
    ServiceOffer,
    Unit,
)
from tsbkart.registry.snapshot import RegistrySnapshot

# Facts shown on the page, in display order; a value of None is shown as unknown, never left out.
UNIT_FIELDS = (
    "street_address",
    "postal_code",
    "town",
    "municipality_code",
    "location_precision",
    "phone",
    "website",
    "beds",
    "her_id",
    "resh_id",
    "description",
    "confidence",
)
OFFER_FIELDS = (
    "target_groups",
    "legal_basis",
    "age_min",
    "age_max",
    "beds",
    "places",
    "waiting_weeks",
    "waiting_as_of",
    "intake_status",
    "open_24_7",
    "languages",
    "referral_note",
    "description",
)
ORGANISATION_FIELDS = ("owner_type", "orgnr", "resh_id", "her_id", "website", "status_note")
# Freshness thresholds: a fact unconfirmed for more than 6 months is amber, more than 12 months red.
AMBER_MONTHS = 6
RED_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Fact:
    """One field's value with where it comes from; ``field_level`` when the field overrides the record."""

    field: str
    value: object
    provenance: Provenance
    field_level: bool


@dataclass(frozen=True, slots=True)
class FreshnessBadge:
    status: str  # "ok" | "amber" | "red" | "unknown" (no verified date)
    verified: date | None
    age_days: int | None


@dataclass(frozen=True, slots=True)
class ReferralRoute:
    """An assessment team that receives referrals, and how we know (stated on the offer or inferred)."""

    team: AssessmentTeam
    inferred: bool
    basis: str  # "offer" (offer.assessment_team_id) | "catchment" (all-TSB teams of the unit's catchment)


@dataclass(frozen=True, slots=True)
class OfferView:
    offer: ServiceOffer
    facts: tuple[Fact, ...]
    freshness: FreshnessBadge
    assessment_teams: tuple[ReferralRoute, ...]


@dataclass(frozen=True, slots=True)
class UnitPage:
    unit: Unit
    organisation: Organisation | None
    catchment: CatchmentArea | None
    region: Region | None
    municipality: AreaUnit | None
    facts: tuple[Fact, ...]
    organisation_facts: tuple[Fact, ...]  # empty when the organisation is not in the registry
    freshness: FreshnessBadge
    offers: tuple[OfferView, ...]
    referral_routes: tuple[ReferralRoute, ...]  # union over the offers, stated routes first


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Aug + 6 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def freshness_of(verified: date | None, today: date) -> FreshnessBadge:
    """ok up to 6 months after ``verified``, amber after 6 months, red after 12 months."""
    if verified is None:
        return FreshnessBadge("unknown", None, None)
    if today > add_months(verified, RED_MONTHS):
        status = "red"
    elif today > add_months(verified, AMBER_MONTHS):
        status = "amber"
    else:
        status = "ok"
    return FreshnessBadge(status, verified, (today - verified).days)


def facts_of(record: Unit | ServiceOffer | Organisation, fields: tuple[str, ...]) -> tuple[Fact, ...]:
    """The record's fields with their provenance: the field-level override when present, else the record's."""
    out = []
    for name in fields:
        override = record.field_provenance.get(name)
        out.append(Fact(name, getattr(record, name), override or record.provenance, override is not None))
    return tuple(out)


def _catchment_teams(snapshot: RegistrySnapshot, unit: Unit) -> tuple[ReferralRoute, ...]:
    teams = sorted(
        (
            t
            for t in snapshot.teams.values()
            if t.catchment_code == unit.catchment_code and t.scope == "all_tsb"
        ),
        key=lambda t: t.name,
    )
    return tuple(ReferralRoute(t, inferred=True, basis="catchment") for t in teams if unit.catchment_code)


def _routes_of(
    snapshot: RegistrySnapshot, offer: ServiceOffer, inferred: tuple[ReferralRoute, ...]
) -> tuple[ReferralRoute, ...]:
    team = snapshot.teams.get(offer.assessment_team_id) if offer.assessment_team_id else None
    if team is not None:
        return (ReferralRoute(team, inferred=False, basis="offer"),)
    return inferred


def build_unit_page(snapshot: RegistrySnapshot, unit_id: str, today: date) -> UnitPage | None:
    """The unit page's data, or None when ``unit_id`` is not in the registry."""
    unit = snapshot.units.get(unit_id)
    if unit is None:
        return None
    inferred = _catchment_teams(snapshot, unit)
    offers = tuple(
        OfferView(
            offer=o,
            facts=facts_of(o, OFFER_FIELDS),
            freshness=freshness_of(o.provenance.verified, today),
            assessment_teams=_routes_of(snapshot, o, inferred),
        )
        for o in snapshot.offers_of(unit.id)
    )
    routes: dict[str, ReferralRoute] = {}
    for view in sorted(offers, key=lambda v: all(r.inferred for r in v.assessment_teams)):
        for route in view.assessment_teams:
            routes.setdefault(route.team.id, route)
    if not offers:
        routes = {r.team.id: r for r in inferred}
    geography = snapshot.geography
    organisation = snapshot.organisations.get(unit.organisation_id)
    return UnitPage(
        unit=unit,
        organisation=organisation,
        organisation_facts=facts_of(organisation, ORGANISATION_FIELDS) if organisation else (),
        catchment=geography.catchments.get(unit.catchment_code or ""),
        region=geography.regions.get(unit.region_code or ""),
        municipality=geography.area_units.get(unit.municipality_code or ""),
        facts=facts_of(unit, UNIT_FIELDS),
        freshness=freshness_of(unit.provenance.verified, today),
        offers=offers,
        referral_routes=tuple(routes.values()),
    )
