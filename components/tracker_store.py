"""SQL tracker store configured by one URL from the project's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.engine import make_url

from bot.settings import get_settings


class UrlSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store, set up from ``TRACKER_DB_URL``.

    Rasa's own store takes dialect, host, port and database separately; one URL
    in ``.env`` is simpler and the same form the project database uses. Default:
    a SQLite file ``var/tracker.db``. Database errors never quote the SQL
    parameters (message texts, sender ids), as Rasa logs them.
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
        # Rasa logs database errors whole; their parameters are conversation data.
        self.engine.hide_parameters = True
