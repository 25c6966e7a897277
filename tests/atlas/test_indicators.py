import math

import pytest

from tests.atlas.world import population, snapshot
from tsbkart.atlas.indicators import indicator, indicator_table, indicators, trend_indicators
from tsbkart.reference.population import load_population
from tsbkart.registry.snapshot import RegistrySnapshot


def test_registry_is_data_with_bilingual_texts() -> None:
    ids = [i.id for i in indicators()]
    assert len(ids) == len(set(ids)) >= 5
    for item in indicators():
        assert item.title["nb"] and item.title["en"] and item.source and item.method
    assert indicator("nope") is None


def test_no_indicator_source_shown_on_a_page_names_a_source_md_file() -> None:
    # The public atlas and trend pages show ``source``; the .source.md files are named in comments in the YAML.
    sources = [i.source for i in indicators()] + [t.source for t in trend_indicators()]
    assert sources and [s for s in sources if ".source.md" in s] == []


def test_helseatlas_indicators_carry_the_unverified_caveat() -> None:
    for item in indicators():
        if item.kind == "helseatlas":
            assert item.caveat is not None and "NOT verified" in item.caveat["en"]


def test_capacity_per_catchment_keeps_unknown_beds_visible() -> None:
    table = indicator_table(snapshot(), "beds_per_10k", population())
    rows = table.rows.set_index("code")
    assert rows.loc["north", "value"] == pytest.approx(10 * 10_000 / 4000)
    assert rows.loc["south", "events"] == 0
    assert "1 inpatient units with unknown beds" in rows.loc["south", "note"]


def test_access_share_per_catchment() -> None:
    table = indicator_table(snapshot(), "share_60km_avrusning", population())
    rows = table.rows.set_index("code")
    assert rows.loc["north", "value"] == pytest.approx(25.0)  # Alpha (1000 of 4000) is within 60 km
    # Only Oslo's bydeler (507 of 6507; about 43 km from Alpha) are within 60 km in the south.
    assert rows.loc["south", "value"] == pytest.approx(100 * 507 / 6507)
    assert table.national == pytest.approx(100 * 1507 / 10507)


def test_fca_notes_units_left_out() -> None:
    table = indicator_table(snapshot(), "fca_dogn_beds", population())
    assert table.notes and "unknown beds" in table.notes[0]


def test_unknown_indicator_raises() -> None:
    with pytest.raises(KeyError):
        indicator_table(snapshot(), "nope", population())


def test_helseatlas_maps_all_21_catchments(bundled_snapshot: RegistrySnapshot) -> None:
    table = indicator_table(bundled_snapshot, "helseatlas_pasientrate_18_24", load_population(2026))
    assert len(table.rows) == 21 and table.rows["value"].notna().all()
    assert (table.rows["ci_low"] <= table.rows["value"]).all()
    assert (table.rows["value"] <= table.rows["ci_high"]).all()
    assert table.national is not None and not math.isnan(table.national)
