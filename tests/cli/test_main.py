from pathlib import Path

import pytest
from typer.testing import CliRunner

from tsbkart.cli import context
from tsbkart.cli.main import app


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("TSBKART_DATABASE_URL", url)
    context.settings.cache_clear()
    context.engine.cache_clear()
    yield url
    context.settings.cache_clear()
    context.engine.cache_clear()


def test_load_reference_then_history(cli_db: str) -> None:
    runner = CliRunner()
    loaded = runner.invoke(app, ["load-reference", "--population-from", "2026"])
    assert loaded.exit_code == 0, loaded.output
    shown = runner.invoke(app, ["history", "unn-avrusning-tromso"])
    assert shown.exit_code == 0, shown.output
    assert "tsbkart reference loader (system reference-loader)" in shown.output and "create" in shown.output


def test_history_names_the_cli_actor_of_an_import(cli_db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["load-reference", "--population-from", "2026"]).exit_code == 0
    rows = "id,name,organisation_id,source,beds\n" + (
        "unn-avrusning-tromso,Avrusning Tromsø,universitetssykehuset-nord-norge-hf,https://example.org/a,12\n"
    )
    (tmp_path / "units.csv").write_text(rows, encoding="utf-8")
    blank = ["import", str(tmp_path / "units.csv"), "--actor", " ", "--reason", "beds"]
    assert runner.invoke(app, blank).exit_code == 2
    args = [
        "import",
        str(tmp_path / "units.csv"),
        "--actor",
        "kari@unn",
        "--reason",
        "beds from annual report",
    ]
    imported = runner.invoke(app, args)
    assert imported.exit_code == 0, imported.output
    shown = runner.invoke(app, ["history", "unn-avrusning-tromso"])
    assert "kari@unn (cli) · beds from annual report" in shown.output
    assert "beds: 10 → 12" in shown.output


def test_history_of_an_unknown_unit_fails(cli_db: str) -> None:
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(app, ["history", "no-such-unit"])
    assert result.exit_code == 1


@pytest.mark.parametrize("command", [["check"], ["history", "some-unit"]])
def test_a_database_without_a_registry_says_what_to_run(cli_db: str, command: list[str]) -> None:
    done = CliRunner().invoke(app, command)
    assert done.exit_code == 2
    assert "tsbkart db build-default" in done.output and "Traceback" not in done.output
    assert "OperationalError" not in done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
