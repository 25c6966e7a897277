"""`tsbkart import/export/template/check` against a tmp SQLite database."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from tests.exchange.helpers import seeded_registry
from typer.testing import CliRunner

from tsbkart.cli import context
from tsbkart.cli.main import app
from tsbkart.db.migrate import upgrade
from tsbkart.exchange.columns import load_columns
from tsbkart.exchange.hsds import hsds_id
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography

SOURCE = "synthetic test data"


def offer_row(i: int, **overrides: str) -> dict[str, str]:
    row = {"id": f"u1/offer-{i:04d}", "unit_id": "u1", "service_type": "poliklinikk", "source": SOURCE}
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = load_columns()["offer"].names
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: row.get(k, "") for k in columns} for row in rows)
    return path


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("TSBKART_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    context.settings.cache_clear()
    context.engine.cache_clear()
    engine = context.engine()
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
    seeded_registry(engine)
    yield url
    context.settings.cache_clear()
    context.engine.cache_clear()


def _export(runner: CliRunner, folder: Path) -> dict[str, str]:
    result = runner.invoke(app, ["export", "--format", "csv", "--output", str(folder)])
    assert result.exit_code == 0, result.output
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def test_failed_import_prints_every_problem_exits_1_and_changes_nothing(cli_db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    rows = [offer_row(i) for i in range(1000)]
    rows[9] = offer_row(9, age_min="atten")
    rows[10] = offer_row(10, intake_status="maybe")
    rows[500] = offer_row(500, source="")
    path = write_csv(tmp_path / "tilbud.csv", rows)
    before = _export(runner, tmp_path / "before")

    result = runner.invoke(app, ["import", str(path), "--actor", "steward", "--reason", "update"])

    assert result.exit_code == 1
    assert "3 problemer" in result.output and "Ingenting ble importert" in result.output  # bokmål by default
    assert "alder" not in result.output and "forventet et heltall, fikk 'atten'" in result.output
    for row, field in (("11", "age_min"), ("12", "intake_status"), ("502", "source")):
        assert any(
            row in line and field in line and "tilbud.csv" in line for line in result.output.splitlines()
        )
    assert _export(runner, tmp_path / "after") == before


def test_good_import_then_export_formats(cli_db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    path = write_csv(tmp_path / "offers.csv", [offer_row(i) for i in range(3)])
    missing_reason = runner.invoke(app, ["import", str(path), "--actor", "steward"])
    assert missing_reason.exit_code == 2
    result = runner.invoke(app, ["import", str(path), "--actor", "steward", "--reason", "update"])
    assert result.exit_code == 0, result.output
    assert "revisjon 2" in result.output and "3 opprettet" in result.output and "3 tilbud" in result.output

    offers = runner.invoke(app, ["export", "--kind", "offer"])
    assert offers.exit_code == 0 and offers.stdout.count("\n") == 4
    geo = runner.invoke(app, ["export", "--format", "geojson"])
    assert {f["id"] for f in json.loads(geo.stdout)["features"]} == {"u1", "u2"}
    xlsx = runner.invoke(app, ["export", "--format", "xlsx", "--output", str(tmp_path / "x.xlsx")])
    assert xlsx.exit_code == 0 and (tmp_path / "x.xlsx").stat().st_size > 0
    past = runner.invoke(app, ["export", "--kind", "offer", "--as-of", "2000-01-01"])
    assert past.exit_code == 0 and past.stdout.count("\n") == 1  # header only: nothing existed then
    bad = runner.invoke(app, ["export", "--as-of", "yesterday"])
    assert bad.exit_code == 2


def test_template_and_check(cli_db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    xlsx = runner.invoke(app, ["template", "--output", str(tmp_path / "mal.xlsx")])
    assert xlsx.exit_code == 0 and (tmp_path / "mal.xlsx").exists()
    csvs = runner.invoke(app, ["template", "--format", "csv", "--output", str(tmp_path / "mal")])
    assert csvs.exit_code == 0 and len(list((tmp_path / "mal").glob("*.csv"))) == 4

    text = runner.invoke(app, ["check"])
    assert text.exit_code == 0 and "Approximate location: 1" in text.stdout
    report = json.loads(runner.invoke(app, ["check", "--format", "json"]).stdout)
    approximate = next(c for c in report["categories"] if c["code"] == "approximate")
    assert [f["id"] for f in approximate["findings"]] == ["u2"]


def test_export_hsds_and_fhir(cli_db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    hsds = runner.invoke(app, ["export", "--format", "hsds"])
    assert hsds.exit_code == 0, hsds.output
    doc = json.loads(hsds.stdout)
    assert [o["id"] for o in doc["organizations"]] == [hsds_id("organisation", "org")]
    # The team's place is not known, so it has no location.
    assert [loc["id"] for loc in doc["locations"]] == [hsds_id("unit", "u1"), hsds_id("unit", "u2")]
    assert [s["id"] for s in doc["services"]] == [hsds_id("team", "team")]

    path = tmp_path / "bundle.json"
    fhir = runner.invoke(app, ["export", "--format", "fhir", "--output", str(path)])
    assert fhir.exit_code == 0, fhir.output
    bundle = json.loads(path.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    kinds = [(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]]
    assert kinds[:3] == [("Organization", "org"), ("Location", "u1"), ("Location", "u2")]
    assert [k for k, _ in kinds[3:]] == ["HealthcareService"]

    past_hsds = runner.invoke(app, ["export", "--format", "hsds", "--as-of", "2000-01-01"])
    assert past_hsds.exit_code == 0 and json.loads(past_hsds.stdout)["organizations"] == []
    past_fhir = runner.invoke(app, ["export", "--format", "fhir", "--as-of", "2000-01-01"])
    assert past_fhir.exit_code == 0 and "entry" not in json.loads(past_fhir.stdout)
    help_text = runner.invoke(app, ["export", "--help"]).output
    assert "hsds" in help_text and "fhir" in help_text


def test_import_messages_in_english_name_file_row_and_field(cli_db: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tilbud.csv", [offer_row(0), offer_row(1, open_24_7="kanskje")])
    result = CliRunner().invoke(
        app, ["import", str(path), "--actor", "s", "--reason", "r", "--language", "en"]
    )
    assert result.exit_code == 1 and "1 problem" in result.output and "Nothing was imported." in result.output
    [line] = [line for line in result.output.splitlines() if "kanskje" in line]
    assert "tilbud.csv" in line and " 3 " in line and "open_24_7" in line and "expected ja/nei" in line


def test_bad_encoding_and_language_arguments_exit_2(cli_db: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tilbud.csv", [offer_row(0)])
    args = ["import", str(path), "--actor", "s", "--reason", "r"]
    bad_encoding = CliRunner().invoke(app, [*args, "--encoding", "klingon"])
    assert bad_encoding.exit_code == 2 and "ukjent tegnkoding 'klingon'" not in bad_encoding.output
    assert "ukjent tegnkoding klingon" in bad_encoding.output
    assert CliRunner().invoke(app, [*args, "--language", "de"]).exit_code == 2


def test_a_hostile_file_is_one_line_not_a_traceback(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "tilbud.csv"
    path.write_bytes(b"id;unit_id;service_type;source\nu1/a;u1;akutt;k\xf8\xc3\xb8\n")
    result = CliRunner().invoke(app, ["import", str(path), "--actor", "s", "--reason", "r"])
    assert result.exit_code == 1 and result.exception is not None and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "er ikke gyldig UTF-8" in result.output


@pytest.mark.parametrize("query", ["", "area=ous", "service_type=poliklinikk&near=59.9,10.7", "q=two"])
def test_geojson_export_is_the_api_document(cli_db: str, query: str) -> None:
    """One builder: before #9 the CLI wrote its own GeoJSON (full records, offers, no paging fields)."""
    from tests.web.api_client import client_for

    args = ["export", "--format", "geojson"] + (["--query", query] if query else [])
    exported = CliRunner().invoke(app, args)
    assert exported.exit_code == 0, exported.output
    served = client_for(context.engine()).get(f"/api/v1/units.geojson?{query}")
    assert served.status_code == 200
    assert json.loads(exported.stdout) == served.json()


