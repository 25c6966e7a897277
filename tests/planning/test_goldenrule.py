from pathlib import Path

import pandas as pd
import pytest

from tsbkart.planning.goldenrule import (
    GoldenRuleImportError,
    golden_rule,
    read_golden_rule_series,
    rule_matrix,
)
from tsbkart.planning.series import load_series

HEADER = "area_level,area_code_or_name,year,measure,sector,value,unit,source,note\n"


def series(tmp_path: Path, rows: str) -> pd.DataFrame:
    path = tmp_path / "rule.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return read_golden_rule_series(path)


def two_years(sector: str, measure: str, unit: str, first: float, second: float, note: str = "") -> str:
    return "".join(
        f"RHF,Helse Nord RHF,{year},{measure},{sector},{value},{unit},https://example.test/{sector},{note}\n"
        for year, value in ((2020, first), (2021, second))
    )


def one(result: pd.DataFrame, sector: str) -> pd.Series:
    rows = result[(result["sector"] == sector) & result["holds"].notna()]
    assert len(rows) == 1
    return rows.iloc[0]


def test_costs_hold_when_tsb_grows_faster_than_somatic_care(tmp_path: Path) -> None:
    data = series(
        tmp_path,
        two_years("somatic", "operating_cost", "MNOK", 1000, 1030)  # +3 %
        + two_years("TSB", "operating_cost", "MNOK", 100, 105)  # +5 %: holds
        + two_years("PHV_adult", "operating_cost", "MNOK", 200, 202),  # +1 %: fails
    )
    result = golden_rule(data)
    tsb, phv = one(result, "TSB"), one(result, "PHV_adult")
    assert tsb["growth"] == pytest.approx(5.0) and tsb["somatic_growth"] == pytest.approx(3.0)
    assert bool(tsb["holds"]) and not bool(phv["holds"]) and tsb["rule"] == "higher"
    assert tsb["year"] == 2021 and tsb["basis"] == "computed from levels"


def test_waiting_time_holds_only_with_a_larger_fall_than_somatic_care(tmp_path: Path) -> None:
    data = series(
        tmp_path,
        two_years("somatic", "mean_wait_days", "days", 60, 57)  # -5 %
        + two_years("TSB", "mean_wait_days", "days", 40, 36)  # -10 %: a larger fall, holds
        + two_years("PHBU", "mean_wait_days", "days", 50, 49),  # -2 %: a smaller fall, fails
    )
    result = golden_rule(data)
    assert bool(one(result, "TSB")["holds"]) and one(result, "TSB")["rule"] == "larger_fall"
    assert not bool(one(result, "PHBU")["holds"])


def test_activity_and_man_years_use_the_same_direction_as_costs(tmp_path: Path) -> None:
    data = series(
        tmp_path,
        two_years("somatic", "man_years", "man-years", 1000, 1010)
        + two_years("TSB", "man_years", "man-years", 100, 100)
        + two_years("somatic", "outpatient_consultations", "count", 1000, 1000)
        + two_years("PHBU", "outpatient_consultations", "count", 100, 120),
    )
    result = golden_rule(data).set_index("group")
    assert not bool(result.loc["man_years", "holds"])
    assert bool(result.loc["activity", "holds"])


def test_a_missing_year_or_an_other_unit_is_a_gap_not_a_verdict(tmp_path: Path) -> None:
    data = series(
        tmp_path,
        two_years("somatic", "operating_cost", "MNOK fixed 2006", 1000, 1030)
        + two_years("TSB", "operating_cost", "MNOK current", 100, 105)
        + "RHF,Helse Nord RHF,2019,operating_cost,TSB,90,MNOK current,https://example.test/TSB,\n"
        + "RHF,Helse Nord RHF,2023,operating_cost,somatic,1100,MNOK fixed 2006,https://example.test/somatic,\n",
    )
    result = golden_rule(data)
    assert result["holds"].isna().all() and len(result) == 2  # TSB 2020 and 2021 have no somatic partner
    assert rule_matrix(result, "costs", "TSB").empty


def test_unverified_rows_are_flagged_or_left_out(tmp_path: Path) -> None:
    rows = two_years("somatic", "operating_cost", "MNOK", 1000, 1030) + two_years(
        "TSB", "operating_cost", "MNOK", 100, 105, note="Value NOT re-read against the original"
    )
    data = series(tmp_path, rows)
    assert not golden_rule(data)["verified"].iloc[0]
    assert golden_rule(data, include_unverified=False).empty


def test_the_matrix_shows_years_without_a_comparison_as_gaps(tmp_path: Path) -> None:
    rows = two_years("somatic", "operating_cost", "MNOK", 1000, 1030) + two_years(
        "TSB", "operating_cost", "MNOK", 100, 105
    )
    later = rows.replace("2020", "2023").replace("2021", "2024")
    matrix = rule_matrix(golden_rule(series(tmp_path, rows + later)), "costs", "TSB")
    assert list(matrix.columns) == [2021, 2022, 2023, 2024]
    assert bool(matrix.loc["Helse Nord RHF", 2021]) and pd.isna(matrix.loc["Helse Nord RHF", 2022])


@pytest.mark.parametrize(
    "row,field",
    [
        ("county,X,2020,operating_cost,TSB,1,MNOK,src,\n", "area_level"),
        ("RHF,X,twenty,operating_cost,TSB,1,MNOK,src,\n", "year"),
        ("RHF,X,2020,operating_cost,dentistry,1,MNOK,src,\n", "sector"),
        ("RHF,X,2020,beds,TSB,1,MNOK,src,\n", "measure"),
        ("RHF,X,2020,operating_cost,TSB,n/a,MNOK,src,\n", "value"),
        ("RHF,X,2020,operating_cost,TSB,1,MNOK,,\n", "source"),
    ],
)
def test_bad_series_files_name_file_line_and_field(tmp_path: Path, row: str, field: str) -> None:
    with pytest.raises(GoldenRuleImportError) as caught:
        series(tmp_path, "RHF,X,2019,operating_cost,TSB,1,MNOK,src,\n" + row)
    assert (caught.value.file, caught.value.line, caught.value.field) == ("rule.csv", 3, field)


def test_the_shipped_figures_all_have_a_source_and_give_tsb_verdicts() -> None:
    shipped = load_series("goldenrule")
    assert (shipped["source"].str.strip() != "").all()
    assert (~shipped["verified"]).sum() == 2  # the two rows marked NOT re-read
    result = golden_rule(shipped)
    tsb_costs = rule_matrix(result, "costs", "TSB")
    assert bool(tsb_costs.loc["Helse Midt-Norge RHF", 2006])
    verdicts = result[result["basis"] == "published verdict"]
    assert set(verdicts["year"]) == {2016} and verdicts["holds"].notna().all()
