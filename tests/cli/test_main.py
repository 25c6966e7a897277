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
    assert "tsbkart reference loader" in shown.output and "create" in shown.output


def test_history_of_an_unknown_unit_fails(cli_db: str) -> None:
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(app, ["history", "no-such-unit"])
    assert result.exit_code == 1
