"""The real assistant while the PostgreSQL server of its tracker store is down.

The assistant gets a PostgreSQL server of its own (the shared one of
``tests/conftest.py`` must stay up), which this test stops and starts: the
health endpoint says 200, then 503 while the server is down; a message then gets
the honest reply within a few seconds and no answer from an empty in-memory
conversation; once the server is back, health says 200 again and the same
conversation goes on with its earlier events still stored.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from components.channel_guard import FAILED, STORE_UNAVAILABLE
from tests.conftest import PG_BIN, _as_postgres, _run
from tests.support.assistant import MODEL, RunningAssistant, free_port, start_assistant
from tests.support.tools import require
from tests.support.tracker import stored_user_texts

pytestmark = pytest.mark.postgresql

HONEST_SECONDS = 5.0
"""The honest reply comes within this many seconds."""
RILUZOL = "wat is riluzol"


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL server that can be stopped and started."""

    data: Path
    log: Path
    options: str
    url: str

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        _run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log)]
                + ["-o", self.options, "-w", "-t", "60", "start"]
            ),
            "pg_ctl start",
            self.log,
        )

    def stop(self) -> None:
        """Stop the server (fast shutdown: open connections are cut)."""
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast"]
                + ["-w", "stop"]
            ),
            capture_output=True,
            check=False,
        )


@pytest.fixture(scope="module")
def tracker_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server only for this module's tracker store."""
    require(PG_BIN / "pg_ctl", "PostgreSQL")
    base = Path(tempfile.mkdtemp(prefix="als-tracker-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    port = free_port()
    server = PostgresServer(
        data=base / "data",
        log=base / "server.log",
        options=f"-h 127.0.0.1 -p {port} -k {base} -c fsync=off",
        url=f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres",
    )
    _run(
        _as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(server.data), "-U", "postgres"]
            + ["--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]
        ),
        "initdb",
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def assistant_on_postgres(
    tracker_postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningAssistant]:
    """An assistant of its own whose tracker store is ``tracker_postgres``."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does it)")
    workdir = tmp_path_factory.mktemp("tracker-faults")
    with start_assistant(workdir, env={"TRACKER_DB_URL": tracker_postgres.url}) as run:
        yield run


def _health(assistant: RunningAssistant) -> tuple[int, dict[str, object]]:
    response = requests.get(f"{assistant.base_url}/webhooks/rest/health", timeout=10)
    body: dict[str, object] = response.json()
    return response.status_code, body


def _text(replies: list[dict[str, object]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def _report(what: str, seconds: float) -> None:
    sys.stdout.write(f"\n[tracker store faults] {what}: {seconds:.2f} s\n")


def test_tracker_database_down_honest_reply_then_the_conversation_goes_on(
    assistant_on_postgres: RunningAssistant, tracker_postgres: PostgresServer
) -> None:
    assistant = assistant_on_postgres
    sender = f"test-tracker-{uuid.uuid4().hex}"
    assert _health(assistant) == (200, {"status": "ok", "tracker_store": "ok"})
    first = _text(assistant.say(sender, "wat is ALS"))
    assert first and first not in (FAILED, STORE_UNAVAILABLE)

    tracker_postgres.stop()
    try:
        status, body = _health(assistant)
        assert status == 503
        assert body["tracker_store"] == "unavailable"
        assert set(body) == {"status", "tracker_store"}

        started = time.monotonic()
        down = assistant.say(sender, "hoe snel gaat ALS")
        seconds = time.monotonic() - started
        _report("database down: honest reply", seconds)
        assert [reply["text"] for reply in down] == [STORE_UNAVAILABLE]
        assert seconds < HONEST_SECONDS
    finally:
        tracker_postgres.start()

    assert _health(assistant) == (200, {"status": "ok", "tracker_store": "ok"})
    started = time.monotonic()
    again = _text(assistant.say(sender, RILUZOL))
    _report("database back: next turn", time.monotonic() - started)
    assert "Rilutek" in again

    assert stored_user_texts(tracker_postgres.url, sender) == ["wat is ALS", RILUZOL]
    rasa_log = (assistant.workdir / "logs" / "rasa.log").read_text(errors="replace")
    assert "Tracker store unavailable (retrieve): OperationalError." in rasa_log
    assert "InMemoryTrackerStore" not in rasa_log
    assert "hoe snel gaat ALS" not in rasa_log
