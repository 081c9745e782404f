"""Simulated patients for ``make loadtest`` (started by ``bench.loadtest``).

Each simulated user holds conversations one after another, each under a fresh
sender id: a short scripted conversation through the public REST entry point,
with a pause to read between turns. Every turn is recorded (sender, message,
status, the reply texts, time) and written to ``LOADTEST_RECORDS`` when locust
stops, so ``bench.loadtest`` can check the tracker store against what users
saw. ``LOADTEST_MAX_TURNS`` bounds the number of turns started.

Each message carries a ``message_id``. When the entry point answers that the
assistant is not reachable (a Rasa process died under the request) or the
connection fails, the user sends the same message once more after a second, as
a person would press "send" again; the REST channel never handles one
``message_id`` twice, so the tracker store check still finds every turn once.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any, cast

from locust import HttpUser, between, events, task
from locust.clients import ResponseContextManager
from locust.env import Environment
from locust.exception import StopUser

from bench.conversations import CONVERSATIONS

READ_SECONDS = (1.0, 2.0)
RETRIES = 1
RETRY_PAUSE_SECONDS = 1.0
RETRY_STATUSES = {0, 502, 503, 504}
"""0: the connection failed; 502 to 504: the entry point had no answer."""
RECORDS: list[dict[str, Any]] = []
MAX_TURNS = int(os.environ.get("LOADTEST_MAX_TURNS", "0") or 0)


class Patient(HttpUser):
    """One person chatting: conversation after conversation, each a new sender."""

    wait_time = between(0.5, 1.5)

    @task
    def conversation(self) -> None:
        """One scripted conversation under a fresh sender id."""
        sender = f"load-{uuid.uuid4().hex}"
        for message in random.choice(CONVERSATIONS):
            if MAX_TURNS and len(RECORDS) >= MAX_TURNS:
                raise StopUser()
            self.turn(sender, message)
            time.sleep(random.uniform(*READ_SECONDS))

    def turn(self, sender: str, message: str) -> None:
        """Send one message (again once if it failed); record what the user saw."""
        record: dict[str, Any] = {
            "sender": sender,
            "message": message,
            "status": "pending",
            "replies": [],
            "ms": None,
            "at": time.time(),
            "attempts": 0,
        }
        RECORDS.append(record)
        message_id = uuid.uuid4().hex
        started = time.perf_counter()
        for attempt in range(1, RETRIES + 2):
            record["attempts"] = attempt
            status, replies = self.send(sender, message, message_id)
            record["code"] = status
            if replies or status not in RETRY_STATUSES or attempt > RETRIES:
                break
            time.sleep(RETRY_PAUSE_SECONDS)
        record["ms"] = (time.perf_counter() - started) * 1000
        record["status"] = "ok" if replies else "error"
        record["replies"] = replies

    def send(self, sender: str, message: str, message_id: str) -> tuple[int, list[str]]:
        """One request; its status and the texts of the replies."""
        with self.client.post(
            "/webhooks/rest/webhook",
            json={"sender": sender, "message": message, "message_id": message_id},
            headers={"Origin": str(self.host)},
            name="turn",
            catch_response=True,
            timeout=60,
        ) as managed:
            response = cast(ResponseContextManager, managed)
            replies = _reply_texts(response.text) if response.status_code == 200 else []
            if replies:
                response.success()
            else:
                response.failure(f"status {response.status_code}, no reply")
            return response.status_code, replies


def _reply_texts(body: str | None) -> list[str]:
    """The texts of the bot's replies in a REST response body."""
    try:
        messages = json.loads(body or "")
    except ValueError:
        return []
    if not isinstance(messages, list):
        return []
    return [str(m["text"]) for m in messages if isinstance(m, dict) and "text" in m]


@events.quitting.add_listener
def write_records(environment: Environment, **_: Any) -> None:
    """Write every turn, finished or not, for ``bench.loadtest``."""
    target = os.environ.get("LOADTEST_RECORDS")
    if target:
        Path(target).write_text(json.dumps(RECORDS), encoding="utf-8")
