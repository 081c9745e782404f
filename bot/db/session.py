"""Engine and session set-up: one lazily created engine, a session per unit of work."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import get_settings

SQLITE_BUSY_TIMEOUT_SECONDS = 5
POSTGRES_CONNECT_TIMEOUT_SECONDS = 5

SessionFactory = Callable[[], Session]


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str, *, sqlite_foreign_keys: bool = True) -> Engine:
    """Create an engine for ``url`` with the project's connection settings.

    For a SQLite file the parent folder is created when needed, writers wait a
    few seconds for a lock, and foreign keys are enforced. Every engine checks a
    pooled connection before use and keeps bound parameters out of error
    messages, so user text can never end up in a log line.

    Args:
        url: SQLAlchemy database URL.
        sqlite_foreign_keys: Turn on SQLite's foreign key checks (migrations
            switch this off so batch table rebuilds work).

    Returns:
        A 2.0-style (``future=True``) engine.
    """
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        connect_args["timeout"] = SQLITE_BUSY_TIMEOUT_SECONDS
        if parsed.database and parsed.database != ":memory:":
            with contextlib.suppress(OSError):
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    elif backend == "postgresql":
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_SECONDS
    engine = create_engine(
        parsed,
        future=True,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args=connect_args,
    )
    if backend == "sqlite" and sqlite_foreign_keys:
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker:
    """Return a session factory bound to ``engine``."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """Return the engine for ``DATABASE_URL``, created on first use."""
    return make_engine(get_settings().database_url)


@lru_cache(maxsize=1)
def get_session_factory() -> sessionmaker:
    """Return the session factory for the configured database."""
    return make_session_factory(get_engine())


def reset_engine() -> None:
    """Dispose of the cached engine, e.g. after ``DATABASE_URL`` changed."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    get_session_factory.cache_clear()


@contextlib.contextmanager
def session_scope(factory: SessionFactory | None = None) -> Iterator[Session]:
    """Provide a session for one unit of work; commit on success, else roll back.

    Args:
        factory: Creates the session; defaults to the configured database.

    Yields:
        An open session, closed when the block ends.
    """
    session = (factory or get_session_factory())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
