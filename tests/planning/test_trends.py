"""Trends from the registry's history: valid time (opened_on/closed_on) before transaction time, labelled."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from tests.registry import factories as f
from tsbkart.domain.actors import Actor
from tsbkart.exchange.importer import import_files
from tsbkart.planning.trends import in_service, trend_dates, trend_frame, trend_table
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.registry.store import Registry, Upsert

IMPORTED = datetime(2026, 6, 1, 12, tzinfo=UTC)
DATES = [date(2023, 1, 1), date(2024, 1, 1), date(2025, 1, 1), date(2026, 1, 1), date(2026, 7, 1)]


def _at(frame: pd.DataFrame, indicator: str, level: str = "nation", code: str = "norge") -> dict[date, float]:
    rows = frame[(frame["indicator"] == indicator) & (frame["level"] == level) & (frame["code"] == code)]
    return dict(zip(rows["date"], rows["value"], strict=True))


def _registry(engine: Engine) -> Registry:
    clock = iter([datetime(2026, 5, 1, 12, tzinfo=UTC), IMPORTED, datetime(2026, 6, 2, 12, tzinfo=UTC)])
    return Registry(engine, clock=lambda: next(clock))


def test_an_imported_unit_with_a_past_opening_changes_the_trend_at_that_date(
    engine: Engine, tmp_path: Path
) -> None:
    registry = _registry(engine)
    registry.commit([Upsert(f.organisation())], actor=Actor.cli("t"), reason="organisation")  # 2026-05-01
    units = tmp_path / "enheter.csv"
    units.write_text(
        "id;name;organisation_id;catchment_code;region_code;municipality_code;opened_on;source\n"
        "lav;Lavterskel LAR;org-a;unn;helse-nord;5501;2024-03-01;https://example.org/lav\n",
        encoding="utf-8",
    )
    offers = tmp_path / "tilbud.csv"
    offers.write_text(
        "id;unit_id;service_type;opened_on;source\nlav/lar_lavterskel;lav;lar_lavterskel;2024-03-01;https://example.org/lav\n",
        encoding="utf-8",
    )
    report = import_files(registry, [units, offers], actor=Actor.cli("t"), reason="import")  # 2026-06-01
    assert report.ok, report.problems

    frame = trend_frame(engine, DATES, ["lar_lavterskel_trusts"], today=date(2026, 7, 1))
    trusts = _at(frame, "lar_lavterskel_trusts")
    # It counts from its opening (2024-03-01), not from the import (2026-06-01).
    assert trusts == {
        date(2023, 1, 1): 0,
        date(2024, 1, 1): 0,
        date(2025, 1, 1): 1,
        date(2026, 1, 1): 1,
        date(2026, 7, 1): 1,
    }
    unn = frame[(frame["code"] == "unn") & (frame["date"] == date(2025, 1, 1))].iloc[0]
    assert (unn["dated"], unn["undated"], unn["basis"]) == (2, 0, "valid time")


def test_without_an_opening_date_a_unit_counts_from_when_it_was_recorded_and_says_so(engine: Engine) -> None:
    registry = _registry(engine)
    registry.commit([Upsert(f.organisation())], actor=Actor.cli("t"), reason="organisation")
    registry.commit(
        [Upsert(f.unit(id="lav")), Upsert(f.offer(unit_id="lav", service_type="lar_lavterskel"))],
        actor=Actor.cli("t"),
        reason="recorded",
    )  # 2026-06-01
    frame = trend_frame(engine, DATES, ["lar_lavterskel_trusts"], today=date(2026, 7, 1))
    assert _at(frame, "lar_lavterskel_trusts")[date(2026, 1, 1)] == 0
    assert _at(frame, "lar_lavterskel_trusts")[date(2026, 7, 1)] == 1
    unn = frame[(frame["code"] == "unn") & (frame["level"] == "catchment")].set_index("date")
    # Before it was recorded it may have existed: counted as not yet recorded, not as absent for certain.
    assert (unn.loc[date(2026, 1, 1), "unrecorded"], unn.loc[date(2026, 1, 1), "basis"]) == (2, "none")
    assert (unn.loc[date(2026, 7, 1), "undated"], unn.loc[date(2026, 7, 1), "basis"]) == (
        2,
        "transaction time",
    )


def _snapshot(*records: object) -> RegistrySnapshot:
    from tsbkart.reference.geography import load_geography

    return RegistrySnapshot.build(load_geography(), records=records)  # type: ignore[arg-type]


def test_closed_on_ends_a_service_and_beds_follow_valid_time() -> None:
    unit = f.unit(id="d", beds=20, opened_on=date(2020, 1, 1), closed_on=date(2024, 6, 1))
    latest = _snapshot(f.organisation(), unit, f.offer(unit_id="d", service_type="dogn_kort"))
    empty = _snapshot()
    days = {d: empty for d in (date(2019, 1, 1), date(2021, 1, 1), date(2025, 1, 1))}
    frame = trend_table(latest, days, ["beds_per_10k"], levels=("catchment",))
    unn = frame[frame["code"] == "unn"].set_index("date")
    assert unn.loc[date(2019, 1, 1), "numerator"] == 0
    assert unn.loc[date(2021, 1, 1), "numerator"] == 20
    assert unn.loc[date(2021, 1, 1), "value"] == pytest.approx(
        20 * 10_000 / unn.loc[date(2021, 1, 1), "denominator"]
    )
    assert unn.loc[date(2025, 1, 1), "numerator"] == 0
    assert unn.loc[date(2021, 1, 1), "population_year"] == 2021


def test_a_date_before_todays_area_units_were_valid_still_has_a_population() -> None:
    # The bundled area units are valid from the 2024 reform, so a snapshot as recorded in 2020 has no area
    # units; the trend still counts people (today's areas, as the population is on today's codes).
    from tsbkart.reference.geography import load_geography
    from tsbkart.registry.snapshot import Geography

    geography = load_geography()
    before = RegistrySnapshot.build(
        Geography.build(geography.regions.values(), geography.catchments.values(), []), records=[]
    )
    unit = f.unit(id="d", beds=20, opened_on=date(2010, 1, 1))
    latest = _snapshot(f.organisation(), unit, f.offer(unit_id="d", service_type="dogn_kort"))
    frame = trend_table(latest, {date(2020, 1, 1): before}, ["beds_per_10k"], levels=("catchment", "nation"))
    unn = frame[frame["code"] == "unn"].iloc[0]
    nation = frame[frame["level"] == "nation"].iloc[0]
    assert unn["numerator"] == 20 and unn["denominator"] > 0
    assert nation["denominator"] > 1_000_000 and nation["value"] > 0


def test_verified_share_counts_only_verifications_made_by_the_day_and_not_stale() -> None:
    from tsbkart.domain.entities import Provenance

    fresh = Provenance("https://example.org/x", verified=date(2024, 6, 1))
    unit = f.unit(id="v", opened_on=date(2020, 1, 1), provenance=fresh)
    latest = _snapshot(f.organisation(), unit)
    days = {d: _snapshot() for d in (date(2024, 1, 1), date(2025, 1, 1), date(2026, 1, 1))}
    frame = trend_table(latest, days, ["verified_share"], levels=("catchment",))
    unn = frame[frame["code"] == "unn"].set_index("date")["value"]
    # not yet verified on 2024-01-01; fresh on 2025-01-01; more than 12 months old on 2026-01-01
    assert list(unn) == [0.0, 100.0, 0.0]


def test_an_area_without_facts_has_an_unknown_share_not_zero() -> None:
    frame = trend_table(
        _snapshot(), {date(2025, 1, 1): _snapshot()}, ["verified_share", "basic_services_coverage"]
    )
    share = frame[(frame["indicator"] == "verified_share") & (frame["level"] == "nation")]["value"]
    assert share.isna().all()
    basic = frame[(frame["indicator"] == "basic_services_coverage") & (frame["level"] == "nation")]
    assert basic["value"].tolist() == [0.0] and basic["denominator"].tolist() == [21 * 5]


def test_regions_and_the_nation_are_sums_over_catchment_areas() -> None:
    latest = _snapshot(
        f.organisation(),
        f.unit(id="a", opened_on=date(2020, 1, 1)),
        f.offer(unit_id="a", service_type="akutt", opened_on=date(2020, 1, 1)),
        f.unit(id="b", catchment_code="unn", opened_on=date(2021, 1, 1)),
        f.offer(unit_id="b", service_type="avrusning"),
    )
    frame = trend_table(latest, {date(2022, 1, 1): _snapshot()}, ["basic_services_coverage"])
    unn = frame[frame["code"] == "unn"].iloc[0]
    region = frame[frame["code"] == "helse-nord"].iloc[0]
    nation = frame[frame["level"] == "nation"].iloc[0]
    # the avrusning offer is undated and was never recorded by then: not counted, reported as unrecorded
    assert (unn["numerator"], unn["denominator"], unn["unrecorded"]) == (1, 5, 1)
    assert region["numerator"] == 1 and nation["numerator"] == 1 and nation["denominator"] == 105
    assert region["name"] == "Helse Nord RHF" or region["name"]


def test_in_service_pulls_in_the_unit_of_an_open_offer() -> None:
    latest = _snapshot(
        f.organisation(), f.unit(id="u"), f.offer(unit_id="u", service_type="lar", opened_on=date(2020, 1, 1))
    )
    view = in_service(latest, _snapshot(), date(2021, 1, 1))
    assert set(view.snapshot.units) == {"u"} and ("unit", "u") in view.dated


def test_trend_dates_are_yearly_and_end_today() -> None:
    assert trend_dates(date(2026, 3, 5), 2024) == (
        date(2024, 1, 1),
        date(2025, 1, 1),
        date(2026, 1, 1),
        date(2026, 3, 5),
    )
    assert trend_dates(date(2026, 1, 1), 2025) == (date(2025, 1, 1), date(2026, 1, 1))


def test_unknown_indicators_and_levels_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown trend indicator"):
        trend_table(_snapshot(), {}, ["nope"])
    with pytest.raises(ValueError, match="unknown level"):
        trend_table(_snapshot(), {}, None, levels=("kommune",))
