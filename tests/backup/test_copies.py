"""Restore drill on SQLite and PostgreSQL: back up, change, restore, compare exports; and a backup that does
not verify is refused before the live database is touched."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.exchange.helpers import offer_row, seeded_registry, write_csv
from tsbkart.backup.copies import BackupFailed, backup, restore
from tsbkart.cli import context
from tsbkart.cli.main import app
from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.exchange.export import export_csv
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.store import Registry
from tsbkart.stewardship import audit


def _exports(url: str) -> str:
    engine = make_engine(url)
    try:
        snapshot = Registry(engine).snapshot()
        return "".join(export_csv(snapshot, kind) for kind in KINDS.names())
    finally:
        engine.dispose()


def _prepare(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
    seeded_registry(engine)
    engine.dispose()


def _forget_cli_engine() -> None:
    if context.engine.cache_info().currsize:
        context.engine().dispose()
    context.engine.cache_clear()
    context.settings.cache_clear()


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI reads TSBKART_DATABASE_URL afresh in each test."""
    monkeypatch.setenv("COLUMNS", "200")
    _forget_cli_engine()
    yield
    _forget_cli_engine()


def _drill(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSBKART_DATABASE_URL", url)
    _forget_cli_engine()
    runner = CliRunner()
    before = _exports(url)

    made = runner.invoke(app, ["backup", "--output", str(tmp_path / "backups"), "--language", "en"])
    assert made.exit_code == 0, made.output
    [path] = list((tmp_path / "backups").iterdir())
    assert path.stat().st_size > 0 and "Backup written to" in made.output

    rows = [offer_row(i) for i in range(5)]
    changed = runner.invoke(
        app, ["import", str(write_csv(tmp_path / "tilbud.csv", rows)), "--actor", "t", "--reason", "change"]
    )
    assert changed.exit_code == 0, changed.output
    assert _exports(url) != before

    restored = runner.invoke(app, ["restore", str(path), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "Gjenopprettet fra" in restored.output  # bokmål by default
    for check in ("integritet", "skjema", "historikk", "revisjonslogg"):
        assert check in restored.output
    assert _exports(url) == before
    engine = make_engine(url)
    try:
        result = audit.verify(engine)
        assert result.ok and result.events == 1  # the restore itself, appended to the verified chain
    finally:
        engine.dispose()


def test_restore_drill_on_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_database: None) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    _prepare(url)
    _drill(url, tmp_path, monkeypatch)


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A database of its own (a dump holds a whole database), dropped afterwards."""
    admin_url = os.environ.get("TSBKART_TEST_DATABASE_URL")
    if not admin_url:
        if os.environ.get("CI") == "true":
            raise RuntimeError("TSBKART_TEST_DATABASE_URL must be set in CI")
        pytest.skip("TSBKART_TEST_DATABASE_URL not set")
    name = f"tsbkart_drill_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_restore_drill_on_postgresql(
    postgres_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_database: None
) -> None:
    _prepare(postgres_database)
    _drill(postgres_database, tmp_path, monkeypatch)


def test_a_backup_that_fails_verification_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    _prepare(url)
    path = backup(url, tmp_path / "b.sqlite")
    before = _exports(url)
    # The records no longer match the revision log: someone edited the table behind the registry's back.
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE units SET name = 'Edited behind the log' WHERE id = 'u1'")
    with pytest.raises(BackupFailed) as refused:
        restore(url, path)
    assert refused.value.verification is not None
    assert [c.name for c in refused.value.verification.checks if c.problems] == ["history"]
    assert _exports(url) == before


def test_a_damaged_or_missing_backup_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    _prepare(url)
    path = backup(url, tmp_path / "b.sqlite")
    before = _exports(url)
    data = bytearray(path.read_bytes())
    data[: len(data) // 2] = b"\x00" * (len(data) // 2)
    path.write_bytes(bytes(data))
    with pytest.raises(BackupFailed, match=r"not a SQLite database|fails verification"):
        restore(url, path)
    with pytest.raises(BackupFailed, match="no backup file"):
        restore(url, tmp_path / "none.sqlite")
    with pytest.raises(BackupFailed, match="exists already"):
        backup(url, tmp_path / "live.sqlite")
    assert _exports(url) == before


def test_restore_asks_first_and_backup_errors_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_database: None
) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    _prepare(url)
    monkeypatch.setenv("TSBKART_DATABASE_URL", url)
    runner = CliRunner()
    path = backup(url, tmp_path / "b.sqlite")
    declined = runner.invoke(app, ["restore", str(path)], input="n\n")
    assert declined.exit_code == 1 and "Erstatte databasen" in declined.output
    missing = runner.invoke(app, ["restore", str(tmp_path / "nope.sqlite"), "--yes", "--language", "en"])
    assert (
        missing.exit_code == 1 and "no backup file at" in missing.output and "Traceback" not in missing.output
    )
