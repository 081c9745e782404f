"""``UrlSQLTrackerStore`` behind Rasa's fail-safe wrapper, with a broken database.

A SQLite tracker store whose file is replaced by a folder: the wrapper raises the
database error instead of answering from (or saving to) memory,
the health check says unavailable, and once the file is back everything works
with the stored events.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.events import UserUttered
from sqlalchemy.exc import SQLAlchemyError

from components.tracker_store import UrlSQLTrackerStore, tracker_store_available


def test_no_fall_back_to_memory_and_recovery(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    store = UrlSQLTrackerStore(url=f"sqlite:///{database}")
    wrapped = FailSafeTrackerStore(store)
    assert store.engine.pool._pre_ping
    assert store.engine.hide_parameters

    async def scenario() -> None:
        tracker = await wrapped.get_or_create_tracker("a")
        tracker.update(UserUttered("eerste"))
        await wrapped.save(tracker)
        assert tracker_store_available(wrapped)

        store.engine.dispose()
        moved = tmp_path / "moved.db"
        database.rename(moved)
        database.mkdir()
        try:
            assert not tracker_store_available(wrapped)
            with pytest.raises(SQLAlchemyError):
                await wrapped.retrieve("a")
            with pytest.raises(SQLAlchemyError):
                await wrapped.save(tracker)
            with pytest.raises(SQLAlchemyError):
                await wrapped.get_or_create_tracker("a")
            assert wrapped._fallback_tracker_store is None
        finally:
            shutil.rmtree(database)
            moved.rename(database)

        assert tracker_store_available(wrapped)
        again = await wrapped.retrieve("a")
        assert again is not None
        assert [e.text for e in again.events if isinstance(e, UserUttered)] == [
            "eerste"
        ]

    asyncio.run(scenario())


def test_other_errors_keep_rasas_behaviour() -> None:
    class Broken(UrlSQLTrackerStore):
        async def retrieve(self, sender_id: str) -> None:
            raise ValueError("not a database error")

    store = Broken.__new__(Broken)
    wrapped = FailSafeTrackerStore.__new__(FailSafeTrackerStore)
    wrapped._tracker_store = store
    wrapped._on_tracker_store_error = None
    assert asyncio.run(wrapped.retrieve("a")) is None
