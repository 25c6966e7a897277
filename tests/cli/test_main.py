from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tsbkart.cli import context, main
from tsbkart.cli.main import app
from tsbkart.domain.actors import Actor
from tsbkart.reference.build import SEED_ACTOR, SEED_REASON
from tsbkart.registry.store import Registry, Upsert


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


def _words(output: str) -> str:
    return " ".join(output.split())  # the console wraps long lines


def _built_with_older_bundled_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry an earlier tsbkart built: the reference loader wrote another name for one unit. Loads from
    build-default keep to one population year, as the other tests do."""
    assert CliRunner().invoke(app, ["load-reference", "--population-from", "2026"]).exit_code == 0
    load = main._load_reference
    monkeypatch.setattr(main, "_load_reference", lambda _: load(2026))
    registry = Registry(context.engine())
    held = registry.snapshot().units["unn-avrusning-tromso"]
    registry.commit([Upsert(replace(held, name="Old name"))], actor=SEED_ACTOR, reason=SEED_REASON)


def test_build_default_on_a_current_database_says_it_holds_the_bundled_data(cli_db: str) -> None:
    assert CliRunner().invoke(app, ["load-reference", "--population-from", "2026"]).exit_code == 0
    done = CliRunner().invoke(app, ["db", "build-default"])
    assert done.exit_code == 0, done.output
    assert "har de medfølgende dataene i denne versjonen" in _words(done.output)


def test_build_default_loads_newer_bundled_data_while_only_the_loader_wrote(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _built_with_older_bundled_data(monkeypatch)
    done = CliRunner().invoke(app, ["db", "build-default"])
    assert done.exit_code == 0, done.output
    assert "1 poster skiller seg fra de medfølgende dataene" in _words(done.output)
    assert "Referansedata lastet" in done.output
    assert Registry(context.engine()).snapshot().units["unn-avrusning-tromso"].name != "Old name"


def test_build_default_keeps_steward_changes_and_says_what_to_run(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _built_with_older_bundled_data(monkeypatch)
    registry = Registry(context.engine())
    held = registry.snapshot().units["unn-avrusning-tromso"]
    steward = Actor("user", "kari", "Kari")
    registry.commit([Upsert(replace(held, beds=99))], actor=steward, reason="beds from the annual report")
    done = CliRunner().invoke(app, ["db", "build-default"])
    assert done.exit_code == 0, done.output
    said = _words(done.output)
    assert "1 medfølgende poster skiller seg" in said and "1 av dem sist endret av en forvalter" in said
    assert "Kjør `tsbkart load-reference --overwrite-edits`" in said and "Referansedata lastet" not in said
    kept = Registry(context.engine()).snapshot().units["unn-avrusning-tromso"]
    assert (kept.name, kept.beds) == ("Old name", 99)


def _edited_by_a_steward() -> None:
    registry = Registry(context.engine())
    held = registry.snapshot().units["unn-avrusning-tromso"]
    registry.commit(
        [Upsert(replace(held, beds=99))], actor=Actor("user", "kari", "Kari"), reason="annual report"
    )


def test_load_reference_refuses_to_write_over_a_stewards_change(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _built_with_older_bundled_data(monkeypatch)
    _edited_by_a_steward()
    done = CliRunner().invoke(app, ["load-reference", "--population-from", "2026"])
    assert done.exit_code == 1, done.output
    said = _words(done.output)
    assert "Ingenting lastet: 1 av de 1 postene" in said and "--overwrite-edits" in said
    assert "Traceback" not in said and "Referansedata lastet" not in said
    assert Registry(context.engine()).snapshot().units["unn-avrusning-tromso"].beds == 99


def test_load_reference_overwrites_edits_when_told(cli_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _built_with_older_bundled_data(monkeypatch)
    _edited_by_a_steward()
    done = CliRunner().invoke(app, ["load-reference", "--population-from", "2026", "--overwrite-edits"])
    assert done.exit_code == 0, done.output
    assert "Referansedata lastet" in done.output
    unit = Registry(context.engine()).snapshot().units["unn-avrusning-tromso"]
    assert unit.name != "Old name" and unit.beds != 99


def test_load_reference_without_edits_loads_as_before(cli_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _built_with_older_bundled_data(monkeypatch)
    done = CliRunner().invoke(app, ["load-reference", "--population-from", "2026"])
    assert done.exit_code == 0, done.output
    assert Registry(context.engine()).snapshot().units["unn-avrusning-tromso"].name != "Old name"


def test_build_default_speaks_english_when_asked(cli_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert CliRunner().invoke(app, ["load-reference", "--population-from", "2026"]).exit_code == 0
    monkeypatch.setenv("TSBKART_DEFAULT_LANGUAGE", "en")
    context.settings.cache_clear()
    done = CliRunner().invoke(app, ["db", "build-default"])
    assert "it holds this version's bundled data" in _words(done.output)
