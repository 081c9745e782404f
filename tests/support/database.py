"""Project databases for tests: migrated by Alembic, seeded from the catalog."""

from __future__ import annotations

from pathlib import Path

from bot.db import migrations
from bot.db.seed import DEFAULT_CATALOG, SeedReport, load_catalog, seed
from bot.db.session import make_engine, make_session_factory, session_scope


def seed_database(url: str, catalog_path: Path = DEFAULT_CATALOG) -> SeedReport:
    """Seed the database at ``url`` from ``catalog_path``; return the report."""
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            return seed(session, load_catalog(catalog_path))
    finally:
        engine.dispose()


def seeded_sqlite(folder: Path) -> str:
    """URL of a new SQLite database in ``folder``, migrated and seeded."""
    url = f"sqlite:///{folder / 'bot.db'}"
    migrations.upgrade(url)
    seed_database(url)
    return url
