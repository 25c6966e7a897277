"""Basic-services matrix, capacity per 10,000 adults, ownership split and freshness of an area."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tsbkart.atlas.coverage import (
    DeclarationError,
    adults_by_area,
    basic_service_matrix,
    capacity,
    freshness,
    load_declarations,
    ownership,
    summarise_area,
)
from tsbkart.domain.entities import (
    AreaUnit,
    AssessmentTeam,
    CatchmentArea,
    Organisation,
    Provenance,
    Region,
    ServiceOffer,
    Unit,
)
from tsbkart.registry.areas import resolve_area, units_in_area
from tsbkart.registry.snapshot import Geography, RegistrySnapshot

SOURCE = Provenance("https://example.org/source", verified=date(2026, 1, 1))
SINCE = date(2024, 1, 1)


def _geography() -> Geography:
    """Region r with catchments a (kommune 1111, Oslo bydeler 030101-02) and b (kommune 2222, bydel 030103)."""
    return Geography.build(
        regions=[Region("r", "Region R")],
        catchments=[CatchmentArea("a", "HF A", "A", "r"), CatchmentArea("b", "HF B", "B", "r")],
        area_units=[
            AreaUnit("1111", "Kommune En", "kommune", "X", "a", 60.0, 10.0, SINCE),
            AreaUnit("2222", "Kommune To", "kommune", "X", "b", 61.0, 11.0, SINCE),
            AreaUnit("0301", "Oslo", "kommune", "Oslo", None, 59.9, 10.7, SINCE),
            AreaUnit("030101", "Bydel 1", "bydel", "Oslo", "a", None, None, SINCE, parent_code="0301"),
            AreaUnit("030102", "Bydel 2", "bydel", "Oslo", "a", None, None, SINCE, parent_code="0301"),
            AreaUnit("030103", "Bydel 3", "bydel", "Oslo", "b", None, None, SINCE, parent_code="0301"),
        ],
    )


def _unit(
    uid: str,
    catchment: str,
    kommune: str,
    org: str = "pub",
    beds: int | None = None,
    verified: date | None = date(2026, 1, 1),
) -> Unit:
    return Unit(
        uid,
        f"Unit {uid}",
        org,
        Provenance("s", verified=verified),
        catchment_code=catchment,
        region_code="r",
        municipality_code=kommune,
        beds=beds,
    )


def _offer(uid: str, service_type: str, beds: int | None = None, places: int | None = None) -> ServiceOffer:
    return ServiceOffer(f"{uid}/{service_type}", uid, service_type, SOURCE, beds=beds, places=places)


def _snapshot() -> RegistrySnapshot:
    return RegistrySnapshot.build(
        _geography(),
        organisations=[
            Organisation("pub", "Public HF", "hf", SOURCE),
            Organisation("priv", "Private foundation", "private_nonprofit_contract", SOURCE),
        ],
        units=[
            _unit("u1", "a", "1111", beds=10),
            _unit("u2", "a", "0301", org="priv", verified=date(2025, 1, 1)),
            _unit("u3", "b", "2222", org="priv", beds=5, verified=None),
        ],
        offers=[
            _offer("u1", "avrusning"),
            _offer("u1", "dogn_kort"),
            _offer("u2", "dogn_lang", beds=7),
            _offer("u2", "poliklinikk", places=30),
            _offer("u3", "akutt"),
        ],
        teams=[
            AssessmentTeam("t-b", "Team B", SOURCE, catchment_code="b", region_code="r", scope="all_tsb"),
            AssessmentTeam(
                "t-a", "Team A own", SOURCE, catchment_code="a", region_code="r", scope="own_unit"
            ),
        ],
    )


def _population() -> pd.DataFrame:
    rows = []
    for level, code, adults, children in [
        ("kommune", "1111", 9000, 500),
        ("kommune", "2222", 4000, 100),
        ("kommune", "0301", 6500, 700),  # 500 adults have no registered bydel
        ("bydel", "030101", 2000, 300),
        ("bydel", "030102", 1000, 200),
        ("bydel", "030103", 3000, 200),
    ]:
        rows.append((2026, level, code, "female", 40, adults))
        rows.append((2026, level, code, "male", 17, children))
    return pd.DataFrame(rows, columns=["year", "level", "code", "sex", "age", "population"])


def test_areas_resolve_their_population_members() -> None:
    geography = _geography()
    hf_a = resolve_area(geography, "hf", "a")
    assert hf_a is not None and hf_a.kommuner == ("1111",) and hf_a.bydeler == ("030101", "030102")
    region = resolve_area(geography, "rhf", "r")
    # Every Oslo bydel is in the region: Oslo is counted once, at kommune level, never with its bydeler.
    assert region is not None and region.kommuner == ("0301", "1111", "2222") and region.bydeler == ()
    bydel = resolve_area(geography, "kommune", "030103")
    assert bydel is not None and bydel.kommuner == () and bydel.bydeler == ("030103",)
    assert resolve_area(geography, "hf", "nope") is None
    assert resolve_area(geography, "county", "a") is None


def test_units_of_a_municipality_include_its_bydeler() -> None:
    snap = _snapshot()
    oslo = resolve_area(snap.geography, "kommune", "0301")
    assert oslo is not None
    assert [u.id for u in units_in_area(snap, oslo)] == ["u2"]


def test_matrix_present_unknown_and_team_evidence() -> None:
    snap = _snapshot()
    area = resolve_area(snap.geography, "hf", "a")
    assert area is not None
    cells = {c.basic_service: c for c in basic_service_matrix(snap, area)}
    assert list(cells) == ["vurdering", "akutt", "avrusning", "poliklinikk_ambulant", "dogn"]
    assert cells["avrusning"].status == "present" and cells["avrusning"].unit_ids == ("u1",)
    assert cells["dogn"].unit_ids == ("u1", "u2")
    # No offer and no declaration: unknown, not missing. A team that assesses only its own unit is no evidence.
    assert cells["akutt"].status == "unknown" and cells["akutt"].unit_ids == ()
    assert cells["vurdering"].status == "unknown"
    area_b = resolve_area(snap.geography, "hf", "b")
    assert area_b is not None
    vurdering_b = basic_service_matrix(snap, area_b)[0]
    assert vurdering_b.status == "present" and vurdering_b.team_ids == ("t-b",) and vurdering_b.unit_ids == ()


def test_missing_only_with_a_steward_declaration(tmp_path: Path) -> None:
    path = tmp_path / "declarations.csv"
    path.write_text(
        "area_code,basic_service,complete_as_of,source,steward\n"
        "a,akutt,2026-10-01,https://example.org/letter,HF A\n"
        "a,avrusning,2026-10-01,https://example.org/letter,HF A\n",
        encoding="utf-8",
    )
    declarations = load_declarations(path)
    snap = _snapshot()
    area = resolve_area(snap.geography, "hf", "a")
    assert area is not None
    cells = {c.basic_service: c for c in basic_service_matrix(snap, area, declarations)}
    assert cells["akutt"].status == "missing" and cells["akutt"].declaration == declarations[0]
    assert cells["avrusning"].status == "present"  # a declaration never hides a recorded service
    assert cells["poliklinikk_ambulant"].status == "present"
    assert cells["vurdering"].status == "unknown"


def test_bundled_declarations_are_empty() -> None:
    assert load_declarations() == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("area,basic_service\n", "header must be"),
        ("area_code,basic_service,complete_as_of,source,steward\na,teleport,2026-01-01,s,x\n", "row 2"),
        ("area_code,basic_service,complete_as_of,source,steward\na,akutt,01.01.2026,s,x\n", "complete_as_of"),
        (
            "area_code,basic_service,complete_as_of,source,steward\na,akutt,2026-01-01,,x\n",
            "'source' is empty",
        ),
    ],
)
def test_bad_declarations_name_row_and_field(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DeclarationError, match=message) as error:
        load_declarations(path)
    assert "bad.csv" in str(error.value)


def test_adults_are_summed_per_level_without_double_counting() -> None:
    geography = _geography()
    areas = [
        resolve_area(geography, k, c)
        for k, c in [("hf", "a"), ("hf", "b"), ("rhf", "r"), ("kommune", "030101")]
    ]
    adults = adults_by_area(_population(), [a for a in areas if a is not None])
    assert adults == {"a": 9000 + 2000 + 1000, "b": 4000 + 3000, "r": 9000 + 4000 + 6500, "030101": 2000}


def test_unknown_population_member_gives_unknown_denominator() -> None:
    geography = _geography()
    area = resolve_area(geography, "hf", "b")
    assert area is not None
    population = _population()
    assert adults_by_area(population[population["code"] != "2222"], [area]) == {"b": None}


def test_capacity_per_10000_adults() -> None:
    snap = _snapshot()
    area = resolve_area(snap.geography, "hf", "a")
    assert area is not None
    result = capacity(snap, area, _population())
    # u1 states 10 beds on the unit; u2 has no unit count, so its offer's 7 beds are used.
    assert result.beds == 17 and result.places == 30 and result.beds_unknown_units == 0
    assert result.adults == 12000 and result.population_year == 2026
    assert result.beds_per_10k == pytest.approx(17 * 10_000 / 12000)
    assert result.places_per_10k == pytest.approx(30 * 10_000 / 12000)
    without = capacity(snap, area, None)
    assert without.adults is None and without.beds_per_10k is None


def test_inpatient_units_without_beds_are_counted_as_unknown() -> None:
    snap = _snapshot()
    area = resolve_area(snap.geography, "rhf", "r")
    assert area is not None
    bare = RegistrySnapshot.build(
        snap.geography,
        organisations=snap.organisations.values(),
        units=[_unit("u9", "a", "1111")],
        offers=[_offer("u9", "avrusning")],
    )
    result = capacity(bare, area, _population())
    assert result.beds == 0 and result.beds_unknown_units == 1
    assert result.places is None and result.places_per_10k is None  # none stated: unknown, not zero


def test_ownership_split_counts_units_and_beds() -> None:
    snap = _snapshot()
    split = ownership(snap, snap.units.values())
    assert (split.public_units, split.private_units, split.unknown_units) == (1, 2, 0)
    assert (split.public_beds, split.private_beds) == (10, 7 + 5)


def test_freshness_oldest_median_and_unverified() -> None:
    snap = _snapshot()
    result = freshness(snap.units.values())
    assert result.oldest_verified == date(2025, 1, 1)
    assert result.median_verified == date(2025, 1, 1)  # median_low of two dates
    assert result.unverified_units == 1
    assert freshness([]).oldest_verified is None


def test_summary_of_the_bundled_registry(bundled_snapshot: RegistrySnapshot) -> None:
    area = resolve_area(bundled_snapshot.geography, "hf", "unn")
    assert area is not None
    summary = summarise_area(bundled_snapshot, area, _population_2026())
    assert len(summary.matrix) == 5
    assert summary.capacity.adults is not None and summary.capacity.adults > 100_000
    assert all(bundled_snapshot.units[u].catchment_code == "unn" for u in summary.unit_ids)


def _population_2026() -> pd.DataFrame:
    from tsbkart.reference.population import load_population

    return load_population(2026)


def test_oslo_residents_in_no_listed_bydel_go_to_the_trust_that_holds_all_unlisted_bydeler() -> None:
    """Sentrum, Marka and 'unknown district' have no population rows; all three belong to OUS (SKDE)."""
    from tsbkart.reference.geography import load_geography
    from tsbkart.reference.population import load_population

    geography = load_geography()
    population = load_population(2026)
    oslo_hfs = ["ous", "lovisenberg", "diakonhjemmet"]
    areas = [resolve_area(geography, "hf", code) for code in oslo_hfs]
    adults = adults_by_area(population, [a for a in areas if a is not None])
    assert all(adults[code] is not None for code in oslo_hfs)
    sentrum = resolve_area(geography, "kommune", "030116")
    assert sentrum is not None
    assert adults_by_area(population, [sentrum])["030116"] is None  # a share of the remainder is unknown
    oslo_adults = int(population[(population.code == "0301") & (population.age >= 18)].population.sum())
    bydel_rows = population[(population.level == "bydel") & (population.age >= 18)]
    outside_oslo_hfs = int(bydel_rows[bydel_rows.code.isin(["030110", "030111", "030112"])].population.sum())
    assert sum(adults[c] or 0 for c in oslo_hfs) + outside_oslo_hfs == oslo_adults
