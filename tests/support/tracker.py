"""Read what a really started assistant kept in its tracker store."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import create_engine, text


def stored_user_events(url: str, sender: str) -> list[dict[str, Any]]:
    """The user events of ``sender`` in the tracker store at ``url``, in order.

    ``url`` is a SQLAlchemy URL (SQLite file or PostgreSQL).
    """
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT data FROM events WHERE sender_id = :sender "
                    "AND type_name = 'user' ORDER BY id"
                ),
                {"sender": sender},
            ).all()
    finally:
        engine.dispose()
    return [json.loads(data) for (data,) in rows]


def stored_user_texts(url: str, sender: str) -> list[str]:
    """The texts of :func:`stored_user_events`."""
    return [str(event.get("text")) for event in stored_user_events(url, sender)]
