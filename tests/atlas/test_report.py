from datetime import date

from tests.atlas.world import population, snapshot
from tsbkart.atlas.coverage import CoverageDeclaration
from tsbkart.atlas.report import build_report, coverage_table


def test_unknown_is_unknown_and_missing_needs_a_declaration() -> None:
    declared = [CoverageDeclaration("south", "akutt", date(2026, 1, 1), "steward letter", "South HF")]
    report = build_report(snapshot(), "south", population(), declared)
    assert report is not None
    status = {cell.code: cell.status for cell in report.matrix}
    assert status["akutt"] == "missing"  # declared complete
    assert status["avrusning"] == "unknown"  # not declared: never "missing"
    assert status["poliklinikk_ambulant"] == "present" and status["lar"] == "present"
    assert status["lar_lavterskel"] == "unknown"
    assert {c.code for c in report.gaps} == {c.code for c in report.matrix if c.status != "present"}
    cells = {c.code: c for c in report.matrix}
    assert cells["dogn"].unit_ids == ("u-gamma-dogn",)


def test_report_access_and_positions() -> None:
    report = build_report(snapshot(), "north", population())
    assert report is not None
    dogn = next(a for a in report.access if a.service == "dogn")
    assert dogn.share_30 == 0.25 and dogn.share_120 == 1.0
    akutt = next(a for a in report.access if a.service == "akutt")
    assert akutt.share_120 == 0.0 and akutt.mean_km is None  # no akutt anywhere
    beds = next(p for p in report.positions if p.indicator.id == "beds_per_10k")
    assert beds.rank == (1, 2)


def test_unknown_catchment() -> None:
    assert build_report(snapshot(), "nope", population()) is None


def test_coverage_table_for_kommune_and_region() -> None:
    table = coverage_table(snapshot(), "kommune", population(), codes=["1001"])
    assert table.loc[0, "dogn"] == "present" and table.loc[0, "akutt"] == "unknown"
    assert table.loc[0, "beds"] == 10
    region = coverage_table(snapshot(), "rhf", population())
    assert list(region["code"]) == ["r"] and region.loc[0, "lar"] == "present"
