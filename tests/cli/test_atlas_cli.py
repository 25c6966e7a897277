"""``tsbkart atlas`` through Typer's CliRunner against a temporary reference database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tsbkart.cli import context
from tsbkart.cli.main import app
from tsbkart.db.engine import make_engine
from tsbkart.reference.build import build_reference


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("atlas-cli") / "tsbkart.sqlite"
    build_reference(make_engine(f"sqlite:///{path}"), years=range(2026, 2027))
    return f"sqlite:///{path}"


@pytest.fixture
def runner(database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TSBKART_DATABASE_URL", database)
    context.settings.cache_clear()
    context.engine.cache_clear()
    yield CliRunner()
    context.settings.cache_clear()
    context.engine.cache_clear()


def test_coverage_every_catchment_as_csv(runner: CliRunner) -> None:
    result = runner.invoke(app, ["atlas", "coverage", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("kind,code,name,vurdering,akutt,avrusning,poliklinikk_ambulant,dogn,lar")
    assert len(lines) == 22
    assert "unknown" in result.stdout


def test_coverage_of_one_municipality_as_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["atlas", "coverage", "--area", "5501", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["kind"] == "kommune" and rows[0]["code"] == "5501"


def test_unknown_area_is_a_clear_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["atlas", "coverage", "--area", "nowhere"])
    assert result.exit_code == 2
    assert "Unknown area code" in result.output


def test_access_shares(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["atlas", "access", "--service", "avrusning", "--level", "nation", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout.splitlines()[0])[0]
    assert 0 < row["share_within_30_km"] <= row["share_within_60_km"] <= row["share_within_120_km"] <= 1
    bad = runner.invoke(app, ["atlas", "access", "--service", "sauna"])
    assert bad.exit_code == 2


def test_variation(runner: CliRunner) -> None:
    result = runner.invoke(app, ["atlas", "variation", "--indicator", "helseatlas_pasientrate_18_24"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["n_areas"] == 21 and stats["scv"] is not None and "NOT verified" in stats["caveat"]
    listing = runner.invoke(app, ["atlas", "variation", "--list"])
    assert "beds_per_10k" in listing.stdout


def test_report_text_html_and_pdf(runner: CliRunner, tmp_path: Path) -> None:
    text = runner.invoke(app, ["atlas", "report", "finnmark"])
    assert text.exit_code == 0, text.output
    assert "Finnmarkssykehuset HF" in text.stdout and "unknown" in text.stdout
    html_path = tmp_path / "finnmark.html"
    html = runner.invoke(app, ["atlas", "report", "finnmark", "--output", str(html_path)])
    assert html.exit_code == 0, html.output
    assert 'data-status="unknown"' in html_path.read_text(encoding="utf-8")
    pdf_path = tmp_path / "finnmark.pdf"
    pdf = runner.invoke(app, ["atlas", "report", "finnmark", "--output", str(pdf_path)])
    assert pdf.exit_code == 0, pdf.output
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    bad = runner.invoke(app, ["atlas", "report", "finnmark", "--output", str(tmp_path / "x.docx")])
    assert bad.exit_code == 2


@pytest.mark.parametrize("language", ["nb", "en"])
def test_report_file_is_the_page_the_web_serves(runner: CliRunner, tmp_path: Path, language: str) -> None:
    """One renderer (web.atlas.report_html) for the page and the CLI."""
    from tests.web.api_client import client_for

    path = tmp_path / "unn.html"
    result = runner.invoke(app, ["atlas", "report", "unn", "--output", str(path), "--lang", language])
    assert result.exit_code == 0, result.output
    served = client_for(context.engine()).get(f"/atlas/rapport/unn?lang={language}")
    assert served.status_code == 200
    assert path.read_text(encoding="utf-8") == served.text
