"""Retention on the table Rasa's own SQL tracker store creates and reads.

The conversations are written and read back by ``UrlSQLTrackerStore`` (Rasa's
``SQLTrackerStore``), so the test holds as long as Rasa's schema does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.retention import SECONDS_PER_DAY, Deleted, forget, purge
from components.tracker_store import UrlSQLTrackerStore


@pytest.fixture
def store(database_url: str) -> Iterator[UrlSQLTrackerStore]:
    """Rasa's SQL tracker store on a new database."""
    tracker_store = UrlSQLTrackerStore(domain=Domain.empty(), url=database_url)
    yield tracker_store
    tracker_store.engine.dispose()


async def _save_turn(store: UrlSQLTrackerStore, sender: str, when: float) -> None:
    events = [
        ActionExecuted("action_listen", timestamp=when),
        UserUttered("wat is riluzol", timestamp=when + 1),
        BotUttered("Riluzol is een medicijn.", timestamp=when + 2),
    ]
    await store.save(DialogueStateTracker.from_events(sender, events))


async def test_purge_and_forget_on_rasas_own_table(
    store: UrlSQLTrackerStore, database_url: str
) -> None:
    now = time.time()
    await _save_turn(store, "old", now - 40 * SECONDS_PER_DAY)
    await _save_turn(store, "recent", now - 2 * SECONDS_PER_DAY)
    await _save_turn(store, "asked-to-forget", now)
    engine = sa.create_engine(database_url, future=True)
    try:
        assert purge(engine, 30, now=now) == Deleted(conversations=1, events=3)
        assert forget(engine, "asked-to-forget") == 3
    finally:
        engine.dispose()

    assert await store.retrieve("old") is None
    assert await store.retrieve("asked-to-forget") is None
    recent = await store.retrieve("recent")
    assert recent is not None
    assert recent.latest_message is not None
    assert recent.latest_message.text == "wat is riluzol"
    assert set(await store.keys()) == {"recent"}


async def test_database_errors_do_not_quote_conversation_data(
    store: UrlSQLTrackerStore, database_url: str
) -> None:
    marker = "geheimwoord"
    engine = sa.create_engine(database_url, future=True)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE events")
    finally:
        engine.dispose()
    tracker = DialogueStateTracker.from_events(
        f"sender-{marker}", [UserUttered(f"ik heet {marker}", timestamp=time.time())]
    )

    with pytest.raises(sa.exc.SQLAlchemyError) as failure:
        await store.save(tracker)

    assert "parameters hidden" in str(failure.value)
    assert marker not in str(failure.value)
