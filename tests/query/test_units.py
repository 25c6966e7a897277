"""search_units on small synthetic snapshots: facet semantics, areas, distance, paging."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.registry import factories as f
from tsbkart.analysis.costs import great_circle_km
from tsbkart.domain.entities import Unit
from tsbkart.query.filters import FilterError, OfferFacets, UnitFilter, check_codes, parse_near
from tsbkart.query.index import index_for
from tsbkart.query.units import feature_collection, search_units
from tsbkart.reference.geography import load_geography
from tsbkart.registry.snapshot import Geography, RegistrySnapshot
from tsbkart.views.area_page import build_area_page


@pytest.fixture(scope="module")
def geography() -> Geography:
    return load_geography()


def snapshot(geography: Geography, units: list[Unit], offers: list[object]) -> RegistrySnapshot:
    return RegistrySnapshot.build(
        geography,
        organisations=[f.organisation(), f.organisation("org-b", owner_type="municipal")],
        units=units,
        offers=offers,  # type: ignore[arg-type]
    )


def ids(snap: RegistrySnapshot, **kwargs: object) -> list[str]:
    return [i["id"] for i in search_units(snap, UnitFilter(**kwargs)).items]  # type: ignore[arg-type]


def test_offer_facets_must_hold_for_one_offer(geography: Geography) -> None:
    snap = snapshot(
        geography,
        [f.unit("a"), f.unit("b")],
        [
            f.offer("a", "dogn_kort", target_groups=("young",)),
            f.offer("b", "dogn_kort", target_groups=("adults",)),
            f.offer("b", "poliklinikk", target_groups=("young",)),
        ],
    )
    both = OfferFacets(service_types=("dogn_kort",), target_groups=("young",), target_match="stated")
    assert ids(snap, offers=both) == ["a"]
    assert ids(snap, offers=OfferFacets(service_types=("dogn_kort", "poliklinikk"))) == ["a", "b"]


def test_open_24_7_is_three_valued(geography: Geography) -> None:
    snap = snapshot(
        geography,
        [f.unit("yes"), f.unit("no"), f.unit("unknown")],
        [f.offer("yes", open_24_7=True), f.offer("no", open_24_7=False), f.offer("unknown")],
    )
    assert ids(snap, offers=OfferFacets(open_24_7=True)) == ["yes"]
    assert ids(snap, offers=OfferFacets(open_24_7=False)) == ["no"]  # unknown is not "no"
    flags = {i["id"]: i["open_24_7"] for i in search_units(snap, UnitFilter()).items}
    assert flags == {"yes": True, "no": False, "unknown": None}


def test_owner_type_organisation_and_area(geography: Geography) -> None:
    oslo = f.unit("oslo", catchment_code="lovisenberg", region_code="helse-sor-ost", municipality_code="0301")
    snap = snapshot(geography, [f.unit("tromso"), oslo, f.unit("muni", organisation_id="org-b")], [])
    assert ids(snap, owner_types=("municipal",)) == ["muni"]
    assert ids(snap, organisation_ids=("org-a",)) == ["oslo", "tromso"]
    assert ids(snap, areas=("030102",)) == []  # in Oslo, but not known to be in Grünerløkka
    assert ids(snap, areas=("0301",)) == ["oslo"]
    assert ids(snap, areas=("helse-nord",)) == ["muni", "tromso"]
    with pytest.raises(FilterError, match="area"):
        ids(snap, areas=("9999",))


def test_an_area_selects_the_units_its_area_page_shows(geography: Geography) -> None:
    """One rule (registry.areas.units_in_area) for the API filter and the area page. Before #9 the API took
    an Oslo bydel for its whole catchment and kommune 0301 without the units placed in its bydeler."""
    units = [
        f.unit("oslo", catchment_code="lovisenberg", region_code="helse-sor-ost", municipality_code="0301"),
        f.unit(
            "loekka", catchment_code="lovisenberg", region_code="helse-sor-ost", municipality_code="030102"
        ),
        f.unit(
            "gamle", catchment_code="lovisenberg", region_code="helse-sor-ost", municipality_code="030101"
        ),
        f.unit("tromso"),
    ]
    snap = snapshot(geography, units, [])
    for kind, code in [
        ("kommune", "030102"),
        ("kommune", "0301"),
        ("hf", "lovisenberg"),
        ("rhf", "helse-nord"),
    ]:
        page = build_area_page(snap, kind, code, population=None)
        assert page is not None
        assert sorted(u.id for u in page.units) == sorted(ids(snap, areas=(code,))), code
    assert ids(snap, areas=("030102",)) == ["loekka"]
    assert sorted(ids(snap, areas=("0301",))) == ["gamle", "loekka", "oslo"]


coordinates = st.tuples(st.floats(57.0, 71.0), st.floats(4.0, 31.0))


@settings(max_examples=40, deadline=None)
@given(
    points=st.lists(coordinates, min_size=1, max_size=25), origin=coordinates, radius=st.floats(1.0, 800.0)
)
def test_near_matches_a_brute_force_sort(
    geography: Geography, points: list[tuple[float, float]], origin: tuple[float, float], radius: float
) -> None:
    units = [f.unit(f"u{i:02d}", lat=lat, lon=lon) for i, (lat, lon) in enumerate(points)]
    snap = snapshot(geography, units, [])
    page = search_units(snap, UnitFilter(near=origin, radius_km=radius, limit=500))
    expected = sorted(
        (float(great_circle_km(origin[0], origin[1], u.lat, u.lon)), u.name.casefold(), u.id) for u in units
    )
    expected = [e for e in expected if e[0] <= radius]
    assert [i["id"] for i in page.items] == [e[2] for e in expected]
    assert np.allclose([i["distance_km"] for i in page.items], [e[0] for e in expected], atol=1e-3)


def test_pages_cover_the_list_exactly_once(geography: Geography) -> None:
    units = [f.unit(f"u{i:02d}", name="Same name") for i in range(23)]
    snap = snapshot(geography, units, [])
    pages = [ids(snap, limit=5, offset=o) for o in range(0, 25, 5)]
    assert [i for page in pages for i in page] == sorted(u.id for u in units)  # ties on name broken by id


def test_index_is_built_once_per_snapshot(geography: Geography) -> None:
    snap = snapshot(geography, [f.unit()], [])
    assert index_for(snap) is index_for(snap)
    assert index_for(replace(snap)) is not index_for(snap)


def test_feature_collection_shape(geography: Geography) -> None:
    snap = snapshot(geography, [f.unit(), f.unit("nowhere", lat=None, lon=None, location_precision=None)], [])
    features = {x["id"]: x for x in feature_collection(search_units(snap, UnitFilter()))["features"]}
    assert features["unit-a"]["geometry"] == {"type": "Point", "coordinates": [18.96, 69.65]}
    assert features["nowhere"]["geometry"] is None
    assert "lat" not in features["unit-a"]["properties"]


@pytest.mark.parametrize("value", ["59.9", "a,b", "59.9,10.7,1", "91,10", "nan,10", "inf,1", ""])
def test_parse_near_rejects(value: str) -> None:
    with pytest.raises(FilterError, match="near"):
        parse_near(value)


def test_check_codes_lists_valid_codes() -> None:
    with pytest.raises(FilterError) as error:
        check_codes("legal_basis", ["voluntary", "forced"])
    assert error.value.parameter == "legal_basis"
    assert error.value.valid == ("voluntary", "hol_10_2", "hol_10_3")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"limit": 0},
        {"offset": -1},
        {"radius_km": 5.0},
        {"near": (0.0, 0.0), "radius_km": 0.0},
        {"near": (95.0, 0.0)},
    ],
)
def test_filter_rejects_bad_bounds(kwargs: dict[str, object]) -> None:
    with pytest.raises(FilterError):
        UnitFilter(**kwargs)  # type: ignore[arg-type]


def test_a_target_group_filter_shows_stated_and_possible_and_counts_the_rest(geography: Geography) -> None:
    """Before #11 a filter on a group no offer names ('alcohol', 'adults') returned nothing at all."""
    snap = snapshot(
        geography,
        [
            f.unit("named", target_groups=("adults",)),
            f.unit("silent"),
            f.unit("youth", target_groups=("under_18",)),
            f.unit("own"),
        ],
        [
            f.offer("named"),
            f.offer("silent"),
            f.offer("youth"),
            f.offer("own", target_groups=("adults",)),
        ],
    )
    page = search_units(snap, UnitFilter(offers=OfferFacets(target_groups=("adults",))))
    fits = {i["id"]: i["target_group_fit"] for i in page.items}
    assert fits == {"named": "stated_for_unit", "own": "stated", "silent": "possible"}
    assert page.target_counts == {"stated": 1, "stated_for_unit": 1, "possible": 1, "stated_not": 1}
    stated = UnitFilter(offers=OfferFacets(target_groups=("adults",), target_match="stated"))
    assert ids(snap, **{"offers": stated.offers}) == ["named", "own"]
    assert search_units(snap, UnitFilter()).items[0]["target_group_fit"] is None


def test_delivery_language_and_accessibility_match_only_what_is_stated(geography: Geography) -> None:
    snap = snapshot(
        geography,
        [f.unit("ramp", accessibility=("step_free_entrance", "lift")), f.unit("silent")],
        [
            f.offer("ramp", delivery_methods=("digital",), languages=("se", "nb")),
            f.offer("silent"),
        ],
    )
    assert ids(snap, offers=OfferFacets(delivery_methods=("digital", "outreach"))) == ["ramp"]
    assert ids(snap, offers=OfferFacets(languages=("se",))) == ["ramp"]
    assert ids(snap, accessibility=("step_free_entrance", "lift")) == ["ramp"]
    assert ids(snap, accessibility=("hearing_loop",)) == []  # unknown is not a yes
    assert ids(snap) == ["ramp", "silent"]
