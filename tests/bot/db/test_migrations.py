"""The Alembic migrations build the schema the models describe, on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.db import migrations
from bot.db.models import Base
from bot.db.session import make_engine


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_database_to_head(database_url: str) -> None:
    assert migrations.current_revision(database_url) is None
    assert not {"studies", "contacts"} & _tables(database_url)

    migrations.upgrade(database_url)

    assert {"studies", "contacts"} <= _tables(database_url)
    assert migrations.current_revision(database_url) == migrations.head_revision()


def test_upgrade_twice_is_harmless(migrated_url: str) -> None:
    migrations.upgrade(migrated_url)

    assert migrations.current_revision(migrated_url) == migrations.head_revision()


def test_migrated_schema_matches_the_models(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()

    assert differences == []


def test_downgrade_to_base_removes_the_tables(migrated_url: str) -> None:
    migrations.downgrade(migrated_url, "base")

    assert not {"studies", "contacts"} & _tables(migrated_url)
    assert migrations.current_revision(migrated_url) is None


def _insert_study(connection: Connection, contact_id: int | None, status: str) -> None:
    connection.execute(
        text(
            "INSERT INTO studies (slug, name, aliases, description, status, "
            "contact_id, source_name, source_file, last_reviewed, position) "
            "VALUES (:slug, 'Test', '[]', 'Test', :status, :contact_id, 's', "
            "'f', :reviewed, 0)"
        ),
        {
            "slug": "test",
            "status": status,
            "contact_id": contact_id,
            "reviewed": date(2026, 11, 25),
        },
    )


def test_study_contact_is_a_real_foreign_key(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            _insert_study(connection, contact_id=999, status="unknown")
    finally:
        engine.dispose()


def test_study_status_is_checked(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            _insert_study(connection, contact_id=None, status="maybe")
    finally:
        engine.dispose()
