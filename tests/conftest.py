"""Shared fixtures: real SQLite and PostgreSQL databases, trackers, dispatcher.

Database fixtures are parametrised over ``sqlite`` and ``postgresql``. The
PostgreSQL server is a throwaway one, started once per session from
``/usr/lib/postgresql/15/bin`` on 127.0.0.1 and stopped at the end; every test
gets its own fresh database on it.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from bot.db import migrations
from bot.db.seed import SeedReport
from bot.db.session import (
    make_engine,
    make_session_factory,
    reset_engine,
)
from bot.settings import get_settings
from tests.support.assistant import (
    MODEL,
    RunningAssistant,
    free_port,
    start_assistant,
)
from tests.support.database import seed_database
from tests.support.tools import require, unavailable
from tests.support.webchat import AXE, CHROMIUM, CHROMIUM_ARGS

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASES = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql))


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``postgresql`` marker (deselect with ``-m 'not postgresql'``)."""
    config.addinivalue_line(
        "markers", "postgresql: runs against the throwaway PostgreSQL server"
    )


def _as_postgres(command: list[str]) -> list[str]:
    """Run as user ``postgres`` when we are root (the server refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _run(command: list[str], what: str, log: Path | None = None) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        server_log = log.read_text() if log and log.exists() else ""
        pytest.fail(
            f"{what} failed ({result.returncode}):\n{result.stdout}\n"
            f"{result.stderr}\n{server_log}"
        )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Start a throwaway PostgreSQL server; yield its admin URL.

    Skips when PostgreSQL is not installed, but fails when ``CI=true`` so a
    CI run can never pass without the PostgreSQL half of the suite.
    """
    pg_ctl = PG_BIN / "pg_ctl"
    require(pg_ctl, "PostgreSQL")
    base = Path(tempfile.mkdtemp(prefix="als-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data, log = base / "data", base / "server.log"
    port = free_port()
    try:
        _run(
            _as_postgres(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                ]
            ),
            "initdb",
        )
        options = f"-h 127.0.0.1 -p {port} -k {base} -c fsync=off"
        _run(
            _as_postgres(
                [str(pg_ctl), "-D", str(data), "-l", str(log), "-o", options]
                + ["-w", "-t", "60", "start"]
            ),
            "pg_ctl start",
            log,
        )
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([str(pg_ctl), "-D", str(data), "-m", "fast", "-w", "stop"]),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a new, empty database: a SQLite file or a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    admin_url: str = request.getfixturevalue("postgres_server")
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """URL of a database migrated to head by the real Alembic migrations."""
    migrations.upgrade(database_url)
    return database_url


@pytest.fixture
def seeded_url(migrated_url: str) -> str:
    """URL of a migrated database seeded from ``content/catalog.yml``."""
    seed_database(migrated_url)
    return migrated_url


@pytest.fixture
def session_factory(seeded_url: str) -> Iterator[sessionmaker]:
    """Session factory on the seeded database."""
    engine = make_engine(seeded_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture(params=DATABASES)
def unreachable_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a database that cannot be opened or reached."""
    if request.param == "sqlite":
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("a file where a folder should be\n")
        return f"sqlite:///{blocker / 'bot.db'}"
    return f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/nothing"


@pytest.fixture
def use_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Set environment variables for ``get_settings`` and drop cached engines."""

    def apply(**variables: str) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        reset_engine()

    yield apply
    get_settings.cache_clear()
    reset_engine()


def _make_tracker(
    text: str = "",
    *,
    intent: str | None = None,
    entities: Iterable[dict[str, Any]] = (),
    slots: dict[str, Any] | None = None,
) -> Tracker:
    """Build a tracker whose latest user message is ``text``."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": list(entities),
    }
    return Tracker(
        sender_id="test-user",
        slots=slots or {},
        latest_message=latest,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def _run_action(
    action: Action, tracker: Tracker
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run ``action``; return the messages it sent and the events it returned."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    if inspect.iscoroutine(events):
        events = asyncio.run(events)
    assert isinstance(events, list)
    return dispatcher.messages, events


@pytest.fixture
def reseed() -> Callable[..., SeedReport]:
    """``reseed(url, catalog_path=DEFAULT_CATALOG)`` seeds a database."""
    return seed_database


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    """``make_tracker(text, intent=, entities=, slots=)`` builds a tracker."""
    return _make_tracker


@pytest.fixture
def run_action() -> Callable[
    [Action, Tracker], tuple[list[dict[str, Any]], list[dict[str, Any]]]
]:
    """``run_action(action, tracker)`` returns ``(messages, events)``."""
    return _run_action


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    """The trained assistant, really started once for all end-to-end tests."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does it)")
    with start_assistant(tmp_path_factory.mktemp("assistant")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright, once per test module.

    Module scope, not session: Playwright's sync API keeps an event loop
    running while it is open, and asyncio tests cannot run beside it.

    The browser is ``/usr/bin/chromium`` (``scripts/ensure-chromium.sh``
    installs it); Playwright's own browser download is never used. Without
    Chromium the tests are skipped, but they fail when ``CI=true``.
    """
    if not CHROMIUM.exists():
        unavailable(
            f"{CHROMIUM} not found: run scripts/ensure-chromium.sh (make test does)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is missing: run `make setup`")
    if not AXE.exists():
        unavailable(f"{AXE} is missing: run `npm ci --prefix webchat` (make setup)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()
