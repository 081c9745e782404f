"""SQL tracker store configured by one URL, without a silent fall-back to memory.

Rasa wraps every tracker store in its ``FailSafeTrackerStore``. When the database
fails, that wrapper logs the error and carries on with an empty
``InMemoryTrackerStore``: ``retrieve`` returns ``None`` (so the assistant would
answer from an empty conversation) and ``save`` writes to memory only (so the
turn is lost when the process stops). For this assistant that is wrong: the user
must hear that the conversation cannot be kept, and nothing may be answered
without its history.

The least invasive way that works wherever Rasa builds the wrapper:

- ``UrlSQLTrackerStore`` logs every database error (``SQLAlchemyError``) of
  ``retrieve``, ``retrieve_full_tracker``, ``save`` and ``keys`` by its type
  only (never the message text or the sender id; ``engine.hide_parameters`` is
  on as well) and raises it again unchanged;
- on import, this module wraps the two error hooks of Rasa's
  ``FailSafeTrackerStore`` so that a ``SQLAlchemyError`` of a
  ``UrlSQLTrackerStore`` is raised again instead of falling back to memory; any
  other store and any other error keeps Rasa's behaviour. The error then leaves
  ``on_new_message``, and the channels
  (``components.rest_channel``, ``components.webchat``) answer it with the
  honest ``channel_guard.STORE_UNAVAILABLE`` reply ("Uw gesprek kan nu niet
  worden bewaard ... Bij nood: bel 112."), without any bot answer from an
  empty conversation;
- the engine pings a pooled connection before using it (``pool_pre_ping``), so
  when the database is back, the next message works with the stored history;
- ``tracker_store_available`` runs ``SELECT 1`` on the database for the health
  endpoint ``GET /webhooks/rest/health``.

Default database: the SQLite file ``var/tracker.db`` (``TRACKER_DB_URL``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import (
    AwaitableTrackerStore,
    FailSafeTrackerStore,
    SQLTrackerStore,
    TrackerStore,
    create_engine_kwargs,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.settings import get_settings

logger = logging.getLogger(__name__)


def _log_unavailable(action: str, error: Exception) -> None:
    logger.error("Tracker store unavailable (%s): %s.", action, type(error).__name__)


class UrlSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store, set up from ``TRACKER_DB_URL``.

    Rasa's own store takes dialect, host, port and database separately; one URL
    in ``.env`` is simpler and the same form the project database uses. Default:
    a SQLite file ``var/tracker.db``. Database errors never quote the SQL
    parameters (message texts, sender ids), as Rasa logs them, and are raised
    through Rasa's fail-safe wrapper (see the module docstring).
    """

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        url: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Connect to the database named by ``url`` or by the settings."""
        kwargs.pop("host", None)
        parsed = make_url(url or get_settings().tracker_db_url)
        database = parsed.database or ""
        if parsed.get_backend_name() == "sqlite" and database:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            domain=domain,
            dialect=parsed.drivername,
            host=parsed.host,
            port=parsed.port,
            db=database,
            username=parsed.username,
            password=parsed.password,
            event_broker=event_broker,
            query=dict(parsed.query) or None,
            **kwargs,
        )
        # The same database, but a dead pooled connection (database restarted)
        # is replaced before use. Rasa logs database errors whole; their
        # parameters are conversation data, so they are hidden.
        first: Engine = self.engine  # type: ignore[has-type]
        self.engine = sa.create_engine(
            first.url,
            pool_pre_ping=True,
            hide_parameters=True,
            **create_engine_kwargs(first.url),
        )
        self.sessionmaker = sessionmaker(bind=self.engine)
        first.dispose()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker of ``sender_id``; database errors raised."""
        try:
            return await super().retrieve(sender_id)
        except SQLAlchemyError as error:
            _log_unavailable("retrieve", error)
            raise

    async def retrieve_full_tracker(
        self, conversation_id: str
    ) -> DialogueStateTracker | None:
        """All sessions of a conversation; database errors raised."""
        try:
            return await super().retrieve_full_tracker(conversation_id)
        except SQLAlchemyError as error:
            _log_unavailable("retrieve", error)
            raise

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events; database errors raised."""
        try:
            await super().save(tracker)
        except SQLAlchemyError as error:
            _log_unavailable("save", error)
            raise

    async def keys(self) -> Iterable[str]:
        """All conversation ids; database errors raised."""
        try:
            return await super().keys()
        except SQLAlchemyError as error:
            _log_unavailable("keys", error)
            raise

    def ping(self) -> None:
        """Run ``SELECT 1`` on the database; raise when that fails."""
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))


def _sql_stores(store: TrackerStore) -> list[SQLTrackerStore]:
    """The SQL stores behind Rasa's wrappers (not a fail-safe's fallback)."""
    found: list[SQLTrackerStore] = []
    pending = [store]
    while pending:
        current = pending.pop()
        if isinstance(current, (FailSafeTrackerStore, AwaitableTrackerStore)):
            pending.append(current._tracker_store)
        elif isinstance(current, SQLTrackerStore):
            found.append(current)
    return found


def tracker_store_available(store: TrackerStore | None) -> bool:
    """Whether every SQL database behind ``store`` answers ``SELECT 1``.

    A store without a database (in memory) is available; no store is not.
    """
    if store is None:
        return False
    try:
        for real in _sql_stores(store):
            if isinstance(real, UrlSQLTrackerStore):
                real.ping()
            else:
                with real.engine.connect() as connection:
                    connection.execute(sa.text("SELECT 1"))
    except Exception as error:
        logger.warning("Tracker store health check failed: %s.", type(error).__name__)
        return False
    return True


def _raise_unavailable(
    hook: Callable[[FailSafeTrackerStore, Exception], None],
) -> Callable[[FailSafeTrackerStore, Exception], None]:
    """Wrap a fail-safe error hook: raise a database error of ours again."""
    if getattr(hook, "_raises_unavailable", False):
        return hook

    @wraps(hook)
    def handle(self: FailSafeTrackerStore, error: Exception) -> None:
        if isinstance(error, SQLAlchemyError) and any(
            isinstance(real, UrlSQLTrackerStore) for real in _sql_stores(self)
        ):
            raise error
        hook(self, error)

    handle._raises_unavailable = True  # type: ignore[attr-defined]
    return handle


def _install() -> None:
    """Make Rasa's fail-safe wrapper raise our database errors again."""
    for name in ("on_tracker_store_error", "on_tracker_store_retrieve_error"):
        hook = getattr(FailSafeTrackerStore, name)
        setattr(FailSafeTrackerStore, name, _raise_unavailable(hook))


_install()
