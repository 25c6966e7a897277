"""Fixtures the web stewardship tests share: cheap password hashing and a small world of accounts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.stewardship.cheap_hashing import cheap_argon2
from tests.stewardship.helpers import add_user, migrated_with_two_organisations


@pytest.fixture
def fast_hashes() -> Iterator[None]:
    """Cheap argon2 parameters while a test runs (``pytestmark = pytest.mark.usefixtures("fast_hashes")``)."""
    with cheap_argon2():
        yield


@pytest.fixture
def stewards(sqlite_engine: Engine, fast_hashes: None) -> Engine:
    """SQLite with ``org-a``/``org-b`` (``tests.stewardship.helpers.two_organisations``) and four accounts:
    kari (steward of org-a), berit (steward of org-b), rolf (reviewer of catchment unn) and admin
    (administrator). The PostgreSQL side of accounts and sessions is covered in tests/stewardship."""
    migrated_with_two_organisations(sqlite_engine)
    add_user(sqlite_engine, "kari", "steward", "organisation", "org-a")
    add_user(sqlite_engine, "berit", "steward", "organisation", "org-b")
    add_user(sqlite_engine, "rolf", "reviewer", "catchment", "unn")
    add_user(sqlite_engine, "admin", "administrator")
    return sqlite_engine
