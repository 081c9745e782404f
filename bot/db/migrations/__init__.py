"""Alembic migrations, run from code so no ``alembic`` command is needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.db.session import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent
ALEMBIC_INI = MIGRATIONS_DIR.parent / "alembic.ini"


def alembic_config(database_url: str | None = None) -> Config:
    """Build the Alembic configuration.

    Args:
        database_url: Database to migrate; defaults to ``DATABASE_URL``.

    Returns:
        A configuration whose ``env.py`` migrates ``database_url``.
    """
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    """Migrate the database up to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str | None = None, revision: str = "base") -> None:
    """Migrate the database down to ``revision``."""
    command.downgrade(alembic_config(database_url), revision)


def head_revision() -> str | None:
    """Return the newest revision in ``versions/``."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(database_url: str) -> str | None:
    """Return the revision the database is at, or ``None`` before migrating."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
