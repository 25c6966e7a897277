"""Precise eligibility, ranking, routing and privacy-of-repr cases over small synthetic registries."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from pydantic import ValidationError

from tests.finder.builders import offer, snapshot, team, unit
from tsbkart.analysis.costs import Radians, haversine_km
from tsbkart.finder.index import finder_index
from tsbkart.finder.profile import NeedProfile
from tsbkart.finder.routing import route
from tsbkart.finder.search import FinderInputError, _great_circle_row, find
from tsbkart.registry.snapshot import RegistrySnapshot

TODAY = date(2026, 11, 23)
NORTH = dict(catchment="north", lat=70.0, lon=20.0)


def _find(snap, **profile):  # type: ignore[no-untyped-def]
    return find(snap, NeedProfile(**profile), today=TODAY, explain=True)


def _ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    """Offer ids in ranking order (results are listed by scope group; ``rank`` is the whole ranking)."""
    return [r.offer_id for r in sorted(result.results, key=lambda r: r.rank)]


def _excluded(result, offer_id: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.code for e in result.excluded if e.offer_id == offer_id for r in e.reasons}


def test_age_limits_exclude_and_unknown_does_not() -> None:
    snap = snapshot(
        [unit("a", "hf-north", **NORTH), unit("b", "hf-north", **NORTH), unit("c", "hf-north", **NORTH)],
        [
            offer("a", "poliklinikk", age_min=18),
            offer("b", "poliklinikk", age_max=17),
            offer("c", "poliklinikk"),
        ],
    )
    result = _find(snap, home_area="9001", age=17, substances=["alcohol"])
    assert set(_ids(result)) == {"b/poliklinikk", "c/poliklinikk"}
    assert _excluded(result, "a/poliklinikk") == {"age_below_min"}
    c = next(r for r in result.results if r.offer_id == "c/poliklinikk")
    assert "age_unknown" in {r.code for r in c.reasons}
    adult = _find(snap, home_area="9001", age=40, substances=["alcohol"])
    assert _excluded(adult, "b/poliklinikk") == {"age_above_max"}


def test_age_band_target_group_excludes_but_young_does_not() -> None:
    snap = snapshot(
        [unit("a", "hf-north", **NORTH), unit("b", "hf-north", **NORTH)],
        [
            offer("a", "poliklinikk", target_groups=("under_23",)),
            offer("b", "poliklinikk", target_groups=("young",)),
        ],
    )
    result = _find(snap, home_area="9001", age=40, substances=["alcohol"])
    assert _ids(result) == ["b/poliklinikk"]
    assert _excluded(result, "a/poliklinikk") == {"age_group_mismatch"}
    b = result.results[0]
    assert "age_group_unbounded" in {r.code for r in b.reasons}


def test_coercion_needs_the_stated_basis_and_voluntary_fits_any() -> None:
    snap = snapshot(
        [unit("a", "hf-north", **NORTH), unit("b", "hf-north", **NORTH)],
        [offer("a", "dogn_kort", legal_basis=("hol_10_2",)), offer("b", "dogn_kort")],
    )
    coerced = _find(snap, home_area="9001", age=40, substances=["alcohol"], coercion="hol_10_2")
    assert _ids(coerced) == ["a/dogn_kort"]
    assert _excluded(coerced, "b/dogn_kort") == {"legal_basis_missing"}
    voluntary = _find(snap, home_area="9001", age=40, substances=["alcohol"])
    assert set(_ids(voluntary)) == {"a/dogn_kort", "b/dogn_kort"}


def test_closed_intake_excludes_unknown_does_not() -> None:
    snap = snapshot(
        [unit("a", "hf-north", **NORTH), unit("b", "hf-north", **NORTH)],
        [
            offer("a", "poliklinikk", intake_status="closed"),
            offer("b", "poliklinikk", intake_status="unknown"),
        ],
    )
    result = _find(snap, home_area="9001", age=40, substances=["alcohol"])
    assert _ids(result) == ["b/poliklinikk"]
    assert _excluded(result, "a/poliklinikk") == {"intake_closed"}


def test_beon_outpatient_before_inpatient_unless_a_need_requires_more() -> None:
    snap = snapshot(
        [unit("a", "hf-north", **NORTH)],
        [offer("a", t) for t in ("dogn_kort", "poliklinikk", "dag", "avrusning", "akutt", "vurdering")],
    )
    plain = _find(snap, home_area="9001", age=40, substances=["alcohol"])
    assert [r.service_type for r in plain.results] == ["poliklinikk", "dag", "dogn_kort"]
    detox = _find(snap, home_area="9001", age=40, substances=["alcohol"], detox=True)
    assert [r.service_type for r in detox.results] == ["avrusning", "dogn_kort", "poliklinikk", "dag"]
    acute = _find(snap, home_area="9001", age=40, substances=["alcohol"], acute_crisis=True)
    assert acute.results[0].service_type == "akutt"
    assert _excluded(plain, "a/vurdering") == {"not_a_result"}
    assert _excluded(plain, "a/akutt") == {"service_not_needed"}


def test_deadline_fit_then_catchment_then_distance_then_waiting() -> None:
    snap = snapshot(
        [
            unit("home-far", "hf-north", "north", 71.0, 20.0),
            unit("home-near", "hf-north", "north", 70.1, 20.0),
            unit("away-near", "hf-south", "south", 70.0, 20.0),
            unit("home-slow", "hf-north", "north", 70.0, 20.0),
        ],
        [
            offer("home-far", "poliklinikk", waiting_weeks=2.0),
            offer("home-near", "poliklinikk", waiting_weeks=3.0),
            offer("away-near", "poliklinikk", waiting_weeks=1.0),
            offer("home-slow", "poliklinikk", waiting_weeks=20.0),
        ],
    )
    result = _find(snap, home_area="9001", age=40, substances=["alcohol"])  # deadline 6 weeks
    assert _ids(result) == [
        "home-near/poliklinikk",
        "home-far/poliklinikk",
        "away-near/poliklinikk",
        "home-slow/poliklinikk",
    ]
    last = max(result.results, key=lambda r: r.rank)
    assert last.can_start_within_deadline is False
    assert "beyond_deadline" in {r.code for r in last.reasons}


def test_stated_target_group_ranks_within_catchment() -> None:
    snap = snapshot(
        [unit("a", "hf-north", **NORTH), unit("b", "hf-north", **NORTH), unit("c", "hf-north", **NORTH)],
        [
            offer("a", "poliklinikk", target_groups=("gambling",)),
            offer("b", "poliklinikk"),
            offer("c", "poliklinikk", target_groups=("rop",)),
        ],
    )
    result = _find(snap, home_area="9001", age=40, substances=["alcohol"], rop=True)
    assert _ids(result) == ["c/poliklinikk", "b/poliklinikk", "a/poliklinikk"]
    codes = [[r.code for r in x.reasons if r.code.startswith("target")] for x in result.results]
    assert codes == [["target_match"], ["target_not_stated"], ["target_no_match"]]


def test_preferences_filter_and_explain() -> None:
    snap = snapshot(
        [
            unit("pub", "hf-north", **NORTH),
            unit("priv", "private", **NORTH),
            unit("far", "hf-south", "south", 60.0, 10.0),
        ],
        [offer("pub", "poliklinikk"), offer("priv", "poliklinikk"), offer("far", "dogn_lang")],
    )
    result = _find(
        snap,
        home_area="9001",
        age=40,
        substances=["alcohol"],
        preferences={"public_only": True, "max_distance_km": 100, "setting": "outpatient"},
    )
    assert _ids(result) == ["pub/poliklinikk"]
    assert _excluded(result, "priv/poliklinikk") == {"pref_public_only"}
    assert _excluded(result, "far/dogn_lang") == {"pref_setting", "pref_too_far"}


def test_routing_prefers_home_team_by_scope_and_age() -> None:
    units = [
        unit("a", "hf-north", **NORTH),
        unit("s", "hf-south", "south", 60.0, 10.0, municipality_code="9002"),
    ]
    offers = [offer("a", "poliklinikk"), offer("a", "lar"), offer("s", "dogn_lang")]
    teams = [
        team("young", "north", "all_tsb", age_max=29),
        team("old", "north", "all_tsb", age_min=30),
        team("lar", "north", "lar_only"),
        team("south", "south", "all_tsb"),
    ]
    snap = snapshot(units, offers, teams)
    young = _find(snap, home_area="9001", age=20, substances=["opioids"])
    by = {r.offer_id: (r.routing.basis, r.routing.team_id) for r in young.results}
    assert by["a/poliklinikk"] == ("home_all_tsb", "young")
    assert by["a/lar"] == ("home_lar_team", "lar")
    assert young.routing.team_id == "young"
    old = _find(snap, home_area="9001", age=45, substances=["opioids"], lar="wanted")
    assert old.routing.team_id == "lar"
    # No team in the patient's area: the service's own area team receives it.
    outside = _find(snap, home_area="9003", age=45, substances=["alcohol"])
    by = {r.offer_id: (r.routing.basis, r.routing.team_id) for r in outside.results}
    assert by["s/dogn_lang"] == ("service_area_team", "south")
    assert by["a/poliklinikk"] == ("service_area_team", "old")  # the north team for ages 30+
    assert outside.routing.known is False and outside.routing.basis == "none_known"


def test_routing_states_offer_team_first_and_unknown_stays_unknown() -> None:
    snap = snapshot(
        [unit("a", "hf-north", **NORTH)],
        [offer("a", "poliklinikk", assessment_team_id="named")],
        [team("named", "south", "own_unit"), team("north", "north", "all_tsb")],
    )
    result = _find(snap, home_area="9001", age=40, substances=["alcohol"])
    assert (result.results[0].routing.basis, result.results[0].routing.team_id) == (
        "stated_on_offer",
        "named",
    )
    empty = snapshot([unit("a", "hf-north", **NORTH)], [offer("a", "poliklinikk")])
    unknown = _find(empty, home_area="9001", age=40, substances=["alcohol"])
    assert unknown.results[0].routing.known is False
    assert unknown.results[0].routing.team_id is None


def test_district_without_point_uses_municipality_point_flagged_approximate() -> None:
    snap = snapshot([unit("a", "hf-south", "south", 60.5, 10.0)], [offer("a", "poliklinikk")])
    result = _find(snap, home_area="900201", age=40, substances=["alcohol"])
    assert result.home.point_approximate is True
    assert result.results[0].distance_approximate is True
    assert result.results[0].distance_km == pytest.approx(55.6, abs=0.2)
    assert "distance_approximate" in {r.code for r in result.results[0].reasons}


def test_unknown_home_area_is_an_input_error() -> None:
    snap = snapshot([], [])
    with pytest.raises(FinderInputError, match="home_area"):
        _find(snap, home_area="1234", age=40)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pregnant": True, "sex": "male"}, "pregnant"),
        ({"coercion": "hol_10_3"}, "10-3"),
        ({"alcohol_over_20_units": True}, "alcohol"),
        ({"substances": ["alcohol", "alcohol"]}, "once"),
        ({"home_area": "abc"}, "home_area"),
        ({"age": 200}, "age"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"preferences": {"service_types": ["dogn"]}}, "unknown service type"),
    ],
)
def test_profile_validation(fields: dict[str, object], message: str) -> None:
    data: dict[str, object] = {"home_area": "9001", "age": 40} | fields
    with pytest.raises(ValidationError, match=message):
        NeedProfile.model_validate(data)


def test_profile_repr_is_redacted() -> None:
    profile = NeedProfile(home_area="9001", age=40, substances=["opioids"], pregnant=True, sex="female")
    assert "9001" not in repr(profile) and "opioids" not in str(profile)
    assert "redacted" in f"{profile!r} {profile}"


def test_results_do_not_depend_on_the_searches_before() -> None:
    # The offers' own fields are kept per snapshot for the next search: each search must still answer as on
    # a snapshot no search has touched, and what one caller changes in its answer reaches no other answer.
    def build():  # type: ignore[no-untyped-def]
        return snapshot(
            [
                unit("a", "hf-north", **NORTH),
                unit("s", "hf-south", "south", 60.0, 10.0, municipality_code="9002"),
            ],
            [
                offer("a", "poliklinikk", target_groups=("young",)),
                offer("a", "lar", waiting_weeks=3.0),
                offer("s", "dogn_lang", legal_basis=("hol_10_2",)),
                offer("s", "avrusning", age_min=18),
            ],
            [team("north", "north", "all_tsb"), team("south", "south", "all_tsb")],
        )

    profiles = [
        dict(home_area="9001", age=20, substances=["opioids"]),
        dict(home_area="9002", age=45, substances=["alcohol"], detox=True),
        dict(home_area="900201", age=17, substances=["cannabis"], acute_crisis=True),
    ]
    shared = build()
    for profile in profiles + profiles[::-1]:
        answer = _find(shared, **profile)
        assert answer == _find(build(), **profile)
        for r in answer.results:
            r.target_groups.append("changed")
            r.legal_basis.clear()
            r.reasons.clear()
    assert all("changed" not in r.target_groups for r in _find(shared, **profiles[0]).results)


def test_each_result_is_routed_as_route_routes_its_offer_alone(bundled_snapshot: RegistrySnapshot) -> None:
    # A search shares one routing among offers alike in what routing reads (team, service type, the unit's
    # catchment, organisation and municipality): each must still be what route() gives that offer on its own.
    index = finder_index(bundled_snapshot)
    checked = 0
    for home, age in (("5601", 17), ("0301", 40), ("030105", 70), ("4601", 30), ("3403", 25)):
        profile = NeedProfile(home_area=home, age=age, substances=["alcohol", "opioids"])
        result = find(bundled_snapshot, profile, today=TODAY, limit=500)
        for r in result.results:
            offer = bundled_snapshot.offers[r.offer_id]
            alone = route(
                bundled_snapshot,
                index,
                home_catchment=result.home.catchment_code,
                age=age,
                offer=offer,
                unit=bundled_snapshot.units.get(offer.unit_id),
            )
            assert r.routing == alone, r.offer_id
            checked += 1
    assert checked > 100


def test_distances_from_a_home_are_computed_once_and_kept_read_only(
    bundled_snapshot: RegistrySnapshot,
) -> None:
    index = finder_index(bundled_snapshot)
    area = bundled_snapshot.geography.area_units["5601"]
    first = _great_circle_row(index, area.lat, area.lon)
    assert _great_circle_row(index, area.lat, area.lon) is first
    assert not first.flags.writeable
    expected = haversine_km(Radians.of(area.lat, area.lon), index.place_radians)
    assert np.array_equal(first[:-1], expected) and np.isnan(first[-1])  # the last place is "unknown"
    km = {
        r.offer_id: r.distance_km
        for r in find(bundled_snapshot, NeedProfile(home_area="5601", age=40), today=TODAY).results
    }
    assert km and all(d is None or d >= 0 for d in km.values())
