"""Which assessment team (vurderingsteam) receives the referral for this patient and this service.

Order of preference (first that applies wins):

1. the team the offer itself names (``assessment_team_id``);
2. a team in the patient's catchment area whose scope covers the service and the patient's age
   (``lar_only`` for LAR services, then ``all_tsb`` with a fitting age band);
3. a team in the service's own catchment area with such a scope (the service's trust assesses);
4. an ``own_unit`` team of the service's organisation in the service's municipality, when the organisation
   has only that one unit there (teams do not say which unit they belong to, so we do not guess among several);
5. a team in the patient's catchment area whose scope is not known (said so);
6. no team known: unknown stays unknown (and we say when the area's team exists but serves another age band).

Shape::

    Routing(known=True, basis="home_all_tsb", team_id="vurderingsinstans-for-tsb-unn", name="...",
            phone=None, her_id=None, nb="...", en="...")
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import cast

from pydantic import BaseModel

from tsbkart.domain.entities import AssessmentTeam, ServiceOffer, Unit
from tsbkart.finder.index import FinderIndex
from tsbkart.finder.rules import level_rules
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab import load_vocabularies


@cache
def lar_types() -> frozenset[str]:
    """Service types that the LAR team assesses: the ``lar`` need's service types in ``rules/levels.yaml``."""
    return frozenset(level_rules().needs["lar"].service_types)


@cache
def basis_text(basis: str) -> tuple[str, str]:
    """(bokmål, English) text of a routing basis, from the ``routing_basis`` vocabulary."""
    term = load_vocabularies()["routing_basis"][basis]
    return term.label_in("nb"), term.label_in("en")


class Routing(BaseModel):
    known: bool
    basis: str
    nb: str
    en: str
    team_id: str | None = None
    name: str | None = None
    town: str | None = None
    phone: str | None = None
    address: str | None = None
    her_id: str | None = None
    scope: str | None = None
    scope_note: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    source: str | None = None


# Built routings by (basis, team object, known): a search routes up to 75 results through a handful of teams.
# Keyed by the team object's identity and holding the object, so a team of a newer snapshot is a new key.
_BUILT: dict[tuple[str, int, bool], tuple[AssessmentTeam | None, Routing]] = {}
_BUILT_MAX = 4096


def _routing(basis: str, team: AssessmentTeam | None, *, known: bool = True) -> Routing:
    key = (basis, id(team), known)
    found = _BUILT.get(key)
    if found is not None and found[0] is team:
        return found[1]
    if len(_BUILT) >= _BUILT_MAX:
        _BUILT.clear()
    routing = _build_routing(basis, team, known=known)
    _BUILT[key] = (team, routing)
    return routing


def _build_routing(basis: str, team: AssessmentTeam | None, *, known: bool) -> Routing:
    nb, en = basis_text(basis)
    if team is not None:
        nb, en = nb.format(name=team.name), en.format(name=team.name)
    if team is None or not known:
        return Routing.model_construct(known=False, basis=basis, nb=nb, en=en)
    # model_construct: every value comes from a validated registry record.
    return Routing.model_construct(
        known=True,
        basis=basis,
        nb=nb,
        en=en,
        team_id=team.id,
        name=team.name,
        town=team.town,
        phone=team.phone,
        address=team.address,
        her_id=team.her_id,
        scope=team.scope,
        scope_note=team.scope_note,
        age_min=team.age_min,
        age_max=team.age_max,
        source=team.provenance.source,
    )


def acute_routing() -> Routing:
    """The acute path: emergency help, no referral to an assessment team (rules/acute.yaml)."""
    return _routing("acute_direct", None)


def age_fits(team: AssessmentTeam, age: int) -> bool:
    return (team.age_min is None or age >= team.age_min) and (team.age_max is None or age <= team.age_max)


def _first(teams: Iterable[AssessmentTeam], scope: str, age: int) -> AssessmentTeam | None:
    # Teams come sorted by id from the index, so the first match is deterministic.
    return next((t for t in teams if t.scope == scope and age_fits(t, age)), None)


