"""The REST channel's checks with a really started assistant.

Origin allow-list, input validation, masking before storage, "Vergeet mij",
the message size limit and the per-conversation rate limit; each test uses
senders of its own.
"""

from __future__ import annotations

import sqlite3
import uuid

import pytest
import requests
import socketio

from bot.privacy import BSN, EMAIL, PHONE
from components.channel_guard import FORGOTTEN, TOO_FAST, TOO_LONG
from components.rest_channel import BAD_SENDER
from tests.support.assistant import (
    MAX_MESSAGE_CHARS,
    RATE_LIMIT_PER_MINUTE,
    RunningAssistant,
)


def _sender() -> str:
    return f"test-{uuid.uuid4().hex}"


def _post(
    assistant: RunningAssistant, body: object, origin: str | None = None
) -> requests.Response:
    headers = {"Origin": origin} if origin else {}
    return requests.post(assistant.rest_url, json=body, headers=headers, timeout=30)


def _text(replies: list[dict[str, object]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def _events(assistant: RunningAssistant, sender: str) -> list[tuple[str, str]]:
    with sqlite3.connect(assistant.tracker_db) as connection:
        rows = connection.execute(
            "SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id",
            (sender,),
        ).fetchall()
    return [(str(row[0]), str(row[1])) for row in rows]


def _stored_anywhere(assistant: RunningAssistant, needle: str) -> bool:
    with sqlite3.connect(assistant.tracker_db) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM events WHERE instr(data, ?) > 0 "
            "OR instr(sender_id, ?) > 0",
            (needle, needle),
        ).fetchone()
    return bool(count)


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "null", "http://127.0.0.1:1", "https://localhost"],
)
def test_foreign_origin_is_refused(assistant: RunningAssistant, origin: str) -> None:
    sender = _sender()
    response = _post(assistant, {"sender": sender, "message": "hallo"}, origin)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]
    assert _events(assistant, sender) == [], "refused before Rasa"


def test_allowed_origin_and_no_origin_are_served(assistant: RunningAssistant) -> None:
    port = assistant.base_url.rsplit(":", 1)[1]
    for origin in [assistant.base_url, f"http://localhost:{port}", None]:
        response = _post(
            assistant, {"sender": _sender(), "message": "wat is riluzol"}, origin
        )
        assert response.status_code == 200, origin
        assert "Rilutek" in _text(response.json()), origin


@pytest.mark.parametrize(
    "body",
    [
        {"sender": "a", "message": 5},
        {"sender": "a", "message": None},
        {"sender": "a", "message": ["wat is ALS"]},
        {"sender": "a", "message": {"text": "wat is ALS"}},
        {"sender": "a"},
        {"sender": 5, "message": "wat is ALS"},
        {"sender": "", "message": "wat is ALS"},
        {"sender": "x" * 500, "message": "wat is ALS"},
        {"sender": "a\x00b", "message": "wat is ALS"},
        {"message": "wat is ALS"},
        ["wat is ALS"],
        "wat is ALS",
        None,
    ],
)
def test_wrong_json_gets_a_polite_400(
    assistant: RunningAssistant, body: object
) -> None:
    response = _post(assistant, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert '"sender"' in error and "Traceback" not in error


@pytest.mark.parametrize(
    "sender",
    [
        "a",
        "jan",
        "gesprek-7",
        "0612345678",
        "x" * 31,
        "ééééééééééééééééééééééééééééééééé",
    ],
)
def test_a_guessable_conversation_id_is_refused(
    assistant: RunningAssistant, sender: str
) -> None:
    response = _post(assistant, {"sender": sender, "message": "wat is ALS"})
    assert response.status_code == 400
    assert response.json()["error"] == BAD_SENDER


def test_a_random_uuid_is_a_conversation_id(assistant: RunningAssistant) -> None:
    for sender in (str(uuid.uuid4()), uuid.uuid4().hex, f"app_{uuid.uuid4().hex}"):
        response = _post(assistant, {"sender": sender, "message": "wat is riluzol"})
        assert response.status_code == 200
        assert "Rilutek" in _text(response.json())


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"niet json",
        b"{",
        b"\xff\xfe",
        b"[" * 20_000 + b"]" * 20_000,
        b"x" * 100_000,
    ],
)
def test_body_that_is_no_json_gets_a_polite_error(
    assistant: RunningAssistant, raw: bytes
) -> None:
    response = requests.post(assistant.rest_url, data=raw, timeout=30)
    assert response.status_code in (400, 413)
    assert response.json()["error"]


