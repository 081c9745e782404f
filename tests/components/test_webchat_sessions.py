"""Web chat session ids: issued and signed by the server, refused otherwise."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from components.webchat import (
    SESSION_ID,
    is_issued_session_id,
    new_session_id,
    session_secret,
)

SECRET = b"k" * 32
OTHER = b"o" * 32


@pytest.fixture
def fresh_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Read ``SESSION_SECRET`` again in the test (and again after it)."""
    session_secret.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    session_secret.cache_clear()


def test_issued_ids_are_32_hex_digits_and_unique() -> None:
    ids = {new_session_id(SECRET) for _ in range(1000)}
    assert len(ids) == 1000
    assert all(SESSION_ID.fullmatch(session_id) for session_id in ids)
    assert all(is_issued_session_id(session_id, SECRET) for session_id in ids)


def test_made_up_foreign_and_tampered_ids_are_refused() -> None:
    issued = new_session_id(SECRET)
    tampered = issued[:-1] + ("0" if issued[-1] != "0" else "1")
    for candidate in [
        uuid.uuid4().hex,
        new_session_id(OTHER),
        tampered,
        issued.upper(),
        issued + "0",
        issued[:16],
        "",
        None,
        42,
        [issued],
    ]:
        assert not is_issued_session_id(candidate, SECRET), candidate


def test_secret_comes_from_the_environment(fresh_secret: pytest.MonkeyPatch) -> None:
    fresh_secret.setenv("SESSION_SECRET", "s" * 64)
    assert session_secret() == b"s" * 64
    assert is_issued_session_id(new_session_id())
    assert is_issued_session_id(new_session_id(b"s" * 64))


def test_short_secret_is_refused(fresh_secret: pytest.MonkeyPatch) -> None:
    fresh_secret.setenv("SESSION_SECRET", "geheim")
    with pytest.raises(ValueError, match="at least 32"):
        session_secret()


def test_without_a_secret_one_is_made_for_the_process(
    fresh_secret: pytest.MonkeyPatch,
) -> None:
    fresh_secret.setenv("SESSION_SECRET", "")
    secret = session_secret()
    assert len(secret) == 32 and session_secret() is secret
    session_secret.cache_clear()
    assert session_secret() != secret
