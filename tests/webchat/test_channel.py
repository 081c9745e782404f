"""The web chat channel over plain HTTP and socket.io, without a browser."""

from __future__ import annotations

import gzip
import http.client
import json
import queue
import sqlite3
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import socketio

from bot.privacy import EMAIL, PHONE
from components.channel_guard import FORGOTTEN, TOO_LONG
from components.webchat import new_session_id
from tests.support.assistant import MAX_MESSAGE_CHARS, RunningAssistant

REPLY_SECONDS = 30


@pytest.fixture
def client(assistant: RunningAssistant) -> Iterator[tuple[Any, queue.Queue[Any]]]:
    """A socket.io client (long polling) connected to the assistant."""
    sio = socketio.Client()
    received: queue.Queue[Any] = queue.Queue()
    sio.on("session_confirm", lambda data: received.put(("session_confirm", data)))
    sio.on("bot_uttered", lambda data: received.put(("bot_uttered", data)))
    sio.connect(assistant.base_url, transports=["polling"])
    yield sio, received
    sio.disconnect()


def _next(received: queue.Queue[Any], seconds: float = REPLY_SECONDS) -> Any:
    return received.get(timeout=seconds)


def _confirm(sio: Any, received: queue.Queue[Any], session_id: object) -> str:
    sio.emit("session_request", {"session_id": session_id})
    kind, data = _next(received)
    assert kind == "session_confirm"
    return str(data)


def _user_texts(
    assistant: RunningAssistant, session_id: str, wait_for: int = 0
) -> list[str]:
    """User texts of ``session_id`` in the tracker store, waiting for ``wait_for``."""
    deadline = time.monotonic() + REPLY_SECONDS
    while True:
        with sqlite3.connect(assistant.tracker_db) as connection:
            rows = connection.execute(
                "SELECT json_extract(data, '$.text') FROM events "
                "WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                (session_id,),
            ).fetchall()
        if len(rows) >= wait_for or time.monotonic() > deadline:
            return [row[0] for row in rows]
        time.sleep(0.2)


