"""The Rasa-side time limit and honest reply for custom actions, in-process.

Rasa's own ``RemoteAction`` calls real sockets: a closed port, a server that
accepts and never answers, and servers that answer with an error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from components import action_fallback
from components.action_fallback import (
    CLARIFY_UNAVAILABLE_TEXT,
    LOOKUP_UNAVAILABLE_TEXT,
    MAX_TIMEOUT_SECONDS,
    action_timeout,
    fallback_events,
    install,
)
from tests.support.assistant import free_port

USER_TEXT = "welke onderzoeken zijn er voor mevrouw Jansen-geheim"


def _tracker() -> DialogueStateTracker:
    tracker = DialogueStateTracker("test-user", slots=[])
    tracker.update(UserUttered(USER_TEXT, {"name": "onderzoek_meedoen"}))
    return tracker


async def _run(action: str, url: str) -> list[object]:
    remote = RemoteAction(action, EndpointConfig(url))
    return list(
        await remote.run(
            CollectingOutputChannel(),
            TemplatedNaturalLanguageGenerator({}),
            _tracker(),
            Domain.empty(),
        )
    )


def _texts(events: list[object]) -> list[str]:
    return [str(event.text) for event in events if isinstance(event, BotUttered)]


@pytest.fixture
def timeout_of(use_settings: Callable[..., None]) -> Callable[[float], None]:
    """``timeout_of(seconds)`` sets ACTION_TIMEOUT_SECONDS for this test."""
    return lambda seconds: use_settings(ACTION_TIMEOUT_SECONDS=str(seconds))


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A port that accepts connections (the kernel does) but never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/webhook"


def _http_server(status: int, body: dict[str, object]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            """Stay quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def answering() -> Iterator[Callable[..., str]]:
    """``answering(status, body)`` starts an HTTP server; returns its URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(status: int, body: dict[str, object]) -> str:
        server = _http_server(status, body)
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/webhook"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_lookup_reply_is_honest_and_gives_the_general_route() -> None:
    (event,) = fallback_events("action_list_studies")

    assert isinstance(event, BotUttered)
    assert event.text == LOOKUP_UNAVAILABLE_TEXT
    assert "lukt mij nu niet" in LOOKUP_UNAVAILABLE_TEXT
    assert "eigen arts" in LOOKUP_UNAVAILABLE_TEXT
    assert "ALS-team" in LOOKUP_UNAVAILABLE_TEXT
    assert "www.als-centrum.nl" in LOOKUP_UNAVAILABLE_TEXT
    assert LOOKUP_UNAVAILABLE_TEXT.splitlines()[-1].startswith("Bron: ")
    payloads = [button["payload"] for button in event.data["buttons"]]
    assert "/show_topics" in payloads


def test_each_action_gets_a_fitting_reply() -> None:
    assert _texts(fallback_events("action_find_contact")) == [LOOKUP_UNAVAILABLE_TEXT]
    assert _texts(fallback_events("action_show_study")) == [LOOKUP_UNAVAILABLE_TEXT]
    assert _texts(fallback_events("action_clarify")) == [CLARIFY_UNAVAILABLE_TEXT]
    assert fallback_events("action_offer_human") == []


def test_installing_twice_wraps_once() -> None:
    wrapped = RemoteAction.run

    install()
    install()

    assert RemoteAction.run is wrapped
    assert getattr(RemoteAction.run, "_als_action_fallback", False)


def test_timeout_is_capped_below_the_lock_lifetime(
    timeout_of: Callable[[float], None],
) -> None:
    timeout_of(3)
    assert action_timeout() == 3
    timeout_of(600)
    assert action_timeout() == MAX_TIMEOUT_SECONDS < 60


async def test_closed_port_gets_the_honest_reply_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = time.monotonic()

    events = await _run("action_list_studies", f"http://127.0.0.1:{free_port()}/x")

    assert time.monotonic() - started < 2
    assert _texts(events) == [LOOKUP_UNAVAILABLE_TEXT]
    (record,) = [r for r in caplog.records if r.name == action_fallback.logger.name]
    assert "action_list_studies" in record.getMessage()
    assert "could not connect" in record.getMessage()
    assert USER_TEXT not in caplog.text


async def test_silent_server_gets_the_honest_reply_within_the_timeout(
    silent_server: str,
    timeout_of: Callable[[float], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    timeout_of(1.5)
    started = time.monotonic()

    events = await _run("action_find_contact", silent_server)

    elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 2.5
    assert _texts(events) == [LOOKUP_UNAVAILABLE_TEXT]
    assert "no answer within 1.5 s" in caplog.text


async def test_error_reply_gets_the_honest_reply_and_is_not_logged(
    answering: Callable[..., str], caplog: pytest.LogCaptureFixture
) -> None:
    url = answering(500, {"error": "boom", "request_body": USER_TEXT})

    with caplog.at_level(logging.DEBUG):
        events = await _run("action_clarify", url)

    assert _texts(events) == [CLARIFY_UNAVAILABLE_TEXT]
    assert "answered HTTP 500" in caplog.text
    assert USER_TEXT not in caplog.text


async def test_unreadable_reply_gets_the_honest_reply(
    answering: Callable[..., str],
) -> None:
    url = answering(200, {"events": "not a list", "responses": 3})

    events = await _run("action_show_study", url)

    assert _texts(events) == [LOOKUP_UNAVAILABLE_TEXT]


async def test_silent_action_stays_silent() -> None:
    assert await _run("action_offer_human", f"http://127.0.0.1:{free_port()}") == []


async def test_rejection_passes_through(answering: Callable[..., str]) -> None:
    url = answering(400, {"error": "Bad Request", "action_name": "action_show_study"})

    with pytest.raises(ActionExecutionRejection):
        await _run("action_show_study", url)


async def test_working_action_is_untouched(answering: Callable[..., str]) -> None:
    url = answering(200, {"events": [], "responses": [{"text": "De onderzoeken"}]})

    events = await _run("action_list_studies", url)

    assert _texts(events) == ["De onderzoeken"]


def test_cancelling_the_turn_is_not_swallowed(silent_server: str) -> None:
    async def cancelled() -> None:
        task = asyncio.ensure_future(_run("action_list_studies", silent_server))
        await asyncio.sleep(0.2)
        task.cancel()
        await task

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancelled())


def test_action_replies_are_validated_as_rasa_does() -> None:
    action = RemoteAction("action_show_study", None)
    good = {"events": [], "responses": [{"text": "Het MRI-onderzoek..."}]}
    assert action._validate_action_result(good)
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": "not a list"})
