"""explain: counts for a target-group filter, and for an empty list the reason and the ways out."""

from __future__ import annotations

import pytest

from tests.registry import factories as f
from tsbkart.query.explain import explain, explained, explanation_record
from tsbkart.query.params import Params, unit_filter
from tsbkart.query.units import search_units
from tsbkart.reference.geography import load_geography
from tsbkart.registry.snapshot import RegistrySnapshot


@pytest.fixture(scope="module")
def snap() -> RegistrySnapshot:
    return RegistrySnapshot.build(
        load_geography(),
        organisations=[f.organisation()],
        units=[
            f.unit("youth", target_groups=("under_18",)),
            f.unit("adult", target_groups=("adults",), lat=69.65, lon=18.96),
            f.unit("far", lat=58.15, lon=8.0, catchment_code="sorlandet", municipality_code="4204"),
        ],
        offers=[f.offer("youth"), f.offer("adult", "dogn_kort"), f.offer("far")],
    )


def _explain(snap: RegistrySnapshot, params: Params):  # type: ignore[no-untyped-def]
    return explain(snap, params, search_units(snap, unit_filter(params, snap)))


def test_target_group_counts_every_fit(snap: RegistrySnapshot) -> None:
    got = _explain(snap, {"target_group": ["adults"]})
    assert got.total == 2 and got.reason is None and got.suggestions == ()
    assert got.target_counts == {"stated": 0, "stated_for_unit": 1, "possible": 1, "stated_not": 1}


def test_every_unit_ruled_out_by_age_says_so(snap: RegistrySnapshot) -> None:
    got = _explain(snap, {"target_group": ["adults"], "area": ["5501"], "service_type": ["poliklinikk"]})
    assert got.total == 0 and got.reason == "target_group_stated_not"
    assert {(s.parameter, s.value) for s in got.suggestions} >= {("target_group", "adults")}


def test_match_stated_widens_to_possible(snap: RegistrySnapshot) -> None:
    got = _explain(snap, {"target_group": ["alcohol"], "match": ["stated"]})
    assert got.total == 0 and got.reason == "target_group_not_stated"
    widen = next(s for s in got.suggestions if s.parameter == "match")
    assert (widen.kind, widen.value, widen.total) == ("widen", "possible", 3)


def test_a_radius_is_widened_and_dropped(snap: RegistrySnapshot) -> None:
    got = _explain(snap, {"near": ["58.0,7.9"], "radius_km": ["1"]})
    ways = {(s.kind, s.parameter, s.value): s.total for s in got.suggestions}
    assert ways[("drop", "radius_km", "1")] == 3
    assert ("widen", "radius_km", "2") not in ways  # 2 km still finds nothing: not offered
    near = _explain(snap, {"near": ["58.0,7.9"], "radius_km": ["12"]})
    assert near.total == 0
    assert ("widen", "radius_km", "24") in {(s.kind, s.parameter, s.value) for s in near.suggestions}


def test_a_full_page_without_target_group_needs_no_explanation(snap: RegistrySnapshot) -> None:
    page = search_units(snap, unit_filter({}, snap))
    assert explained(snap, {}, page).explanation is None
    empty = search_units(snap, unit_filter({"q": ["zzz"]}, snap))
    record = explained(snap, {"q": ["zzz"]}, empty).explanation
    assert record is not None and record["suggestions"][0]["query"] == {}


def test_a_bydel_no_unit_states_says_why_and_widens_to_the_municipality() -> None:
    """The bundled Oslo units carry municipality 0301 and no bydel (no source gives one, nor does a postal
    code): a bydel filter finds none, and the explanation says that rather than blaming the filters."""
    oslo = RegistrySnapshot.build(
        load_geography(),
        organisations=[f.organisation()],
        units=[f.unit("oslo", municipality_code="0301", catchment_code="ous", region_code="helse-sor-ost")],
        offers=[f.offer("oslo")],
    )
    got = _explain(oslo, {"area": ["030101"]})
    assert got.total == 0 and got.reason == "bydel_not_stated"
    assert ("widen", "area", "0301") in {(s.kind, s.parameter, s.value) for s in got.suggestions}
    record = explanation_record(got)
    assert "city district" in str(record["message"]) and "0301" in str(record["message"])
    assert _explain(oslo, {"area": ["0301"], "service_type": ["akutt"]}).reason != "bydel_not_stated"


def test_a_bydel_some_unit_states_is_explained_as_usual() -> None:
    oslo = RegistrySnapshot.build(
        load_geography(),
        organisations=[f.organisation()],
        units=[
            f.unit("gamle", municipality_code="030101", catchment_code="ous", region_code="helse-sor-ost")
        ],
        offers=[f.offer("gamle")],
    )
    assert _explain(oslo, {"area": ["030101"], "service_type": ["akutt"]}).reason == "filters_combined"
