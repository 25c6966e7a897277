from datetime import date

from tests.atlas.world import population, snapshot
from tsbkart.atlas.coverage import CoverageDeclaration
from tsbkart.atlas.report import build_report, coverage_table, report_sources


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


def test_report_sources_count_the_records_and_indicators_citing_them() -> None:
    world = snapshot()
    report = build_report(world, "north", population())
    assert report is not None
    sources = report_sources(world, report)
    cited = {s.source: s.cited_by for s in sources}
    expected = [world.units[u].provenance.source for u in report.coverage.unit_ids]
    expected += [o.provenance.source for u in report.coverage.unit_ids for o in world.offers_of(u)]
    assert sum(n for s, n in cited.items() if s in set(expected)) >= len(expected)
    assert {p.indicator.source for p in report.positions} <= set(cited)
    counts = [s.cited_by for s in sources[: len(set(expected))]]
    assert counts == sorted(counts, reverse=True)  # most cited registry source first
