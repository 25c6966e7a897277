from tsbkart.reference.geography import load_geography, slug


def test_357_municipalities_and_oslo_bydeler() -> None:
    geo = load_geography()
    kommuner = [a for a in geo.area_units.values() if a.kind == "kommune"]
    bydeler = [a for a in geo.area_units.values() if a.kind == "bydel"]
    assert len(kommuner) == 357
    assert {b.code for b in bydeler} >= {f"0301{n:02d}" for n in range(1, 16)}
    assert all(b.parent_code == "0301" for b in bydeler)


def test_every_area_maps_to_a_catchment_and_region_except_oslo_itself() -> None:
    geo = load_geography()
    missing = [a.code for a in geo.area_units.values() if a.catchment_code is None]
    assert missing == ["0301"]  # Oslo is split between catchments by bydel
    assert len(geo.catchments) == 21 and len(geo.regions) == 4
    for catchment in geo.catchments.values():
        assert catchment.region_code in geo.regions


def test_oslo_bydeler_are_split_across_four_trusts() -> None:
    geo = load_geography()
    trusts = {geo.area_units[f"0301{n:02d}"].catchment_code for n in range(1, 16)}
    assert trusts == {"ous", "lovisenberg", "diakonhjemmet", "akershus"}


def test_catchment_lookup() -> None:
    geo = load_geography()
    catchment = geo.catchment_of("5501")  # Tromsø
    assert catchment is not None and catchment.code == "unn"
    assert geo.catchment_of("0301") is None


def test_slug_is_ascii_and_stable() -> None:
    assert slug("Sykehuset Østfold HF") == "sykehuset-ostfold-hf"
    assert slug("Blå Kors Lade Behandlingssenter SA") == "bla-kors-lade-behandlingssenter-sa"