def _get_exact(assistant: RunningAssistant, path: str) -> tuple[int, bytes]:
    """GET ``path`` exactly as written (no dot-segment clean-up by a client)."""
    address = urlsplit(assistant.base_url)
    connection = http.client.HTTPConnection(address.netloc, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_page_and_allowed_files_are_served(assistant: RunningAssistant) -> None:
    page = requests.get(f"{assistant.base_url}/chat", timeout=10)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "Bij nood: bel 112." in page.text
    for name, kind in [
        ("chat.js", "text/javascript"),
        ("chat.css", "text/css"),
        ("socket.io.min.js", "text/javascript"),
    ]:
        response = requests.get(f"{assistant.base_url}/chat/static/{name}", timeout=10)
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith(kind), name


def test_privacy_statement_is_served(assistant: RunningAssistant) -> None:
    page = requests.get(f"{assistant.base_url}/chat/privacy", timeout=10)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_only_listed_files_are_served(assistant: RunningAssistant) -> None:
    for path in [
        "/chat/static/index.html",
        "/chat/static/package.json",
        "/chat/static/../../credentials.yml",
        "/chat/static/..%2F..%2Fcredentials.yml",
        "/chat/static/%2e%2e%2f%2e%2e%2fendpoints.yml",
        "/chat/static/socket.io.js",
        "/chat/node_modules/socket.io-client/dist/socket.io.min.js",
    ]:
        status, body = _get_exact(assistant, path)
        assert status == 404, path
        assert b"action_endpoint" not in body and b"rest:" not in body, path


def test_files_are_gzipped_and_revalidated(assistant: RunningAssistant) -> None:
    url = f"{assistant.base_url}/chat/static/socket.io.min.js"
    raw = requests.get(
        url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10
    )
    assert raw.headers["content-encoding"] == "gzip"
    body = gzip.decompress(raw.raw.read())
    assert b"socket.io" in body.lower() or b"engine.io" in body.lower()
    again = requests.get(
        url, headers={"If-None-Match": raw.headers["etag"]}, timeout=10
    )
    assert again.status_code == 304


def test_socket_handshake_from_another_origin_is_refused(
    assistant: RunningAssistant,
) -> None:
    url = f"{assistant.base_url}/socket.io/?EIO=4&transport=polling"
    port = assistant.base_url.rsplit(":", 1)[1]
    for origin in ["https://example.org", "null", f"http://[::1]:{port}"]:
        foreign = requests.get(url, headers={"Origin": origin}, timeout=10)
        assert foreign.status_code == 400, origin
    for origin in [assistant.base_url, f"http://localhost:{port}"]:
        allowed = requests.get(url, headers={"Origin": origin}, timeout=10)
        assert allowed.status_code == 200, origin
        assert allowed.headers["access-control-allow-origin"] == origin


def test_conversation_over_the_socket(
    client: tuple[Any, queue.Queue[Any]], assistant: RunningAssistant
) -> None:
    sio, received = client
    session_id = _confirm(sio, received, None)
    assert len(session_id) == 32
    sio.emit("user_uttered", {"message": "wat is riluzol", "session_id": session_id})
    kind, reply = _next(received)
    assert kind == "bot_uttered" and "Rilutek" in reply["text"]
    assert "Bron:" in reply["text"]
    assert reply.get("quick_replies"), "answers offer follow-up buttons"
    assert _confirm(sio, received, session_id) == session_id


def test_made_up_session_ids_are_replaced(client: tuple[Any, queue.Queue[Any]]) -> None:
    sio, received = client
    made_up = uuid.uuid4().hex
    foreign = new_session_id(b"another server's secret, 32 bytes")
    for bad in ["../../etc", "test-user", "A" * 32, 42, "", made_up, foreign]:
        confirmed = _confirm(sio, received, bad)
        assert confirmed != bad and len(confirmed) == 32


def test_issued_session_ids_can_be_resumed_by_another_socket(
    client: tuple[Any, queue.Queue[Any]], assistant: RunningAssistant
) -> None:
    sio, received = client
    issued = _confirm(sio, received, None)
    other = socketio.Client()
    confirmed: queue.Queue[Any] = queue.Queue()
    other.on("session_confirm", confirmed.put)
    other.connect(assistant.base_url, transports=["polling"])
    try:
        other.emit("session_request", {"session_id": issued})
        assert confirmed.get(timeout=REPLY_SECONDS) == issued
        tampered = issued[:-1] + ("0" if issued[-1] != "0" else "1")
        other.emit("session_request", {"session_id": tampered})
        assert confirmed.get(timeout=REPLY_SECONDS) not in (issued, tampered)
    finally:
        other.disconnect()


def test_messages_for_unconfirmed_sessions_are_ignored(
    client: tuple[Any, queue.Queue[Any]], assistant: RunningAssistant
) -> None:
    sio, received = client
    own = _confirm(sio, received, None)
    other = uuid.uuid4().hex
    sio.emit("user_uttered", {"message": "wat is ALS", "session_id": other})
    sio.emit("user_uttered", {"message": "wat is ALS"})
    sio.emit("user_uttered", "wat is ALS")
    sio.emit("user_uttered", {"message": "hallo", "session_id": own})
    kind, reply = _next(received)
    assert kind == "bot_uttered" and "motorneuronen" not in reply["text"]
    assert _user_texts(assistant, own, wait_for=1) == ["hallo"]
    assert _user_texts(assistant, other) == []


def test_only_the_rated_answer_is_kept_from_metadata(
    client: tuple[Any, queue.Queue[Any]], assistant: RunningAssistant
) -> None:
    sio, received = client
    session_id = _confirm(sio, received, None)
    metadata = {"rated_answer": "x" * 600, "name": "Jan Jansen", "bsn": "123456782"}
    sio.emit(
        "user_uttered",
        {"message": "hallo", "session_id": session_id, "metadata": metadata},
    )
    _next(received)
    _user_texts(assistant, session_id, wait_for=1)
    with sqlite3.connect(assistant.tracker_db) as connection:
        (stored,) = connection.execute(
            "SELECT json_extract(data, '$.metadata') FROM events "
            "WHERE sender_id = ? AND type_name = 'user'",
            (session_id,),
        ).fetchone()
    kept = json.loads(stored)
    assert kept["rated_answer"] == "x" * 500
    assert "name" not in kept and "bsn" not in kept


def test_personal_data_is_masked_and_long_messages_refused(
    client: tuple[Any, queue.Queue[Any]], assistant: RunningAssistant
) -> None:
    sio, received = client
    session_id = _confirm(sio, received, None)
    sio.emit(
        "user_uttered",
        {
            "message": "bel 06-87651234 of mail a.b@voorbeeld.nl",
            "session_id": session_id,
        },
    )
    _next(received)
    assert _user_texts(assistant, session_id, wait_for=1) == [
        f"bel {PHONE} of mail {EMAIL}"
    ]
    sio.emit(
        "user_uttered",
        {"message": "x" * (MAX_MESSAGE_CHARS + 1), "session_id": session_id},
    )
    kind, reply = _next(received)
    assert kind == "bot_uttered"
    assert reply["text"] == TOO_LONG.format(limit=MAX_MESSAGE_CHARS)
    assert "forgotten" not in reply
    assert len(_user_texts(assistant, session_id)) == 1


def test_forget_me_over_the_socket_deletes_the_conversation(
    client: tuple[Any, queue.Queue[Any]], assistant: RunningAssistant
) -> None:
    sio, received = client
    session_id = _confirm(sio, received, None)
    sio.emit("user_uttered", {"message": "wat is riluzol", "session_id": session_id})
    _next(received)
    assert _user_texts(assistant, session_id, wait_for=1) == ["wat is riluzol"]
    sio.emit("user_uttered", {"message": "/forget_me", "session_id": session_id})
    kind, reply = _next(received)
    assert kind == "bot_uttered"
    assert reply == {"text": FORGOTTEN, "forgotten": True}
    with sqlite3.connect(assistant.tracker_db) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM events WHERE sender_id = ?", (session_id,)
        ).fetchone()
    assert count == 0
