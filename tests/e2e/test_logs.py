"""Logs never contain what users type: conversations are health data.

The real assistant (Rasa server and action server, as ``make run`` starts
them, without ``--debug``) gets messages with a unique marker word along every
path: a topic, the fallback, a database-backed custom action, a contact, the
emergency reply. The marker must then be in the tracker store and in no log.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path

from tests.support.assistant import RunningAssistant

MESSAGES = (
    "wat is riluzol {marker}",
    "{marker}",
    "welke onderzoeken zijn er naar {marker}",
    "wat houdt het MRI-onderzoek in {marker}",
    "ik wil een verpleegkundige spreken over {marker}",
    "help mijn man stikt {marker}",
    "ik heb een vraag over mijn dosis {marker} van 100 mg",
    "/{marker} wat is riluzol",
    "/faq_riluzol{{{marker}}}",
    '/onderzoek_info{{"study": "{marker}"}}',
)
"""Every path, and messages that look like commands but are not one the
assistant sends (Rasa would log them with their text as commands it could not
parse)."""


def _lines_with(marker: str, log_dir: Path) -> list[str]:
    found = []
    for path in sorted(log_dir.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if marker in line.lower():
                found.append(f"{path.name}:{number}: {line[:300]}")
    return found


def _stored_events_with(marker: str, tracker_db: Path) -> int:
    with sqlite3.connect(tracker_db) as connection:
        row = connection.execute(
            "SELECT count(*) FROM events WHERE data LIKE ?", (f"%{marker}%",)
        ).fetchone()
    return int(row[0])


def test_logs_never_contain_message_texts(assistant: RunningAssistant) -> None:
    marker = f"merkwoord{uuid.uuid4().hex[:12]}"
    sender = f"test-logs-{uuid.uuid4().hex}"
    for message in MESSAGES:
        assert assistant.say(sender, message.format(marker=marker))
    time.sleep(1)

    assert _stored_events_with(marker, assistant.tracker_db) >= len(MESSAGES)
    log_dir = assistant.workdir / "logs"
    assert {"actions.log", "rasa.log"} <= {path.name for path in log_dir.iterdir()}
    leaks = _lines_with(marker, log_dir)
    assert not leaks, "message text found in the logs:\n" + "\n".join(leaks)
