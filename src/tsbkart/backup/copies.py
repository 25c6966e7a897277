"""Making a backup of the configured database and restoring one, with the database's own tools.

- SQLite: the online backup API (``sqlite3.Connection.backup``), page by page and consistent while the server
  keeps reading and writing; the backup is one SQLite file. A restore first verifies the backup file
  (``verify.py``), then copies it into the live database with the same API, then verifies the result.
- PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot) and ``pg_restore --clean --if-exists
  --single-transaction``: the restore replaces every object the dump holds, in one transaction, then the
  result is verified. The password travels in ``PGPASSWORD``, never on a command line.

::

    path = backup("sqlite:///var/tsbkart.sqlite", Path("backups"))   # backups/tsbkart-20261201T093000Z.sqlite
    result = restore("sqlite:///var/tsbkart.sqlite", path)             # Verification(ok=True, ...)
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from tsbkart.backup.verify import Verification, verify
from tsbkart.db.engine import make_engine
from tsbkart.domain.messages import Message

SUFFIXES = {"sqlite": ".sqlite", "postgresql": ".pgdump"}


class BackupFailed(RuntimeError):
    """A backup or restore could not be made; ``text`` says why. Nothing was changed by a failed restore
    that failed before writing (a bad backup file is refused before the live database is touched)."""

    def __init__(self, text: Message, verification: Verification | None = None) -> None:
        super().__init__(str(text))
        self.text = text
        self.verification = verification


def backend(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in SUFFIXES:
        raise BackupFailed(Message("backups support SQLite and PostgreSQL, not {backend}", backend=name))
    return name


def backup_path(url: str, target: Path, now: datetime | None = None) -> Path:
    """``target`` itself when it names a file, else a time-stamped file in the folder ``target``."""
    suffix = SUFFIXES[backend(url)]
    if target.suffix:
        return target
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return target / f"tsbkart-{stamp}{suffix}"


def backup(url: str, target: Path, now: datetime | None = None) -> Path:
    """Back up the database at ``url`` to ``target`` (a file, or a folder for a time-stamped file)."""
    path = backup_path(url, target, now)
    if path.exists():
        raise BackupFailed(Message("{path} exists already; choose another name", path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    if backend(url) == "sqlite":
        _sqlite_copy(_sqlite_file(url, must_exist=True), path, standalone=True)
    else:
        _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", f"--file={path}"], url)
    return path


def restore(url: str, source: Path) -> Verification:
    """Replace the database at ``url`` with the backup ``source`` and verify the result.

    A SQLite backup is verified before the live database is touched and refused if it fails; a PostgreSQL dump
    is checked to be a readable archive first. Raises ``BackupFailed``; returns the result's verification.
    """
    if not source.is_file():
        raise BackupFailed(Message("no backup file at {path}", path=source))
    if backend(url) == "sqlite":
        _restore_sqlite(url, source)
    else:
        _run("pg_restore", ["--list", str(source)], url, connect=False)
        _run(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(source),
            ],
            url,
        )
    engine = make_engine(url)
    try:
        return verify(engine)
    finally:
        engine.dispose()


def _restore_sqlite(url: str, source: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        # Verify a copy, so checking cannot change the backup file itself.
        copy = Path(folder) / "check.sqlite"
        try:
            _sqlite_copy(source, copy, standalone=True)
        except sqlite3.DatabaseError:
            raise BackupFailed(Message("{path} is not a SQLite database", path=source)) from None
        engine = make_engine(f"sqlite:///{copy}")
        try:
            checked = verify(engine)
        finally:
            engine.dispose()
        if not checked.ok:
            raise BackupFailed(
                Message("the backup {path} fails verification; nothing was restored", path=source), checked
            )
        _sqlite_copy(copy, _sqlite_file(url, must_exist=False))


def _sqlite_file(url: str, must_exist: bool) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupFailed(Message("an in-memory SQLite database cannot be backed up or restored"))
    path = Path(database)
    if must_exist and not path.is_file():
        raise BackupFailed(Message("no database at {path}", path=path))
    return path


def _sqlite_copy(source: Path, target: Path, standalone: bool = False) -> None:
    """Copy with SQLite's online backup API: consistent even while other connections write, and it reads
    what a WAL file holds (copying the main file alone would lose it). ``standalone`` leaves ``target`` in
    rollback-journal mode, one self-contained file rather than a file that wants a WAL beside it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    with closing(origin), closing(sqlite3.connect(target)) as destination:
        origin.backup(destination)
        if standalone:
            destination.execute("PRAGMA journal_mode=DELETE")


def _libpq(url: str) -> tuple[str, Mapping[str, str]]:
    """A libpq connection URI without the password, and the environment that carries the password."""
    parsed: URL = make_url(url)
    environment = dict(os.environ)
    if parsed.password is not None:
        environment["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _run(tool: str, options: list[str], url: str, connect: bool = True) -> None:
    """Run a PostgreSQL client tool on the database at ``url`` (or, ``connect=False``, on no database)."""
    if shutil.which(tool) is None:
        raise BackupFailed(Message("{tool} is not installed (Debian package postgresql-client)", tool=tool))
    uri, environment = _libpq(url)
    arguments = [tool, *([f"--dbname={uri}"] if connect else []), *options]
    done = subprocess.run(arguments, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise BackupFailed(Message("{tool} failed: {detail}", tool=tool, detail=detail))
