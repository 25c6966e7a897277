import pytest

from tsbkart.reference.geography import load_geography
from tsbkart.reference.seed import load_seed
from tsbkart.registry.store import record_table  # noqa: F401  (import check: seed and store agree on kinds)
from tsbkart.registry.validation import KnownIds, validate_records


def test_every_bundled_record_has_a_source_and_validates() -> None:
    geo = load_geography()
    seed = load_seed(geo)
    records = [*seed.organisations, *seed.units, *seed.offers, *seed.teams]
    assert all(r.provenance.source.startswith(("http://", "https://", "vurderingsteam.csv")) for r in records)
    known = KnownIds(
        {
            "organisation": {o.id for o in seed.organisations},
            "unit": {u.id for u in seed.units},
            "team": {t.id for t in seed.teams},
            "catchment": set(geo.catchments),
            "region": set(geo.regions),
            "area_unit": set(geo.area_units),
        }
    )
    assert validate_records(records, known) == []


def test_units_without_address_are_flagged_approximate() -> None:
    seed = load_seed(load_geography())
    located = [u for u in seed.units if u.lat is not None]
    assert located and all(u.location_precision == "municipality" and u.is_approximate for u in located)
    unlocated = [u for u in seed.units if u.municipality_code is None]
    # Six pass-1 rows and five pass-2 rows give no location (tsb_units.csv.source.md, tsb_units_pass2.source.md).
    assert len(unlocated) == 11 and all(u.lat is None and u.location_precision is None for u in unlocated)


def test_service_tokens_become_offers_groups_and_legal_basis() -> None:
    seed = load_seed(load_geography())
    offers = {o.id: o for o in seed.offers}
    detox = offers["unn-avrusning-tromso/avrusning"]
    assert set(detox.legal_basis) == {"hol_10_2", "hol_10_3"}
    assert detox.age_min == 18  # "18+" in the source note
    assert detox.beds is None  # the unit has several inpatient services; its 10 beds are not split
    unit = next(u for u in seed.units if u.id == "unn-avrusning-tromso")
    assert unit.beds == 10


def test_no_unknown_is_turned_into_a_value() -> None:
    seed = load_seed(load_geography())
    assert all(o.intake_status == "unknown" and o.waiting_weeks is None for o in seed.offers)
    stated_24_7 = [o for o in seed.offers if o.open_24_7 is not None]
    assert 0 < len(stated_24_7) < len(seed.offers) / 4


def test_closed_providers_are_not_loaded() -> None:
    seed = load_seed(load_geography())
    assert not any("Rogaland A-senter" in o.name for o in seed.organisations)


def test_age_bands_come_only_from_an_explicit_age_band_note() -> None:
    teams = {t.name: t for t in load_seed(load_geography()).teams}
    stavanger = next(t for n, t in teams.items() if n.startswith("Inntaks- og oppstartsteam"))
    assert (stavanger.scope, stavanger.age_min, stavanger.age_max) == ("all_tsb", None, None)
    put = teams["Psykiatrisk ungdomsteam (PUT)"]
    assert (put.age_min, put.age_max) == (None, 29)


def test_contact_facts_give_units_phones_and_web_pages_with_their_own_source() -> None:
    units = {u.id: u for u in load_seed(load_geography()).units}
    narvik = units["unn-narvik-dogn"]
    assert narvik.phone == "769 65 620"  # the first published phone of the unit
    assert (
        narvik.field_provenance["phone"].source
        == "https://www.unn.no/steder/russeksjon-narvik-nordlandsklinikken/"
    )
    assert narvik.website == "https://www.unn.no/steder/russeksjon-narvik-nordlandsklinikken/"
    tromso = units["unn-avrusning-tromso"]
    assert tromso.website == tromso.provenance.source
    assert "own page" in (tromso.field_provenance["website"].note or "")
    assert sum(u.phone is not None for u in units.values()) >= 35


def test_phones_marked_verify_before_use_are_not_shown() -> None:
    units = {u.id: u for u in load_seed(load_geography()).units}
    assert all(units[i].phone is None for i in ("incognito", "trasoppklinikken", "a-senteret-oslo"))


def test_corrected_values_carry_the_correction_source() -> None:
    seed = load_seed(load_geography())
    units = {u.id: u for u in seed.units}
    loland = units["bk-loland"]
    assert loland.beds == 30
    beds = loland.field_provenance["beds"]
    assert "helse-sorost.no" in beds.source and "corrections_pass2.md" in (beds.note or "")
    teams = {t.name: t for t in seed.teams}
    ara = teams["ARA Vurderingsteamet"]
    assert ara.phone == "38 13 26 00" and ara.field_provenance["phone"].source.startswith(
        "https://avhengighet"
    )


def test_target_groups_stay_at_the_level_the_source_states() -> None:
    """tsb_units.csv lists target groups per unit row: they are the unit's, never copied onto its offers."""
    seed = load_seed(load_geography())
    units = {u.id: u for u in seed.units}
    assert all(o.target_groups == () for o in seed.offers)
    assert units["unn-avrusning-tromso"].target_groups == ("adults",)  # '18+' in its note
    assert units["fossum-valnesfjord"].target_groups == ("young",)  # 'ungdom' among its service types
    derived = units["unn-avrusning-tromso"].field_provenance["target_groups"]
    assert derived.note is not None and "18+" in derived.note
    stated = [u for u in seed.units if u.target_groups]
    assert len(stated) > 40


def test_stated_opening_dates_are_valid_time_with_their_own_source() -> None:
    from datetime import date

    seed = load_seed(load_geography())
    units = {u.id: u for u in seed.units}
    nordfjord = units["hfd-rusposten-nordfjord"]
    assert nordfjord.opened_on == date(2012, 9, 3) and nordfjord.closed_on is None
    source = nordfjord.field_provenance["opened_on"]
    assert "napha.no" in source.source and "opened 3 Sept 2012" in (source.note or "")
    assert units["trasoppklinikken"].opened_on == date(1968, 7, 1)
    # Only whole dates a source states: a year ("since 1987") is not stored as 1 January.
    assert units["renavangen"].opened_on is None
    assert units["nlsh-opinor-bodo"].opened_on == date(2023, 9, 26)
    assert units["hs-akuttpost-tsb"].opened_on is None  # "opened April 2023": no day
    assert sum(u.opened_on is not None for u in seed.units) == 5
    assert all(u.closed_on is None for u in seed.units)  # no source states a closing of a bundled unit
    # The sources date the unit, not each of its services.
    assert all(o.opened_on is None for o in seed.offers if o.unit_id == "hfd-rusposten-nordfjord")


def test_a_bad_date_row_names_its_file_line_and_field(monkeypatch: pytest.MonkeyPatch) -> None:
    from tsbkart.reference import seed

    row = {
        "unit_id": "trasoppklinikken",
        "field": "opened_on",
        "value": "1968",
        "source_url": "https://x",
        "source_date": "",
        "retrieved": "2026-12-01",
        "confidence": "low",
        "statement": "since 1968",
    }
    monkeypatch.setattr(seed, "read_csv", lambda name: iter([(2, row)]))
    with pytest.raises(seed.SeedError, match=r"unit_dates.csv line 2, field value: '1968' is not a date"):
        seed._unit_dates({"trasoppklinikken"})
    with pytest.raises(seed.SeedError, match="field unit_id: unknown unit"):
        seed._unit_dates(set())
