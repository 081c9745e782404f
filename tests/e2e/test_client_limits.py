"""Limits per client address: one machine that rotates conversation ids cannot
fill the service (issue 12). Its own assistant, with low limits."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio

from components.channel_guard import FORGOTTEN, TOO_MANY_FROM_CLIENT
from tests.support.assistant import RunningAssistant, start_assistant

MESSAGES_PER_MINUTE = 6
NEW_CONVERSATIONS_PER_MINUTE = 3


@pytest.fixture(scope="module")
def limited() -> Iterator[RunningAssistant]:
    with tempfile.TemporaryDirectory() as folder:
        environment = {
            "CLIENT_RATE_LIMIT_PER_MINUTE": str(MESSAGES_PER_MINUTE),
            "CLIENT_NEW_CONVERSATIONS_PER_MINUTE": str(NEW_CONVERSATIONS_PER_MINUTE),
        }
        with start_assistant(Path(folder), env=environment) as assistant:
            yield assistant


def _post(assistant: RunningAssistant, sender: str, message: str) -> requests.Response:
    return requests.post(
        assistant.rest_url, json={"sender": sender, "message": message}, timeout=60
    )


def test_rotating_rest_senders_are_limited_per_client_and_vergeet_mij_passes(
    limited: RunningAssistant,
) -> None:
    senders = [f"limit-{uuid.uuid4().hex}" for _ in range(NEW_CONVERSATIONS_PER_MINUTE)]
    for sender in senders:
        assert _post(limited, sender, "wat is riluzol").status_code == 200
    refused = _post(limited, f"limit-{uuid.uuid4().hex}", "wat is riluzol")
    assert refused.status_code == 429
    assert refused.json()[0]["text"] == TOO_MANY_FROM_CLIENT
    assert "112" in TOO_MANY_FROM_CLIENT
    for _ in range(MESSAGES_PER_MINUTE):
        _post(limited, senders[0], "is als erfelijk")
    assert _post(limited, senders[1], "wat is een emg").status_code == 429
    forgotten = _post(limited, senders[0], "/forget_me")
    assert forgotten.status_code == 200
    assert forgotten.json()[0]["text"] == FORGOTTEN


def test_new_web_chat_sessions_are_limited_per_client(
    limited: RunningAssistant,
) -> None:
    confirmed: list[str] = []
    refusals: list[str] = []
    for _ in range(NEW_CONVERSATIONS_PER_MINUTE + 2):
        client = socketio.Client()
        client.on("session_confirm", confirmed.append)
        client.on("bot_uttered", lambda data: refusals.append(str(data.get("text"))))
        client.connect(limited.base_url, transports=["polling"])
        try:
            client.emit("session_request", {"session_id": None})
            answered = len(confirmed) + len(refusals)
            for _ in range(50):
                client.sleep(0.1)
                if len(confirmed) + len(refusals) > answered:
                    break
        finally:
            client.disconnect()
    assert TOO_MANY_FROM_CLIENT in refusals
    assert len(confirmed) <= NEW_CONVERSATIONS_PER_MINUTE
