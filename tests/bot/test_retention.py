"""Retention: old conversations are purged whole, one can be forgotten on request.

Runs on SQLite and on the throwaway PostgreSQL server (``database_url``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.cli import main
from bot.inbox import EVENTS
from bot.retention import SECONDS_PER_DAY, Deleted, forget, purge

DAY = SECONDS_PER_DAY
HOSTILE = "x'); DROP TABLE events; --"
CONVERSATIONS: dict[str, list[float | None]] = {
    "old": [-40, -35],
    "old-single": [-31],
    HOSTILE: [-45],
    "returning": [-60, -1],
    "fresh": [0],
    "edge": [-30],
    "no-timestamp": [None],
}
"""Sender id -> age in days of each event (``None``: no timestamp)."""


@pytest.fixture
def now() -> float:
    """The moment the synthetic conversations are measured from."""
    return time.time()


@pytest.fixture
def store(database_url: str, now: float) -> Iterator[Engine]:
    """A tracker store ``events`` table holding ``CONVERSATIONS``."""
    engine = sa.create_engine(database_url, future=True)
    EVENTS.metadata.create_all(engine)
    with engine.begin() as connection:
        for sender, ages in CONVERSATIONS.items():
            for age in ages:
                text = json.dumps({"event": "user", "text": f"bericht van {sender}"})
                connection.execute(
                    EVENTS.insert().values(
                        sender_id=sender,
                        type_name="user",
                        timestamp=None if age is None else now + age * DAY,
                        data=text,
                    )
                )
    yield engine
    engine.dispose()


def _events_per_sender(engine: Engine) -> dict[str, int]:
    query = sa.select(EVENTS.c.sender_id, sa.func.count()).group_by(EVENTS.c.sender_id)
    with engine.connect() as connection:
        return {str(sender): int(count) for sender, count in connection.execute(query)}


def test_purge_deletes_whole_conversations_whose_latest_event_is_too_old(
    store: Engine, now: float
) -> None:
    assert purge(store, 30, now=now) == Deleted(conversations=3, events=4)
    assert _events_per_sender(store) == {
        "returning": 2,
        "fresh": 1,
        "edge": 1,
        "no-timestamp": 1,
    }
    assert purge(store, 30, now=now) == Deleted(conversations=0, events=0)


def test_dry_run_counts_and_deletes_nothing(store: Engine, now: float) -> None:
    before = _events_per_sender(store)
    assert purge(store, 30, now=now, dry_run=True) == Deleted(3, 4)
    assert _events_per_sender(store) == before


def test_a_shorter_period_deletes_more(store: Engine, now: float) -> None:
    assert purge(store, 1, now=now + 1) == Deleted(conversations=5, events=7)
    assert set(_events_per_sender(store)) == {"fresh", "no-timestamp"}


@pytest.mark.parametrize("days", [0, -5, 0.5])
def test_less_than_a_day_is_refused(store: Engine, days: float) -> None:
    with pytest.raises(ValueError, match="at least 1 day"):
        purge(store, days)


def test_forget_deletes_one_conversation_only(store: Engine) -> None:
    assert forget(store, "returning") == 2
    remaining = _events_per_sender(store)
    assert "returning" not in remaining
    assert len(remaining) == len(CONVERSATIONS) - 1


def test_forget_takes_the_sender_id_as_data_not_as_sql(store: Engine) -> None:
    assert forget(store, HOSTILE) == 1
    assert forget(store, "old' OR '1'='1") == 0
    assert len(_events_per_sender(store)) == len(CONVERSATIONS) - 1


def test_forget_refuses_an_empty_sender_id(store: Engine) -> None:
    with pytest.raises(ValueError):
        forget(store, "  ")


def test_a_store_rasa_has_not_created_yet_holds_nothing(database_url: str) -> None:
    engine = sa.create_engine(database_url, future=True)
    try:
        assert purge(engine, 30) == Deleted(0, 0)
        assert forget(engine, "anyone") == 0
    finally:
        engine.dispose()


def test_cli_purge_uses_the_retention_setting(
    store: Engine,
    database_url: str,
    use_settings: Callable[..., None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_settings(RETENTION_DAYS="20", TRACKER_DB_URL=database_url)

    assert main(["privacy", "purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Would delete 4 conversations (5 events)" in out
    assert "older than 20 days" in out and "nothing was deleted" in out
    assert len(_events_per_sender(store)) == len(CONVERSATIONS)

    assert main(["privacy", "purge"]) == 0
    assert "Deleted 4 conversations (5 events)" in capsys.readouterr().out
    assert set(_events_per_sender(store)) == {"returning", "fresh", "no-timestamp"}


def test_cli_purge_days_option_wins(
    store: Engine, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = ["--tracker-db-url", database_url]
    assert main(["privacy", "purge", "--days", "40", *url]) == 0
    assert "Deleted 1 conversations (1 events)" in capsys.readouterr().out
    assert main(["privacy", "purge", "--days", "0", *url]) == 1
    assert "at least 1 day" in capsys.readouterr().err


def test_cli_forget(
    store: Engine, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = ["--tracker-db-url", database_url]
    assert main(["privacy", "forget", "fresh", *url]) == 0
    assert "Deleted conversation 'fresh' (1 events)" in capsys.readouterr().out
    assert main(["privacy", "forget", "fresh", *url]) == 1
    assert "nothing deleted" in capsys.readouterr().err
