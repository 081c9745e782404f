"""Alembic environment: migrate the database named by the caller or settings."""

from __future__ import annotations

from alembic import context

from bot.db.models import Base
from bot.db.session import make_engine
from bot.settings import get_settings

target_metadata = Base.metadata


def _database_url() -> str:
    url = context.config.attributes.get("database_url")
    return url or get_settings().database_url


def run_migrations_offline() -> None:
    """Write the migration SQL instead of running it (``--sql``)."""
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Connect and migrate; SQLite foreign keys stay off so batch rebuilds work."""
    engine = make_engine(_database_url(), sqlite_foreign_keys=False)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=True,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