def _covering(
    teams: Iterable[AssessmentTeam], service_type: str | None, age: int
) -> tuple[str, AssessmentTeam] | None:
    teams = tuple(teams)
    if service_type is None or service_type in lar_types():
        lar = _first(teams, "lar_only", age)
        if lar is not None and service_type is not None:
            return "lar", lar
    team = _first(teams, "all_tsb", age)
    return ("all_tsb", team) if team is not None else None


def route(
    snapshot: RegistrySnapshot,
    index: FinderIndex,
    *,
    home_catchment: str | None,
    age: int,
    offer: ServiceOffer | None = None,
    unit: Unit | None = None,
    lar: bool = False,
) -> Routing:
    """The team for ``offer`` (or, without one, for the patient in general; ``lar`` asks for the LAR team)."""
    return Router(snapshot, index, home_catchment=home_catchment, age=age).route(offer, unit, lar=lar)


_UNSEEN = object()


class Router:
    """:func:`route` for one patient (home catchment area and age) and many offers: what does not depend on
    the offer (the home area's teams, the fallback) or depends only on its service type (the home team that
    covers it) is worked out once. Holds nothing past the search that made it."""

    def __init__(
        self, snapshot: RegistrySnapshot, index: FinderIndex, *, home_catchment: str | None, age: int
    ) -> None:
        self.snapshot, self.index, self.home_catchment, self.age = snapshot, index, home_catchment, age
        self.home = index.teams_by_catchment.get(home_catchment or "", ())
        self._home_routes: dict[str | None, Routing | None] = {}
        self._area_routes: dict[tuple[str, str | None], Routing | None] = {}
        self._fallback: Routing | None = None

    def route(self, offer: ServiceOffer | None, unit: Unit | None = None, *, lar: bool = False) -> Routing:
        # Reads the offer's team and service type and the unit's catchment, organisation and municipality only
        # (search._Results._route shares one routing among offers alike in those).
        if (
            offer is not None
            and offer.assessment_team_id is not None
            and offer.assessment_team_id in self.snapshot.teams
        ):
            return _routing("stated_on_offer", self.snapshot.teams[offer.assessment_team_id])
        service_type = offer.service_type if offer is not None else ("lar" if lar else None)
        found = self._home_route(service_type)
        if found is not None:
            return found
        if unit is not None and unit.catchment_code:
            if unit.catchment_code != self.home_catchment:
                found = self._area_route(unit.catchment_code, service_type)
                if found is not None:
                    return found
            found = self._own_unit_route(unit)
            if found is not None:
                return found
        if self._fallback is None:
            self._fallback = self._home_fallback()
        return self._fallback

    def _home_route(self, service_type: str | None) -> Routing | None:
        found = self._home_routes.get(service_type, _UNSEEN)
        if found is _UNSEEN:
            covering = _covering(self.home, service_type, self.age)
            found = None
            if covering is not None:
                found = _routing("home_lar_team" if covering[0] == "lar" else "home_all_tsb", covering[1])
            self._home_routes[service_type] = found
        return cast("Routing | None", found)

    def _area_route(self, catchment: str, service_type: str | None) -> Routing | None:
        key = (catchment, service_type)
        found = self._area_routes.get(key, _UNSEEN)
        if found is _UNSEEN:
            covering = _covering(self.index.teams_by_catchment.get(catchment, ()), service_type, self.age)
            found = _routing("service_area_team", covering[1]) if covering is not None else None
            self._area_routes[key] = found
        return cast("Routing | None", found)

    def _own_unit_route(self, unit: Unit) -> Routing | None:
        for team in self.index.teams_by_catchment.get(unit.catchment_code or "", ()):
            same_place = (
                team.municipality_code is not None and team.municipality_code == unit.municipality_code
            )
            alone = self.index.units_at.get((unit.organisation_id, unit.municipality_code), 0) == 1
            mine = team.scope == "own_unit" and team.organisation_id == unit.organisation_id
            if mine and same_place and alone:
                return _routing("own_unit_team", team)
        return None

    def _home_fallback(self) -> Routing:
        unknown = _first(self.home, "unknown", self.age)
        if unknown is not None:
            return _routing("home_scope_unknown", unknown)
        mismatch = next((t for t in self.home if t.scope == "all_tsb"), None)
        if mismatch is not None:
            return _routing("home_age_band_mismatch", mismatch, known=False)
        return _routing("none_known", None)
