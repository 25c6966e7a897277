"""Migrations: the migrated schema is the models' schema, and a database an older tsbkart wrote is carried
over (record versions from the change log, free-text actors as typed CLI or system actors)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from tsbkart.db.migrate import downgrade, upgrade
from tsbkart.db.models import Base


def test_the_migrated_schema_is_the_models_schema(empty_engine: Engine) -> None:
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def _old_rows(engine: Engine) -> None:
    """Rows as tsbkart wrote them before revision 0003: revision 1 by the reference loader, 2 from the CLI."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as connection:
        for rid, actor in ((1, "tsbkart reference loader"), (2, "steward@ous")):
            connection.execute(
                text(
                    "INSERT INTO revisions (id, actor, created_at, reason, change_count) VALUES (:i, :a, :t, 'r', 1)"
                ),
                {"i": rid, "a": actor, "t": now},
            )
        connection.execute(
            text(
                "INSERT INTO organisations (id, name, owner_type, source, field_provenance) VALUES ('o', 'O', 'hf', 's', '{}')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO units (id, name, organisation_id, source, field_provenance) VALUES ('u', 'U', 'o', 's', '{}')"
            )
        )
        for rid, kind, entity in ((1, "organisation", "o"), (1, "unit", "u"), (2, "unit", "u")):
            connection.execute(
                text(
                    "INSERT INTO changes (revision_id, kind, entity_id, op, after) VALUES (:r, :k, :e, 'update', '{}')"
                ),
                {"r": rid, "k": kind, "e": entity},
            )


def test_upgrading_an_old_database_keeps_its_rows_with_versions_and_typed_actors(
    empty_engine: Engine,
) -> None:
    downgrade(empty_engine, "0002")
    _old_rows(empty_engine)
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        versions = connection.execute(
            text(
                "SELECT 'organisation', id, version FROM organisations UNION ALL SELECT 'unit', id, version FROM units"
            )
        )
        actors = connection.execute(
            text("SELECT id, actor_kind, actor_id, actor_name FROM revisions ORDER BY id")
        )
        assert sorted(versions) == [("organisation", "o", 1), ("unit", "u", 2)]
        assert list(actors) == [
            (1, "system", "reference-loader", "tsbkart reference loader"),
            (2, "cli", "steward@ous", "steward@ous"),
        ]
    downgrade(empty_engine, "0002")  # and back: the old free-text actor returns
    with empty_engine.connect() as connection:
        assert list(connection.execute(text("SELECT actor FROM revisions ORDER BY id"))) == [
            ("tsbkart reference loader",),
            ("steward@ous",),
        ]