def test_web_chat_session_ids_cannot_be_used_over_rest(
    assistant: RunningAssistant,
) -> None:
    client = socketio.Client()
    confirmed: list[str] = []
    client.on("session_confirm", confirmed.append)
    client.connect(assistant.base_url, transports=["polling"])
    try:
        client.emit("session_request", {"session_id": None})
        client.sleep(0.1)
        for _ in range(100):
            if confirmed:
                break
            client.sleep(0.1)
    finally:
        client.disconnect()
    response = _post(assistant, {"sender": confirmed[0], "message": "vergeet mij"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("message", "secret", "label"),
    [
        ("mijn nummer is 06-12345678, bel me", "12345678", PHONE),
        ("bel +31 6 8765 4321 of 020 123 4567", "87654321", PHONE),
        ("0032 470 55 66 77 is mijn nummer", "55 66 77", PHONE),
        ("mail mij op jan.de.vries@voorbeeld.nl", "jan.de.vries", EMAIL),
        ("mijn bsn is 1234.56.782", "1234.56.782", BSN),
        ("mijn bsn is 111222333", "111222333", BSN),
    ],
)
def test_personal_data_is_masked_before_it_is_stored(
    assistant: RunningAssistant, message: str, secret: str, label: str
) -> None:
    sender = _sender()
    replies = assistant.say(sender, message)
    assert _text(replies).strip()
    texts = [data for kind, data in _events(assistant, sender) if kind == "user"]
    assert len(texts) == 1 and label in texts[0]
    assert not _stored_anywhere(assistant, secret)
    log = (assistant.workdir / "logs" / "rasa.log").read_text(errors="replace")
    assert secret not in log, "message texts never go to the log"


def test_crisis_numbers_are_stored_unmasked(assistant: RunningAssistant) -> None:
    sender = _sender()
    assistant.say(sender, "moet ik 112 of 0800-0113 bellen")
    user = [data for kind, data in _events(assistant, sender) if kind == "user"]
    assert "112" in user[0] and "0800-0113" in user[0]


@pytest.mark.parametrize("request_text", ["Vergeet mij!", "/forget_me"])
def test_forget_me_deletes_the_conversation(
    assistant: RunningAssistant, request_text: str
) -> None:
    sender, other = _sender(), _sender()
    assistant.say(sender, "wat is riluzol")
    assistant.say(sender, "is als erfelijk")
    assistant.say(other, "wat is riluzol")
    assert len(_events(assistant, sender)) > 4
    replies = assistant.say(sender, request_text)
    assert _text(replies) == FORGOTTEN
    assert _events(assistant, sender) == []
    assert _events(assistant, other), "other conversations stay"
    assert "Rilutek" in _text(assistant.say(sender, "wat is riluzol"))
    kinds = [kind for kind, _ in _events(assistant, sender)]
    assert kinds.count("user") == 1, "a fresh conversation, nothing of the old one"


def test_too_long_message_gets_the_polite_reply(assistant: RunningAssistant) -> None:
    sender = _sender()
    assert "Rilutek" in _text(
        assistant.say(sender, "wat is riluzol" + " " * (MAX_MESSAGE_CHARS - 14))
    )
    replies = assistant.say(sender, "wat is riluzol " + "a" * MAX_MESSAGE_CHARS)
    assert _text(replies) == TOO_LONG.format(limit=MAX_MESSAGE_CHARS)
    user = [kind for kind, _ in _events(assistant, sender) if kind == "user"]
    assert len(user) == 1, "the long message is not stored"


def test_rate_limit_gets_the_polite_reply(assistant: RunningAssistant) -> None:
    sender, other = _sender(), _sender()
    for _ in range(RATE_LIMIT_PER_MINUTE):
        assert _text(assistant.say(sender, "hallo")) != TOO_FAST
    for _ in range(3):
        assert _text(assistant.say(sender, "wat is riluzol")) == TOO_FAST
    assert "Rilutek" in _text(assistant.say(other, "wat is riluzol"))
    user = [kind for kind, _ in _events(assistant, sender) if kind == "user"]
    assert len(user) == RATE_LIMIT_PER_MINUTE, "refused messages are not stored"


def test_forget_me_works_over_the_rate_limit(assistant: RunningAssistant) -> None:
    sender = _sender()
    for _ in range(RATE_LIMIT_PER_MINUTE + 1):
        assistant.say(sender, "hallo")
    assert _text(assistant.say(sender, "wat is riluzol")) == TOO_FAST
    assert _text(assistant.say(sender, "/forget_me")) == FORGOTTEN
    assert _events(assistant, sender) == []
