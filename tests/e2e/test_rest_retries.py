"""Sending a REST message again with its ``message_id`` never answers it twice."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from components.channel_guard import TOO_FAST, TOO_LONG
from components.rest_channel import BAD_MESSAGE_ID
from tests.support.assistant import (
    MAX_MESSAGE_CHARS,
    RATE_LIMIT_PER_MINUTE,
    RunningAssistant,
)
from tests.support.tracker import stored_user_events


def _send(
    assistant: RunningAssistant, sender: str, message: str, message_id: object
) -> requests.Response:
    return requests.post(
        assistant.rest_url,
        json={"sender": sender, "message": message, "message_id": message_id},
        timeout=60,
    )


def _stored(assistant: RunningAssistant, sender: str) -> list[dict[str, Any]]:
    return stored_user_events(f"sqlite:///{assistant.tracker_db}", sender)


def _new_sender() -> str:
    return f"retry-{uuid.uuid4().hex}"


def test_a_retried_message_gets_the_same_answer_and_is_stored_once(
    assistant: RunningAssistant,
) -> None:
    sender, message_id = _new_sender(), uuid.uuid4().hex
    first = _send(assistant, sender, "wat is riluzol", message_id)
    again = _send(assistant, sender, "wat is riluzol", message_id)
    assert first.status_code == again.status_code == 200
    assert "Riluzol" in first.json()[0]["text"]
    assert again.json() == first.json(), "buttons and all, as the first time"
    stored = _stored(assistant, sender)
    assert [event["text"] for event in stored] == ["wat is riluzol"]
    assert stored[0]["message_id"] == message_id


def test_a_retry_after_later_turns_still_gets_its_own_answer(
    assistant: RunningAssistant,
) -> None:
    sender, first_id = _new_sender(), uuid.uuid4().hex
    first = _send(assistant, sender, "wat is riluzol", first_id).json()
    _send(assistant, sender, "is ALS erfelijk", uuid.uuid4().hex)
    assert _send(assistant, sender, "wat is riluzol", first_id).json() == first
    assert len(_stored(assistant, sender)) == 2


def test_simultaneous_copies_are_handled_once(assistant: RunningAssistant) -> None:
    sender, message_id = _new_sender(), uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(
                lambda _: _send(
                    assistant, sender, "welke onderzoeken lopen er", message_id
                ),
                range(4),
            )
        )
    bodies = [answer.json() for answer in answers]
    assert all(body == bodies[0] for body in bodies)
    assert "onderzoeken" in bodies[0][0]["text"]
    assert len(_stored(assistant, sender)) == 1


def test_the_same_text_with_a_new_id_is_a_new_message(
    assistant: RunningAssistant,
) -> None:
    sender = _new_sender()
    for _ in range(2):
        _send(assistant, sender, "wat is ALS", uuid.uuid4().hex)
    assert len(_stored(assistant, sender)) == 2


@pytest.mark.parametrize(
    "message_id", ["kort", "x" * 65, "met spatie 123", 12345678, ["lijst-12345"], ""]
)
def test_a_malformed_message_id_is_refused_politely(
    assistant: RunningAssistant, message_id: object
) -> None:
    sender = _new_sender()
    answer = _send(assistant, sender, "wat is ALS", message_id)
    assert answer.status_code == 400
    assert answer.json() == {"error": BAD_MESSAGE_ID}
    assert _stored(assistant, sender) == []


def test_replays_count_against_the_rate_limit(assistant: RunningAssistant) -> None:
    sender, message_id = _new_sender(), uuid.uuid4().hex
    replies = [
        _send(assistant, sender, "wat is riluzol", message_id).json()
        for _ in range(RATE_LIMIT_PER_MINUTE + 1)
    ]
    assert "Riluzol" in replies[0][0]["text"]
    assert replies[-1][0]["text"] == TOO_FAST


def test_a_too_long_retry_is_refused_like_any_message(
    assistant: RunningAssistant,
) -> None:
    sender = _new_sender()
    long_text = "wat is riluzol " + "a" * MAX_MESSAGE_CHARS
    reply = _send(assistant, sender, long_text, uuid.uuid4().hex).json()
    assert reply[0]["text"] == TOO_LONG.format(limit=MAX_MESSAGE_CHARS)
    assert _stored(assistant, sender) == []
