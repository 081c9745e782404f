"""Retention of conversations in Rasa's tracker store (the ``events`` table).

Conversations are health data. :func:`purge` deletes every conversation whose
latest event is older than the retention period, with all its events;
:func:`forget` deletes one conversation, for a request by e-mail. SQLAlchemy
Core with bound parameters only, on SQLite and PostgreSQL; no Rasa import.

A conversation is all events of one ``sender_id``: Rasa stores nothing else
per conversation in the SQL tracker store.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.inbox import EVENTS

SECONDS_PER_DAY = 86_400
MIN_DAYS = 1


@dataclass(frozen=True)
class Deleted:
    """How many conversations and events were (or would be) deleted."""

    conversations: int
    events: int


def cutoff(days: float, now: float | None = None) -> float:
    """Return the Unix time before which a conversation's latest event is too old.

    Args:
        days: The retention period; at least ``MIN_DAYS``.
        now: The current Unix time; defaults to the clock.

    Raises:
        ValueError: When ``days`` is below ``MIN_DAYS`` (that would delete
            conversations that are still going on).
    """
    if days < MIN_DAYS:
        raise ValueError(f"retention must be at least {MIN_DAYS} day, got {days}")
    return (time.time() if now is None else now) - days * SECONDS_PER_DAY


def _expired_senders(before: float) -> sa.sql.Select:
    """Sender ids whose latest event is older than ``before``."""
    return (
        sa.select(EVENTS.c.sender_id)
        .group_by(EVENTS.c.sender_id)
        .having(sa.func.max(EVENTS.c.timestamp) < before)
    )


def _has_events_table(connection: sa.engine.Connection) -> bool:
    """Whether Rasa has created its table yet (it does on its first start)."""
    return bool(sa.inspect(connection).has_table(EVENTS.name))


def _count_expired(connection: sa.engine.Connection, before: float) -> Deleted:
    per_conversation = (
        _expired_senders(before).add_columns(sa.func.count().label("events")).subquery()
    )
    row = connection.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(per_conversation.c.events), 0),
        )
    ).one()
    return Deleted(conversations=int(row[0]), events=int(row[1]))


def purge(
    engine: Engine, days: float, *, now: float | None = None, dry_run: bool = False
) -> Deleted:
    """Delete every conversation whose latest event is older than ``days``.

    A conversation with one recent event is kept whole; an expired one loses
    all its events. Events without a timestamp never count as expired. A
    store that Rasa has not created yet holds nothing to delete.

    Args:
        engine: Engine of the tracker store.
        days: The retention period in days (at least ``MIN_DAYS``).
        now: The current Unix time; defaults to the clock.
        dry_run: Only count what would be deleted.

    Returns:
        The number of conversations and events deleted (or that would be).
    """
    before = cutoff(days, now)
    with engine.begin() as connection:
        if not _has_events_table(connection):
            return Deleted(conversations=0, events=0)
        expired = _count_expired(connection, before)
        if dry_run or not expired.conversations:
            return expired
        result = connection.execute(
            sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(_expired_senders(before)))
        )
    return Deleted(conversations=expired.conversations, events=int(result.rowcount))


def forget(engine: Engine, sender_id: str) -> int:
    """Delete every event of the conversation ``sender_id``.

    Returns:
        The number of events deleted; 0 when there was no such conversation.

    Raises:
        ValueError: When ``sender_id`` is empty.
    """
    if not sender_id.strip():
        raise ValueError("sender id must not be empty")
    with engine.begin() as connection:
        if not _has_events_table(connection):
            return 0
        result = connection.execute(
            sa.delete(EVENTS).where(EVENTS.c.sender_id == sender_id)
        )
    return int(result.rowcount)
