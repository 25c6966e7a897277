"""Area page data over the bundled registry: links up and down, units, coverage."""

from __future__ import annotations

from tsbkart.reference.population import latest_population
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.views.area_page import build_area_page


def test_catchment_page_links_region_and_municipalities(bundled_snapshot: RegistrySnapshot) -> None:
    page = build_area_page(bundled_snapshot, "hf", "unn", latest_population())
    assert page is not None
    assert [(p.kind, p.code) for p in page.parents] == [("rhf", "helse-nord")]
    assert ("kommune", "5501") in {(c.kind, c.code) for c in page.children}
    assert page.units and all(u.catchment_code == "unn" for u in page.units)
    assert page.area_type == "hf" and not page.oslo_split


def test_bydel_page_goes_up_to_oslo_and_its_catchment(bundled_snapshot: RegistrySnapshot) -> None:
    page = build_area_page(bundled_snapshot, "kommune", "030101", latest_population())
    assert page is not None
    assert page.area_type == "bydel" and page.oslo_split
    assert [p.kind for p in page.parents] == ["rhf", "hf", "kommune"]
    assert page.parents[-1].code == "0301"
    assert page.coverage.capacity.adults is not None


def test_oslo_lists_its_bydeler(bundled_snapshot: RegistrySnapshot) -> None:
    page = build_area_page(bundled_snapshot, "kommune", "0301", latest_population())
    assert page is not None
    assert len(page.children) >= 15 and all(c.code.startswith("0301") for c in page.children)
    assert page.units  # units registered at the Oslo municipality point


def test_region_page_lists_catchments(bundled_snapshot: RegistrySnapshot) -> None:
    page = build_area_page(bundled_snapshot, "rhf", "helse-vest", None)
    assert page is not None
    assert {c.kind for c in page.children} == {"hf"} and len(page.children) == 4
    assert page.coverage.capacity.beds_per_10k is None  # no population given: rate unknown


def test_unknown_area_is_none(bundled_snapshot: RegistrySnapshot) -> None:
    assert build_area_page(bundled_snapshot, "hf", "atlantis", None) is None
    assert build_area_page(bundled_snapshot, "kommune", "9999", None) is None


def test_area_page_reports_the_depth_of_its_units(bundled_snapshot: RegistrySnapshot) -> None:
    page = build_area_page(bundled_snapshot, "hf", "sorlandet", population=None)
    assert page is not None
    assert page.depth.units == len(page.units) > 0
    assert [f.code for f in page.depth_facts][:2] == ["phone", "website"]
    with_phone = sum(u.phone is not None for u in page.units)
    assert page.depth.with_fact["phone"] == with_phone > 0
