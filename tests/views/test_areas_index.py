from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.views.areas_index import build_areas_index


def test_every_catchment_and_municipality_is_listed_once_oslo_with_its_districts(
    bundled_snapshot: RegistrySnapshot,
) -> None:
    index = build_areas_index(bundled_snapshot)
    geography = bundled_snapshot.geography
    assert [r.code for r in index.regions] == [
        r.code for r in sorted(geography.regions.values(), key=lambda r: r.name)
    ]
    catchments = [c for r in index.regions for c in r.catchments]
    assert sorted(c.code for c in catchments) == sorted(geography.catchments)
    listed = [a.code for c in catchments for a in c.areas if a.code != "0301"]
    assert sorted(listed) == sorted(a.code for a in geography.area_units.values() if a.catchment_code)
    oslo = [c.code for c in catchments if any(a.code == "0301" for a in c.areas)]
    assert len(oslo) >= 2  # Oslo is split between trusts: listed with each one's districts
    assert sum(c.units for c in catchments) == sum(
        1 for u in bundled_snapshot.units.values() if u.catchment_code
    )
    assert index.municipalities == sum(1 for a in geography.area_units.values() if a.kind == "kommune")
