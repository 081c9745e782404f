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

SQLITE_BUSY_TIMEOUT_SECONDS = 3
"""How long SQLite waits for a lock held by another connection."""
POSTGRES_CONNECT_TIMEOUT_SECONDS = 3
"""How long connecting to PostgreSQL may take (per address; libpq's minimum is 2)."""
POSTGRES_STATEMENT_TIMEOUT_MS = 3000
"""The server cancels a statement (lock waits included) after this long."""
POSTGRES_TCP_USER_TIMEOUT_MS = 3000
"""A connection whose sent data stays unacknowledged this long is dropped, so a
vanished database host fails within seconds instead of after TCP's minutes."""

SessionFactory = Callable[[], Session]


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _postgres_timeouts(options: str | tuple[str, ...] | None) -> dict[str, Any]:
    """libpq connection arguments with the time limits; keeps the URL's options."""
    if isinstance(options, tuple):
        options = " ".join(options)
    statement_timeout = f"-c statement_timeout={POSTGRES_STATEMENT_TIMEOUT_MS}"
    return {
        "connect_timeout": POSTGRES_CONNECT_TIMEOUT_SECONDS,
        "tcp_user_timeout": POSTGRES_TCP_USER_TIMEOUT_MS,
        "options": f"{options} {statement_timeout}" if options else statement_timeout,
    }


def make_engine(url: str, *, sqlite_foreign_keys: bool = True) -> Engine:
    """Create an engine for ``url`` with the project's connection settings.

    For a SQLite file the parent folder is created when needed, a connection
    waits at most a few seconds for a lock, and foreign keys are enforced. For
    PostgreSQL, connecting, each statement and unacknowledged network traffic
    have time limits of a few seconds: a database that is down, hung or busy
    makes the actions fail fast (and answer with the general route) instead of
    waiting. Every engine checks a pooled connection before use and keeps bound
    parameters out of error messages, so user text can never end up in a log
    line.

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
        connect_args.update(_postgres_timeouts(parsed.query.get("options")))
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
