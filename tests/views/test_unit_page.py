"""Unit page data: provenance per fact, freshness badges, offers and referral routes."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from tsbkart.domain.entities import AssessmentTeam, Organisation, Provenance, ServiceOffer, Unit
from tsbkart.finder.index import finder_index
from tsbkart.finder.routing import route
from tsbkart.reference.geography import load_geography
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.views.unit_page import build_unit_page

TODAY = date(2026, 11, 22)
RECORD = Provenance("https://example.org/unit", verified=date(2026, 6, 1))
FIELD = Provenance("https://example.org/phone-list", verified=date(2026, 10, 1), note="from the phone list")


def _snapshot(offers: list[ServiceOffer], teams: list[AssessmentTeam]) -> RegistrySnapshot:
    unit = Unit(
        "u1",
        "Unit One",
        "org",
        RECORD,
        catchment_code="unn",
        region_code="helse-nord",
        municipality_code="5501",
        phone="77 00 00 00",
        field_provenance=MappingProxyType({"phone": FIELD}),
    )
    return RegistrySnapshot.build(
        load_geography(),
        organisations=[Organisation("org", "Org HF", "hf", RECORD)],
        units=[unit],
        offers=offers,
        teams=teams,
    )


def _team(tid: str, catchment: str, scope: str) -> AssessmentTeam:
    return AssessmentTeam(tid, f"Team {tid}", RECORD, catchment_code=catchment, scope=scope)


def test_facts_carry_record_or_field_provenance() -> None:
    page = build_unit_page(_snapshot([], []), "u1", TODAY)
    assert page is not None
    facts = {f.field: f for f in page.facts}
    assert facts["phone"].value == "77 00 00 00" and facts["phone"].provenance == FIELD
    assert facts["phone"].field_level
    assert facts["town"].value is None and facts["town"].provenance == RECORD  # unknown is kept, not dropped
    assert not facts["town"].field_level
    assert page.organisation is not None and page.organisation.name == "Org HF"
    assert page.catchment is not None and page.catchment.code == "unn"
    assert page.municipality is not None and page.municipality.name == "Tromsø"


def test_unknown_unit_is_none() -> None:
    assert build_unit_page(_snapshot([], []), "nope", TODAY) is None


def test_referral_routes_stated_on_offer_or_inferred_from_catchment() -> None:
    teams = [
        _team("stated", "finnmark", "own_unit"),
        _team("all", "unn", "all_tsb"),
        _team("own", "unn", "own_unit"),
    ]
    offers = [
        ServiceOffer("u1/dogn_kort", "u1", "dogn_kort", RECORD, assessment_team_id="stated"),
        ServiceOffer("u1/poliklinikk", "u1", "poliklinikk", RECORD),
    ]
    page = build_unit_page(_snapshot(offers, teams), "u1", TODAY)
    assert page is not None
    by_type = {v.offer.service_type: v for v in page.offers}
    stated = by_type["dogn_kort"].assessment_teams
    assert [(r.team.id, r.inferred, r.basis) for r in stated] == [("stated", False, "stated_on_offer")]
    inferred = by_type["poliklinikk"].assessment_teams
    assert [(r.team.id, r.inferred, r.basis) for r in inferred] == [("all", True, "home_all_tsb")]
    assert [r.team.id for r in page.referral_routes] == ["stated", "all"]


def test_unit_without_offers_still_shows_catchment_teams() -> None:
    page = build_unit_page(_snapshot([], [_team("all", "unn", "all_tsb")]), "u1", TODAY)
    assert page is not None and [r.team.id for r in page.referral_routes] == ["all"]


def _banded(tid: str, scope: str, age_min: int | None, age_max: int | None) -> AssessmentTeam:
    return AssessmentTeam(
        tid, f"Team {tid}", RECORD, catchment_code="unn", scope=scope, age_min=age_min, age_max=age_max
    )


def test_unit_page_names_the_team_the_finder_routes_to() -> None:
    """A LAR offer goes to the area's LAR team and an age-banded area to the team of each age band, on the
    unit page as in the finder (before #9 the page listed every all-TSB team of the catchment)."""
    teams = [
        _banded("lar", "lar_only", None, None),
        _banded("young", "all_tsb", None, 29),
        _banded("adult", "all_tsb", 30, None),
    ]
    offers = [
        ServiceOffer("u1/lar", "u1", "lar", RECORD),
        ServiceOffer("u1/dogn_kort", "u1", "dogn_kort", RECORD, age_min=35),
        ServiceOffer("u1/poliklinikk", "u1", "poliklinikk", RECORD),
    ]
    snapshot = _snapshot(offers, teams)
    page = build_unit_page(snapshot, "u1", TODAY)
    assert page is not None
    index = finder_index(snapshot)
    unit = snapshot.units["u1"]
    for view in page.offers:
        ages = range(view.offer.age_min or 0, (view.offer.age_max or 120) + 1)
        routes = [
            route(snapshot, index, home_catchment="unn", age=a, offer=view.offer, unit=unit) for a in ages
        ]
        finder = {r.team_id for r in routes if r.known}
        assert {r.team.id for r in view.assessment_teams} == finder, view.offer.id
    by_type = {v.offer.service_type: v for v in page.offers}
    assert [(r.team.id, r.basis) for r in by_type["lar"].assessment_teams] == [("lar", "home_lar_team")]
    assert [r.team.id for r in by_type["dogn_kort"].assessment_teams] == ["adult"]  # the offer takes 35+
    assert [r.team.id for r in by_type["poliklinikk"].assessment_teams] == ["adult", "young"]


def test_organisation_facts_with_provenance() -> None:
    page = build_unit_page(_snapshot([], []), "u1", TODAY)
    assert page is not None
    facts = {f.field: f for f in page.organisation_facts}
    assert facts["owner_type"].value == "hf" and facts["orgnr"].value is None
    assert facts["orgnr"].provenance == RECORD


def test_an_offer_without_groups_shows_the_units_stated_for_the_unit() -> None:
    groups_source = Provenance("https://example.org/unit-groups", verified=date(2026, 9, 1))
    unit = Unit(
        "u1",
        "Unit One",
        "org",
        RECORD,
        catchment_code="unn",
        target_groups=("young",),
        field_provenance=MappingProxyType({"target_groups": groups_source}),
    )
    own = ServiceOffer("u1/dogn_lang", "u1", "dogn_lang", RECORD, target_groups=("rop",))
    snapshot = RegistrySnapshot.build(
        load_geography(),
        organisations=[Organisation("org", "Org HF", "hf", RECORD)],
        units=[unit],
        offers=[ServiceOffer("u1/poliklinikk", "u1", "poliklinikk", RECORD), own],
        teams=[],
    )
    page = build_unit_page(snapshot, "u1", TODAY)
    assert page is not None
    shown = {v.offer.id: next(f for f in v.facts if f.field == "target_groups") for v in page.offers}
    assert shown["u1/poliklinikk"].value == ("young",) and shown["u1/poliklinikk"].level == "unit"
    assert shown["u1/poliklinikk"].provenance == groups_source
    assert shown["u1/dogn_lang"].value == ("rop",) and shown["u1/dogn_lang"].level is None
    assert snapshot.offers["u1/poliklinikk"].target_groups == ()  # nothing copied
