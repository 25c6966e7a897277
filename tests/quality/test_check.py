"""The data-quality report: each category finds exactly the records built to be in it."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tsbkart.domain.entities import AssessmentTeam, Organisation, Provenance, ServiceOffer, Unit
from tsbkart.quality.check import Rule, Rules, check, load_rules, parse_rules, render_text
from tsbkart.quality.freshness import Cycle, FreshnessRules
from tsbkart.registry.snapshot import Geography, RegistrySnapshot
from tsbkart.yaml_schema import DataFileError

TODAY = date(2026, 11, 22)
FRESH = Provenance("synthetic", verified=date(2026, 6, 1))
OLD = Provenance("synthetic", verified=date(2025, 11, 1))


def _snapshot(bundled_snapshot: RegistrySnapshot) -> RegistrySnapshot:
    geography: Geography = bundled_snapshot.geography
    return RegistrySnapshot.build(
        geography,
        organisations=[Organisation("org", "Org", "hf", FRESH, orgnr="983974724")],
        teams=[
            AssessmentTeam("team", "Team", FRESH, phone="22 00 00 00"),
            AssessmentTeam("silent", "Silent team", FRESH),
        ],
        units=[
            Unit(
                "good",
                "Good",
                "org",
                FRESH,
                catchment_code="ous",
                municipality_code="0301",
                lat=59.9,
                lon=10.7,
                location_precision="address",
                phone="1",
            ),
            Unit("nowhere", "Nowhere", "org", OLD, phone="1", field_provenance={"beds": OLD}),
            Unit(
                "approx",
                "Approx",
                "org",
                FRESH,
                catchment_code="ous",
                municipality_code="0301",
                lat=59.9,
                lon=10.7,
                location_precision="municipality",
                website="https://example.org",
            ),
            Unit(
                "gone",
                "Gone",
                "org",
                FRESH,
                catchment_code="ous",
                municipality_code="9999",
                lat=1.0,
                lon=1.0,
                location_precision="exact",
                phone="1",
            ),
        ],
        offers=[
            ServiceOffer(
                "good/akutt",
                "good",
                "akutt",
                FRESH,
                target_groups=("adults",),
                intake_status="open",
                assessment_team_id="team",
            ),
            ServiceOffer("approx/dag", "approx", "dag", FRESH, assessment_team_id="ghost"),
        ],
    )


def _found(report_category: str, bundled_snapshot: RegistrySnapshot) -> set[tuple[str, str, str | None]]:
    report = check(_snapshot(bundled_snapshot), TODAY)
    category = next(c for c in report.categories if c.code == report_category)
    assert category.count == len(category.findings)
    return {(f.kind, f.id, f.field) for f in category.findings}


def test_missing_fields(bundled_snapshot: RegistrySnapshot) -> None:
    assert _found("missing", bundled_snapshot) == {
        ("unit", "nowhere", "lat"),
        ("unit", "nowhere", "municipality_code"),
        ("offer", "approx/dag", "intake_status"),
        ("offer", "approx/dag", "target_groups"),
        ("team", "silent", "phone/address/her_id"),
    }


def test_facts_not_verified_within_their_cycle_record_and_field_level(
    bundled_snapshot: RegistrySnapshot,
) -> None:
    # good/akutt's intake status inherits the offer's verified date (almost 6 months ago): its cycle is 3.
    assert _found("stale", bundled_snapshot) == {
        ("unit", "nowhere", None),
        ("unit", "nowhere", "beds"),
        ("offer", "good/akutt", "intake_status"),
    }


def test_stale_follows_the_freshness_rules_and_its_title_says_so(bundled_snapshot: RegistrySnapshot) -> None:
    report = check(_snapshot(bundled_snapshot), TODAY)
    title = next(c for c in report.categories if c.code == "stale").title
    assert title["nb"] == (
        "Fakta ikke bekreftet innen 12 måneder (waiting_weeks, waiting_as_of, intake_status: 3)"
    )
    assert title["en"].startswith("Facts not verified within 12 months")
    # 12 calendar months, as on the unit page (a year of 365 days was one day short across a leap day).
    leap = RegistrySnapshot.build(
        bundled_snapshot.geography,
        organisations=[Organisation("o", "O", "hf", Provenance("s", verified=date(2027, 11, 22)))],
    )
    assert not next(c for c in check(leap, date(2028, 11, 22)).categories if c.code == "stale").findings


def test_approximate_locations(bundled_snapshot: RegistrySnapshot) -> None:
    assert _found("approximate", bundled_snapshot) == {("unit", "approx", "location_precision")}


def test_units_outside_any_catchment(bundled_snapshot: RegistrySnapshot) -> None:
    assert _found("outside_catchment", bundled_snapshot) == {
        ("unit", "nowhere", "catchment_code"),
        ("unit", "gone", "municipality_code"),
    }


def test_offers_without_an_assessment_route(bundled_snapshot: RegistrySnapshot) -> None:
    assert _found("no_assessment_route", bundled_snapshot) == {("offer", "approx/dag", "assessment_team_id")}


def test_never_verified_is_stale_and_the_threshold_is_data(bundled_snapshot: RegistrySnapshot) -> None:
    snapshot = RegistrySnapshot.build(
        bundled_snapshot.geography, organisations=[Organisation("o", "O", "hf", Provenance("s"))]
    )
    strict = Rules(
        required_for_use=(Rule("organisation", ("website",), {"nb": "x", "en": "x"}, "y"),),
        freshness=FreshnessRules(default=Cycle(stale_after_months=1)),
    )
    report = check(snapshot, TODAY, strict)
    by_code = {c.code: c for c in report.categories}
    assert by_code["stale"].findings[0].detail == "last verified: never"
    assert by_code["missing"].findings[0].field == "website"
    assert load_rules().freshness.default.stale_after_months == 12


def test_report_as_json_and_text(bundled_snapshot: RegistrySnapshot) -> None:
    report = check(_snapshot(bundled_snapshot), TODAY)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["totals"] == {"organisation": 1, "team": 2, "unit": 4, "offer": 2}
    assert [c["count"] for c in data["categories"]] == [5, 3, 1, 2, 1]
    text = render_text(report, limit=1)
    assert "Approximate location: 1" in text and "... and 4 more" in text
    assert "Omtrentlig posisjon: 1" in render_text(report, "nb")


def test_malformed_rules_name_the_entry() -> None:
    with pytest.raises(DataFileError, match=r"rules.yaml: required_for_use\[0\].any_of"):
        parse_rules(
            {"version": 1, "required_for_use": [{"kind": "unit", "any_of": [], "label": {}, "why": ""}]}
        )
    with pytest.raises(DataFileError, match="stale_after_days: Extra inputs"):
        parse_rules({"version": 1, "required_for_use": [], "stale_after_days": 365})
