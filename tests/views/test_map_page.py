"""The map page's server-side list: filter parsing and results (the same query as the GeoJSON API)."""

from __future__ import annotations

import pytest

from tsbkart.query.params import unit_filter
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.views.map_page import (
    FilterError,
    filter_units,
    list_page,
    main_service_type,
    selected,
)


def test_no_filter_lists_every_unit(bundled_snapshot: RegistrySnapshot) -> None:
    items = filter_units(bundled_snapshot, unit_filter({}, bundled_snapshot))
    assert len(items) == len(bundled_snapshot.units)
    assert [i.name.casefold() for i in items] == sorted(i.name.casefold() for i in items)


def test_service_type_and_area_filter(bundled_snapshot: RegistrySnapshot) -> None:
    selection = unit_filter({"service_type": ["avrusning"], "area": ["helse-nord"]}, bundled_snapshot)
    items = filter_units(bundled_snapshot, selection)
    assert items
    for item in items:
        unit = bundled_snapshot.units[item.id]
        assert unit.region_code == "helse-nord"
        assert "avrusning" in {o.service_type for o in bundled_snapshot.offers_of(unit.id)}
    assert selected(selection)["service_type"] == ("avrusning",)


def test_approximate_units_are_flagged(bundled_snapshot: RegistrySnapshot) -> None:
    items = filter_units(bundled_snapshot, unit_filter({}, bundled_snapshot))
    flagged = {i.id for i in items if i.approximate}
    assert flagged == {u.id for u in bundled_snapshot.units.values() if u.is_approximate}
    assert flagged


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"service_type": ["teleport"]}, "service_type"),
        ({"area": ["atlantis"]}, "area"),
        ({"open_24_7": ["maybe"]}, "open_24_7"),
        ({"q": ["x" * 500]}, "q"),
    ],
)
def test_bad_filters_name_the_parameter(
    bundled_snapshot: RegistrySnapshot, query: dict[str, list[str]], parameter: str
) -> None:
    with pytest.raises(FilterError, match=parameter):
        unit_filter(query, bundled_snapshot)


def test_main_service_type_is_the_most_intensive() -> None:
    assert main_service_type(["poliklinikk", "akutt", "avrusning"]) == "akutt"
    assert main_service_type(["poliklinikk", "vurdering"]) == "poliklinikk"
    assert main_service_type(["dogn_lang", "avrusning"]) == "avrusning"  # same level: vocabulary order
    assert main_service_type([]) is None


def test_list_pages_split_and_clamp(bundled_snapshot: RegistrySnapshot) -> None:
    items = filter_units(bundled_snapshot, unit_filter({}, bundled_snapshot))
    first = list_page(items, 1, size=50)
    assert (len(first.items), first.matched, first.pages, first.complete) == (50, 143, 3, False)
    last = list_page(items, 99, size=50)
    assert last.number == 3 and len(last.items) == 43 and last.items[-1] == items[-1]
    assert list_page(items, 0, size=50).number == 1
    assert list_page((), 1).complete and list_page((), 1).pages == 1


def test_active_filter_count_counts_each_chosen_value() -> None:
    from tsbkart.views.map_page import active_filter_count

    none = {"service_type": (), "area": (), "open_24_7": None, "q": "  "}
    assert active_filter_count(none) == 0
    chosen = {
        "service_type": ("akutt", "avrusning"),
        "area": ("helse-nord",),
        "open_24_7": False,
        "q": "Bodø",
    }
    assert active_filter_count(chosen) == 5


@pytest.mark.parametrize("number", [0, 1, 2, 3, 99])
def test_result_page_equals_the_page_of_every_item(bundled_snapshot: RegistrySnapshot, number: int) -> None:
    from tsbkart.views.map_page import result_page

    selection = unit_filter({}, bundled_snapshot)
    assert result_page(bundled_snapshot, selection, number, size=50) == list_page(
        filter_units(bundled_snapshot, selection), number, size=50
    )


def test_result_page_of_an_empty_selection(bundled_snapshot: RegistrySnapshot) -> None:
    from tsbkart.views.map_page import result_page

    selection = unit_filter({"q": ["ingen-slik-enhet-finnes"]}, bundled_snapshot)
    page = result_page(bundled_snapshot, selection, 4, size=50)
    assert (page.items, page.matched, page.number, page.pages) == ((), 0, 1, 1)