def test_geojson_export_rejects_a_bad_query(cli_db: str) -> None:
    result = CliRunner().invoke(app, ["export", "--format", "geojson", "--query", "service_type=nope"])
    assert result.exit_code == 2 and "service_type" in result.output
    other = CliRunner().invoke(app, ["export", "--format", "csv", "--query", "area=ous"])
    assert other.exit_code == 2 and "geojson" in other.output


def test_imports_are_audited_and_counted_by_the_server(cli_db: str, tmp_path: Path) -> None:
    from tests.web.api_client import TestClient, app_for

    from tsbkart.stewardship.audit import AuditFilter, search

    runner = CliRunner()
    good = write_csv(tmp_path / "tilbud.csv", [offer_row(1)])
    bad = write_csv(tmp_path / "feil.csv", [offer_row(2, intake_status="maybe")])
    assert runner.invoke(app, ["import", str(good), "--actor", "steward", "--reason", "x"]).exit_code == 0
    assert runner.invoke(app, ["import", str(bad), "--actor", "steward", "--reason", "x"]).exit_code == 1
    assert runner.invoke(app, ["import", str(bad), "--actor", "steward", "--reason", "x"]).exit_code == 1
    events = search(context.engine(), AuditFilter()).events
    imports = [e for e in events if e["action"].startswith("import_")]
    assert sorted((e["action"], e["target"]) for e in imports) == [
        ("import_committed", "tilbud.csv"),
        ("import_failed", "feil.csv"),
        ("import_failed", "feil.csv"),
    ]
    assert all("maybe" not in str(e["detail"]) for e in imports)  # counts, never content
    metrics = TestClient(app_for(context.engine())[0]).get("/metrics").text
    assert 'tsbkart_imports_total{outcome="ok"} 1.0' in metrics
    assert 'tsbkart_imports_total{outcome="failed"} 2.0' in metrics
