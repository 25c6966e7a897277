"""Small stewardship worlds for tests: two organisations in Helse Nord (catchment ``unn``) and accounts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.registry.factories import organisation, unit
from tsbkart.db.migrate import upgrade
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography
from tsbkart.registry.store import Registry, Upsert
from tsbkart.stewardship.accounts import create_user, grant_role, parse_grant
from tsbkart.stewardship.roles import ActorRef

CLI = ActorRef("system", "cli", "cli:test")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORD = "lang og hemmelig setning"


def migrated_with_two_organisations(engine: Engine) -> Registry:
    """A migrated database with the bundled geography and ``two_organisations``: what the web tests start from."""
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
    return two_organisations(engine)


def two_organisations(engine: Engine) -> Registry:
    """``org-a`` (unit ``unit-a``, catchment unn) and ``org-b`` (unit ``unit-b``, catchment ous, Helse Sør-Øst)."""
    registry = Registry(engine)
    registry.commit(
        [
            Upsert(organisation("org-a")),
            Upsert(organisation("org-b", region_code="helse-sor-ost")),
            Upsert(unit("unit-a", "org-a")),
            Upsert(unit("unit-b", "org-b", catchment_code="ous", region_code="helse-sor-ost")),
        ],
        actor=CLI,
        reason="synthetic test data",
    )
    return registry


def add_user(
    engine: Engine,
    username: str,
    role: str | None = None,
    scope_kind: str | None = None,
    scope_code: str | None = None,
    *,
    password: str | None = PASSWORD,
    email: str | None = None,
) -> int:
    with Session(engine) as session, session.begin():
        user = create_user(
            session, username, username.title(), by=CLI, now=NOW, password=password, email=email
        )
        if role:
            grant_role(session, username, parse_grant(role, scope_kind, scope_code), by=CLI, now=NOW)
        return user.id
