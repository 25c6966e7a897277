import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from tsbkart.cli.main import app

runner = CliRunner()


def test_population_names_its_projection_and_gives_whole_persons() -> None:
    result = runner.invoke(
        app, ["plan", "population", "--level", "region", "--years", "2026,2040", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["about"]["projection"] == "hamilton-perry"
    rows = body["rows"]
    assert {r["year"] for r in rows} == {2026, 2040} and len({r["code"] for r in rows}) == 4
    assert {r["projection"] for r in rows if r["year"] == 2026} == {"observed"}
    assert all(isinstance(r["population"], int) for r in rows)


def test_population_csv_for_one_municipality_by_sex() -> None:
    result = runner.invoke(
        app, ["plan", "population", "--level", "kommune", "--area", "5501", "--by-sex", "--format", "csv"]
    )
    assert result.exit_code == 0
    header, *lines = result.stdout.strip().splitlines()
    assert header == "year,level,code,name,sex,age_group,population,projection"
    assert len(lines) == 4 * 2 * 6 and all(",5501,Tromsø," in line for line in lines)


def test_capacity_says_its_usage_is_national_rates_and_gives_a_band() -> None:
    result = runner.invoke(
        app, ["plan", "capacity", "--level", "nation", "--years", "2040", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert "national rates" in body["about"]["usage"] and body["about"]["scenario"] == "illustrative"
    beds = next(r for r in body["rows"] if r["output"] == "beds")
    assert beds["low"] < beds["value"] < beds["high"]


def test_capacity_reads_a_usage_file_and_refuses_bad_input(tmp_path: Path) -> None:
    example = runner.invoke(app, ["plan", "capacity", "--example-usage"])
    path = tmp_path / "use.csv"
    path.write_text(example.stdout, encoding="utf-8")
    ok = runner.invoke(app, ["plan", "capacity", "--usage", str(path), "--band", "none", "--format", "csv"])
    assert ok.exit_code == 0 and ok.stdout.startswith("year,level,code,name,output,value,low,high")
    path.write_text(example.stdout.replace("female", "woman"), encoding="utf-8")
    bad = runner.invoke(app, ["plan", "capacity", "--usage", str(path)])
    assert bad.exit_code == 2 and "use.csv, line 2, field 'sex'" in bad.output
    for args in (
        ["--set", "need_gap.patients=3"],
        ["--utilisation", "0.95"],
        ["--band", "wide"],
        ["--years", "1999"],
    ):
        refused = runner.invoke(app, ["plan", "capacity", *args])
        assert refused.exit_code == 2 and "Traceback" not in refused.output, args


def test_goldenrule_shows_gaps_as_gaps() -> None:
    result = runner.invoke(app, ["plan", "goldenrule", "--group", "costs", "--sector", "TSB"])
    assert result.exit_code == 0
    assert "holds" in result.stdout and "gap" in result.stdout
    csv = runner.invoke(app, ["plan", "goldenrule", "--format", "csv", "--verified-only"])
    assert csv.exit_code == 0 and "somatic_growth" in csv.stdout.splitlines()[0]
    bad = runner.invoke(app, ["plan", "goldenrule", "--sector", "dentistry"])
    assert bad.exit_code == 2 and "unknown sector" in bad.output


def test_trend_gives_the_pages_numbers_with_their_basis(
    reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tsbkart.cli import context
    from tsbkart.planning.views import trend_view

    monkeypatch.setenv("TSBKART_DATABASE_URL", str(reference_engine.url))
    context.settings.cache_clear()
    context.engine.cache_clear()
    try:
        args = [
            "plan",
            "trend",
            "--indicator",
            "beds_per_10k",
            "--level",
            "rhf",
            "--dates",
            "2025-01-01,2026-12-01",
        ]
        result = runner.invoke(app, [*args, "--format", "json"])
        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert "valid time" in body["about"]["basis"]
        assert len(body["rows"]) == 2 * 4 and {r["level"] for r in body["rows"]} == {"region"}
        expected = trend_view(
            reference_engine, "beds_per_10k", "region", dates=[date(2025, 1, 1), date(2026, 12, 1)]
        )
        assert [r["value"] for r in body["rows"]] == pytest.approx(expected["value"].tolist(), nan_ok=True)
        bad = runner.invoke(app, ["plan", "trend", "--dates", "1.1.2025"])
        assert bad.exit_code == 2 and "--dates" in bad.output
        assert runner.invoke(app, ["plan", "trend", "--indicator", "nope"]).exit_code == 2
    finally:
        context.settings.cache_clear()
        context.engine.cache_clear()
