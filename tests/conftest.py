"""Shared fixtures. Databases are built per test session in tmp dirs; nothing touches var/ or a fixed path.

- ``bundled_snapshot``: the bundled registry as a RegistrySnapshot, no database (fast; for readers).
- ``reference_engine``: a SQLite database built from the bundled data (population 2026 only), session-wide;
  treat it as read-only. Tests that write use ``empty_engine`` / ``engine`` instead.
- Rate limits are off (``TSBKART_RATE_LIMITS=false``) unless a test turns them on; so is the planning
  warm-up at start-up (``TSBKART_WARM_PLANNING=false``).
- ``engine``: parametrised over SQLite and PostgreSQL (``TSBKART_TEST_DATABASE_URL``); a fresh, migrated,
  geography-loaded database per test. In CI (CI=true) a missing PostgreSQL URL is an error, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.reference.build import build_reference
from tsbkart.reference.geography import load_geography
from tsbkart.reference.seed import load_seed
from tsbkart.registry.snapshot import RegistrySnapshot

# Hypothesis's per-example deadline is a timing assertion: on a loaded machine (CI on two shared cores) a first
# example that imports a module can take 400 ms and fail a correct test. Timings live in benchmarks/.
settings.register_profile("tsbkart", deadline=None)
settings.load_profile("tsbkart")

PG_ENV = "TSBKART_TEST_DATABASE_URL"


@pytest.fixture(autouse=True, scope="session")
def _secret_key_file_in_a_tmp_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """An app without TSBKART_SECRET_KEY makes its key file on first use: in tests, never in var/."""
    previous = os.environ.get("TSBKART_SECRET_KEY_FILE")
    os.environ["TSBKART_SECRET_KEY_FILE"] = str(tmp_path_factory.mktemp("secret") / "secret_key")
    yield
    if previous is None:
        os.environ.pop("TSBKART_SECRET_KEY_FILE", None)
    else:
        os.environ["TSBKART_SECRET_KEY_FILE"] = previous


# Rate limits off for the suite (many requests from one "client"); the rate-limit tests turn them on.
os.environ["TSBKART_RATE_LIMITS"] = "false"
# No start-up warm-up of the planning pages in every test app (seconds of CPU each; the machine is shared).
os.environ["TSBKART_WARM_PLANNING"] = "false"
# Nor of each snapshot's indexes after every commit (a thread per commit; the test that wants it turns it on).
os.environ["TSBKART_WARM_INDEXES"] = "false"
# Each app would start a child process for its searches; the tests that need one turn it on.
os.environ["TSBKART_FINDER_PROCESS"] = "false"


def pytest_report_header() -> str:
    return f"PostgreSQL: {os.environ.get(PG_ENV) or 'not configured (SQLite only)'}"


@pytest.fixture(scope="session")
def bundled_snapshot() -> RegistrySnapshot:
    geography = load_geography()
    seed = load_seed(geography)
    return RegistrySnapshot.build(
        geography, organisations=seed.organisations, units=seed.units, offers=seed.offers, teams=seed.teams
    )


@pytest.fixture(scope="session")
def reference_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = tmp_path_factory.mktemp("reference") / "tsbkart.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    build_reference(engine, years=range(2026, 2027))
    return engine


def _postgres_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url and os.environ.get("CI") == "true":
        raise RuntimeError(f"{PG_ENV} must be set in CI: the PostgreSQL tests may not be skipped there")
    return url


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A fresh PostgreSQL schema (its own database-level schema namespace) per test, dropped afterwards."""
    url = _postgres_url()
    if not url:
        pytest.skip(f"{PG_ENV} not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(
        make_url(url), connect_args={"options": f"-csearch_path={schema}"}, pool_pre_ping=True
    )
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    return make_engine(f"sqlite:///{tmp_path / 'test.sqlite'}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated, empty database on each backend."""
    engine: Engine = request.getfixturevalue(
        f"{request.param}_engine" if request.param == "sqlite" else "postgres_engine"
    )
    upgrade(engine)
    return engine


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """A migrated database with the bundled geography (no population, no registry records)."""
    from sqlalchemy.orm import Session

    from tsbkart.reference.build import write_geography

    with Session(empty_engine) as session, session.begin():
        write_geography(session, load_geography())
    return empty_engine
