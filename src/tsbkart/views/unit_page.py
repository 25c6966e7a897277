"""Everything the registry knows about one unit, as plain data for the unit page (HTML or JSON).

Shape, by example::

    page = build_unit_page(snapshot, "unn-avrusning-tromso", today=date(2026, 11, 22))
    page.facts[0]        # Fact(field="town", value="Tromsø", provenance=Provenance(...), field_level=False)
    page.freshness       # FreshnessBadge(status="ok", verified=date(2026, 11, 22), age_days=0)
    page.offers[0].offer # ServiceOffer(...); .facts as above, .assessment_teams: tuple[ReferralRoute, ...]
    page.referral_routes # (ReferralRoute(team=AssessmentTeam(...), basis="home_all_tsb"), ...): the finder's
                         # routing (tsbkart.finder.routing) for a patient from the unit's catchment area

Labels are not resolved here: codes stay codes and the web layer looks them up in the vocabularies, so the
same data serves both languages.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
from tsbkart.domain.schema import schema_of
from tsbkart.finder.index import finder_index
from tsbkart.finder.routing import route
from tsbkart.quality.freshness import FreshnessBadge, add_months, freshness_of, load_freshness
from tsbkart.query.target_groups import stated_groups
from tsbkart.registry.snapshot import RegistrySnapshot

__all__ = ["FreshnessBadge", "UnitPage", "add_months", "build_unit_page", "freshness_of"]

# The oldest age the routing is asked about when an offer states no upper age.
MAX_AGE = 120


@dataclass(frozen=True, slots=True)
class Fact:
    """One field's value with where it comes from; ``field_level`` when the field overrides the record."""

    field: str
    value: object
    provenance: Provenance
    field_level: bool
    label: str = ""  # English message id of the field's name (the web layer translates it)
    vocabulary: str | None = None  # where the value's codes are labelled
    type: str = "text"  # the field's value type (tsbkart.domain.schema), e.g. "date"
    link: bool = False  # the value is a web address
    # "unit" when the value is what a source states for the whole unit, shown on an offer that states none
    level: str | None = None


@dataclass(frozen=True, slots=True)
class ReferralRoute:
    """An assessment team that receives referrals, and how we know: the finder's routing basis."""

    team: AssessmentTeam
    basis: (
        str  # a routing_basis code: "stated_on_offer", "home_all_tsb", "home_lar_team", "own_unit_team", ...
    )

    @property
    def inferred(self) -> bool:
        """True unless the offer itself names the team."""
        return self.basis != "stated_on_offer"


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


def facts_of(record: Unit | ServiceOffer | Organisation) -> tuple[Fact, ...]:
    """The fields the schema shows on the page (``fact(shown=True)``), in declaration order, each with its
    provenance: the field-level override when present, else the record's. A value of None is shown as unknown,
    never left out."""
    out = []
    for spec in schema_of(type(record)).shown():
        override = record.field_provenance.get(spec.name)
        value = getattr(record, spec.name)
        provenance = override or record.provenance
        out.append(
            Fact(
                spec.name,
                value,
                provenance,
                override is not None,
                spec.label,
                spec.vocabulary,
                spec.type,
                spec.link,
            )
        )
    return tuple(out)


def with_unit_groups(facts: tuple[Fact, ...], offer: ServiceOffer, unit: Unit) -> tuple[Fact, ...]:
    """An offer stating no target groups shows its unit's, with their source and "stated for the unit": that is
    what ``tsbkart.query.target_groups.fit`` reads too. Nothing is copied into the offer."""
    groups, of_unit = stated_groups(offer, unit)
    if not (of_unit and groups):
        return facts
    provenance = unit.field_provenance.get("target_groups")
    return tuple(
        replace(
            f,
            value=groups,
            provenance=provenance or unit.provenance,
            field_level=provenance is not None,
            level="unit",
        )
        if f.field == "target_groups"
        else f
        for f in facts
    )


def _routing_ages(snapshot: RegistrySnapshot, unit: Unit, offer: ServiceOffer | None) -> list[int]:
    """Ages at which the finder's routing can change for this offer: its lowest age and every team age-band
    edge inside its age range (routing is the same for every age between two of them)."""
    low = offer.age_min if offer is not None and offer.age_min is not None else 0
    high = offer.age_max if offer is not None and offer.age_max is not None else MAX_AGE
    edges = {low}
    for team in snapshot.teams.values():
        if team.catchment_code == unit.catchment_code:
            edges |= {a for a in (team.age_min, None if team.age_max is None else team.age_max + 1) if a}
    return sorted(a for a in edges if low <= a <= high)


def routes_of(
    snapshot: RegistrySnapshot, unit: Unit, offer: ServiceOffer | None
) -> tuple[ReferralRoute, ...]:
    """The teams the finder names for ``offer`` (or the unit in general) for a patient living in the unit's
    catchment area, over every age the offer takes; unknown routes are left out (shown as unknown)."""
    index = finder_index(snapshot)
    routes: dict[str, ReferralRoute] = {}
    for age in _routing_ages(snapshot, unit, offer):
        found = route(snapshot, index, home_catchment=unit.catchment_code, age=age, offer=offer, unit=unit)
        if found.known and found.team_id is not None and found.team_id in snapshot.teams:
            routes.setdefault(found.team_id, ReferralRoute(snapshot.teams[found.team_id], found.basis))
    return tuple(sorted(routes.values(), key=lambda r: (r.inferred, r.team.name)))


def build_unit_page(snapshot: RegistrySnapshot, unit_id: str, today: date) -> UnitPage | None:
    """The unit page's data, or None when ``unit_id`` is not in the registry."""
    unit = snapshot.units.get(unit_id)
    if unit is None:
        return None
    rules = load_freshness()
    offers = tuple(
        OfferView(
            offer=o,
            facts=with_unit_groups(facts_of(o), o, unit),
            freshness=freshness_of(o.provenance.verified, today, rules.cycle("offer")),
            assessment_teams=routes_of(snapshot, unit, o),
        )
        for o in snapshot.offers_of(unit.id)
    )
    routes: dict[str, ReferralRoute] = {}
    for view in sorted(offers, key=lambda v: all(r.inferred for r in v.assessment_teams)):
        for stated in view.assessment_teams:
            routes.setdefault(stated.team.id, stated)
    if not offers:
        routes = {r.team.id: r for r in routes_of(snapshot, unit, None)}
    geography = snapshot.geography
    organisation = snapshot.organisations.get(unit.organisation_id)
    return UnitPage(
        unit=unit,
        organisation=organisation,
        organisation_facts=facts_of(organisation) if organisation else (),
        catchment=geography.catchments.get(unit.catchment_code or ""),
        region=geography.regions.get(unit.region_code or ""),
        municipality=geography.area_units.get(unit.municipality_code or ""),
        facts=facts_of(unit),
        freshness=freshness_of(unit.provenance.verified, today, rules.cycle("unit")),
        offers=offers,
        referral_routes=tuple(routes.values()),
    )
