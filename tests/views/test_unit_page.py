"""Unit page data: provenance per fact, freshness badges, offers and referral routes."""

from __future__ import annotations

from datetime import date, timedelta
from types import MappingProxyType

from hypothesis import given
from hypothesis import strategies as st

from tsbkart.domain.entities import AssessmentTeam, Organisation, Provenance, ServiceOffer, Unit
from tsbkart.reference.geography import load_geography
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.views.unit_page import add_months, build_unit_page, freshness_of

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
    assert [(r.team.id, r.inferred, r.basis) for r in stated] == [("stated", False, "offer")]
    inferred = by_type["poliklinikk"].assessment_teams
    assert [(r.team.id, r.inferred, r.basis) for r in inferred] == [("all", True, "catchment")]
    assert [r.team.id for r in page.referral_routes] == ["stated", "all"]


def test_unit_without_offers_still_shows_catchment_teams() -> None:
    page = build_unit_page(_snapshot([], [_team("all", "unn", "all_tsb")]), "u1", TODAY)
    assert page is not None and [r.team.id for r in page.referral_routes] == ["all"]


def test_freshness_thresholds() -> None:
    assert freshness_of(date(2026, 5, 22), TODAY).status == "ok"  # exactly 6 months
    assert freshness_of(date(2026, 5, 21), TODAY).status == "amber"
    assert freshness_of(date(2025, 11, 22), TODAY).status == "amber"  # exactly 12 months
    assert freshness_of(date(2025, 11, 21), TODAY).status == "red"
    unknown = freshness_of(None, TODAY)
    assert unknown.status == "unknown" and unknown.age_days is None
    assert freshness_of(TODAY - timedelta(days=3), TODAY).age_days == 3


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 15), 12) == date(2027, 1, 15)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 240))
def test_add_months_moves_forward_by_whole_months(day: date, months: int) -> None:
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    assert result >= day


@given(st.dates(min_value=date(2000, 1, 1), max_value=TODAY))
def test_freshness_is_monotonic_in_age(verified: date) -> None:
    order = {"ok": 0, "amber": 1, "red": 2}
    older = verified - timedelta(days=1)
    assert order[freshness_of(older, TODAY).status] >= order[freshness_of(verified, TODAY).status]


def test_organisation_facts_with_provenance() -> None:
    page = build_unit_page(_snapshot([], []), "u1", TODAY)
    assert page is not None
    facts = {f.field: f for f in page.organisation_facts}
    assert facts["owner_type"].value == "hf" and facts["orgnr"].value is None
    assert facts["orgnr"].provenance == RECORD
