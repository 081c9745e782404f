"""Hostile input against the really started REST channel (hypothesis).

Random unicode, control characters, lone surrogates, huge strings, SQL and
HTML fragments and JSON of the wrong types, as JSON bodies and as raw bytes.
Whatever comes in: never a 500, never a stack trace or SQL error text in the
reply, and the server keeps answering.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.assistant import MAX_MESSAGE_CHARS, RunningAssistant

LEAKS = (
    "Traceback",
    'File "',
    "sqlalchemy",
    "sqlite3",
    "psycopg2",
    "OperationalError",
    "IntegrityError",
    "syntax error",
    "Exception",
    "rasa.core",
)
FRAGMENTS = [
    "'; DROP TABLE events; --",
    '" OR 1=1 --',
    "1; SELECT * FROM events",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "{{7*7}} ${7*7}",
    "/restart",
    "/session_start",
    '/faq_riluzol{"x": "\'; DROP TABLE events; --"}',
    "/forget_me",
    "vergeet mij",
    "\x00\x01\x1b[31m\x7f",
    "\ud800",
    "\u202e\u200b\ufeff",
    "a" * 5000,
    "0612345678 " * 200,
]
TEXT = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=()), max_size=300),
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=1500),
    st.sampled_from(FRAGMENTS),
    st.lists(st.sampled_from(FRAGMENTS), max_size=4).map(" ".join),
)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
HOSTILE_SENDER = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=()), max_size=200),
    JSON_VALUE,
)
BODY = st.one_of(
    st.fixed_dictionaries({"sender": HOSTILE_SENDER, "message": TEXT}),
    st.fixed_dictionaries({"sender": st.text(max_size=20), "message": JSON_VALUE}),
    JSON_VALUE,
)
SETTINGS = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _dumps(body: Any) -> bytes:
    """JSON as a careless client would send it (lone surrogates escaped)."""
    return json.dumps(body, ensure_ascii=True, allow_nan=True).encode("ascii")


def _check(response: requests.Response) -> None:
    assert response.status_code < 500, response.text[:300]
    assert response.status_code in (200, 400, 403, 413), response.status_code
    for leak in LEAKS:
        assert leak not in response.text, (leak, response.text[:300])
    payload = response.json()
    if response.status_code == 200:
        assert isinstance(payload, list)
        for reply in payload:
            assert "<script>" not in str(reply.get("text", ""))
    else:
        assert isinstance(payload["error"], str) and payload["error"]


def _post(assistant: RunningAssistant, data: bytes, kind: str) -> None:
    response = requests.post(
        assistant.rest_url, data=data, headers={"Content-Type": kind}, timeout=60
    )
    _check(response)


@settings(SETTINGS, max_examples=60)
@given(
    message=TEXT,
    metadata=st.one_of(st.none(), JSON_VALUE),
    origin=st.sampled_from([None, "same"]),
)
def test_rest_survives_hostile_messages(
    assistant: RunningAssistant, message: str, metadata: Any, origin: str | None
) -> None:
    body = {"sender": f"fuzz-{uuid.uuid4().hex}", "message": message}
    if metadata is not None:
        body["metadata"] = metadata
    headers = {"Content-Type": "application/json"}
    if origin:
        headers["Origin"] = assistant.base_url
    response = requests.post(
        assistant.rest_url, data=_dumps(body), headers=headers, timeout=60
    )
    _check(response)
    assert response.status_code == 200
    if len(message) <= MAX_MESSAGE_CHARS and not message.strip().startswith("/"):
        assert response.json(), "every typed message gets an answer"


@settings(SETTINGS, max_examples=40)
@given(body=BODY)
def test_rest_survives_hostile_json(assistant: RunningAssistant, body: Any) -> None:
    _post(assistant, _dumps(body), "application/json")


@settings(SETTINGS, max_examples=30)
@given(raw=st.binary(max_size=2000), kind=st.sampled_from(["json", "text"]))
def test_rest_survives_hostile_bytes(
    assistant: RunningAssistant, raw: bytes, kind: str
) -> None:
    _post(assistant, raw, "application/json" if kind == "json" else "text/plain")


def test_server_is_still_up_and_answering(assistant: RunningAssistant) -> None:
    assert assistant.rasa.poll() is None
    replies = assistant.say(f"fuzz-after-{uuid.uuid4().hex}", "wat is riluzol")
    assert "Rilutek" in "\n".join(str(reply.get("text", "")) for reply in replies)
