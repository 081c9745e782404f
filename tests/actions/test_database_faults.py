"""The actions answer within a bounded time when the database is down, hung or busy.

A PostgreSQL that is stopped (nothing listens), one that accepts connections
and never answers, a table locked by another transaction on the throwaway
PostgreSQL server, a SQLite file locked by another writer, and database work
slower than the action's deadline: each time the action answers with the
general contact route within a few seconds.
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from rasa_sdk import Tracker
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from actions.base import Reply
from actions.studies import ActionListStudies
from bot.db.session import (
    POSTGRES_CONNECT_TIMEOUT_SECONDS,
    POSTGRES_STATEMENT_TIMEOUT_MS,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    make_engine,
)
from bot.formatting import database_unavailable
from tests.support.assistant import (
    ROOT,
    action_server_command,
    free_port,
    stop_process,
    wait_until_up,
)

MakeTracker = Callable[..., Tracker]
RunAction = Callable[[Any, Tracker], tuple[list[dict[str, Any]], list[dict[str, Any]]]]
MARGIN_SECONDS = 1.5
"""Time allowed on top of a database time limit (thread start, the reply)."""
QUESTION = "welke onderzoeken zijn er voor mijn vader"


def _timed_studies(
    run_action: RunAction, make_tracker: MakeTracker
) -> tuple[str, float]:
    started = time.monotonic()
    messages, _events = run_action(ActionListStudies(), make_tracker(QUESTION))
    elapsed = time.monotonic() - started
    (message,) = messages
    return str(message["text"]), elapsed


@pytest.fixture
def silent_postgres() -> Iterator[str]:
    """A PostgreSQL address whose host accepts the connection and then hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/als"


def test_stopped_postgres_answers_at_once(
    use_settings: Callable[..., None],
    make_tracker: MakeTracker,
    run_action: RunAction,
) -> None:
    use_settings(
        DATABASE_URL=f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/x"
    )

    reply, elapsed = _timed_studies(run_action, make_tracker)

    assert reply == database_unavailable().text
    assert elapsed < MARGIN_SECONDS


def test_hung_postgres_answers_within_the_connect_timeout(
    silent_postgres: str,
    use_settings: Callable[..., None],
    make_tracker: MakeTracker,
    run_action: RunAction,
    caplog: pytest.LogCaptureFixture,
) -> None:
    use_settings(DATABASE_URL=silent_postgres)

    reply, elapsed = _timed_studies(run_action, make_tracker)

    assert reply == database_unavailable().text
    assert elapsed < POSTGRES_CONNECT_TIMEOUT_SECONDS + MARGIN_SECONDS
    assert "Database error in action_list_studies" in caplog.text
    assert QUESTION not in caplog.text


@pytest.mark.postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_locked_postgres_table_answers_within_the_statement_timeout(
    seeded_url: str,
    use_settings: Callable[..., None],
    make_tracker: MakeTracker,
    run_action: RunAction,
) -> None:
    use_settings(DATABASE_URL=seeded_url)
    locker = create_engine(seeded_url, future=True)
    try:
        with locker.connect() as connection:
            connection.execute(text("LOCK TABLE studies IN ACCESS EXCLUSIVE MODE"))

            reply, elapsed = _timed_studies(run_action, make_tracker)

            connection.rollback()
        after, _ = _timed_studies(run_action, make_tracker)
    finally:
        locker.dispose()

    assert reply == database_unavailable().text
    assert elapsed < POSTGRES_STATEMENT_TIMEOUT_MS / 1000 + MARGIN_SECONDS
    assert "MRI-onderzoek" in after, "answers again once the lock is gone"


@pytest.mark.postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgres_time_limits_keep_the_url_options(migrated_url: str) -> None:
    url = make_url(migrated_url).update_query_dict({"options": "-c search_path=als"})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            timeout = connection.execute(text("SHOW statement_timeout")).scalar()
            path = connection.execute(text("SHOW search_path")).scalar()
    finally:
        engine.dispose()

    assert timeout == f"{POSTGRES_STATEMENT_TIMEOUT_MS // 1000}s"
    assert path == "als"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_locked_sqlite_answers_within_the_busy_timeout(
    seeded_url: str,
    use_settings: Callable[..., None],
    make_tracker: MakeTracker,
    run_action: RunAction,
) -> None:
    use_settings(DATABASE_URL=seeded_url)
    writer = sqlite3.connect(make_url(seeded_url).database or "", isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        reply, elapsed = _timed_studies(run_action, make_tracker)
        writer.execute("ROLLBACK")
        after, _ = _timed_studies(run_action, make_tracker)
    finally:
        writer.close()

    assert reply == database_unavailable().text
    assert SQLITE_BUSY_TIMEOUT_SECONDS - 0.5 < elapsed
    assert elapsed < SQLITE_BUSY_TIMEOUT_SECONDS + MARGIN_SECONDS
    assert "MRI-onderzoek" in after


class _SlowListStudies(ActionListStudies):
    """Database work that takes longer than any deadline."""

    def build_reply(self, tracker: Tracker, session: Session) -> Reply:
        time.sleep(5)
        return super().build_reply(tracker, session)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_work_slower_than_the_deadline_gets_the_reply_in_time(
    seeded_url: str,
    use_settings: Callable[..., None],
    make_tracker: MakeTracker,
    run_action: RunAction,
    caplog: pytest.LogCaptureFixture,
) -> None:
    use_settings(DATABASE_URL=seeded_url, ACTION_TIMEOUT_SECONDS="2")
    started = time.monotonic()

    messages, events = run_action(_SlowListStudies(), make_tracker(QUESTION))

    elapsed = time.monotonic() - started
    assert [message["text"] for message in messages] == [database_unavailable().text]
    assert events == []
    assert 0.9 < elapsed < 1 + MARGIN_SECONDS, "deadline: 1 s under Rasa's 2 s"
    assert "Database gave no answer in 1 s in action_list_studies" in caplog.text


def test_action_server_with_a_hung_database_answers_in_time(
    silent_postgres: str, tmp_path: Any
) -> None:
    """The real action server process, its database host hanging."""
    port, token = free_port(), secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "DATABASE_URL": silent_postgres,
        "ACTION_SERVER_TOKEN": token,
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
    }
    with (tmp_path / "actions.log").open("wb") as log:
        process = subprocess.Popen(
            action_server_command(port),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process, 60)
        body = {
            "next_action": "action_list_studies",
            "sender_id": "test",
            "version": "3.6.21",
            "tracker": {"sender_id": "test", "latest_message": {"text": QUESTION}},
        }
        started = time.monotonic()
        response = requests.post(
            f"http://127.0.0.1:{port}/webhook",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        elapsed = time.monotonic() - started
    finally:
        stop_process(process)

    assert response.status_code == 200
    texts = [reply["text"] for reply in response.json()["responses"]]
    assert texts == [database_unavailable().text]
    assert elapsed < POSTGRES_CONNECT_TIMEOUT_SECONDS + MARGIN_SECONDS
