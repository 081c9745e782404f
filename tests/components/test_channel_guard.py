"""The checks every chat message passes: limits, "Vergeet mij", masking, origins."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import (
    FailSafeTrackerStore,
    InMemoryTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import OperationalError

from bot.formatting import SAFETY_LINE
from bot.privacy import BSN, EMAIL, PHONE
from components.channel_guard import (
    FAILED,
    FORGET_FAILED,
    FORGOTTEN,
    STORE_UNAVAILABLE,
    TOO_FAST,
    TOO_LONG,
    ChannelGuard,
    ClientLimits,
    OriginPolicy,
    Outcome,
    RateLimiter,
    allowed_metadata,
    clean_text,
    delete_conversation,
    failure_reply,
    forget_conversation,
)
from components.tracker_store import UrlSQLTrackerStore


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def guard(clock: Clock) -> ChannelGuard:
    return ChannelGuard(max_chars=100, per_minute=3, channel="test", clock=clock)


class Agent:
    """The two parts of Rasa's agent that "Vergeet mij" uses."""

    def __init__(self, tracker_store: TrackerStore) -> None:
        self.tracker_store = tracker_store
        self.lock_store = InMemoryLockStore()


async def _save(store: TrackerStore, sender: str) -> None:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("wat is riluzol"),
        BotUttered("Riluzol is een medicijn."),
    ]
    await store.save(DialogueStateTracker.from_events(sender, events))


@pytest.fixture
def sql_store(database_url: str) -> Iterator[SQLTrackerStore]:
    """Rasa's SQL tracker store on a new SQLite or PostgreSQL database."""
    store = UrlSQLTrackerStore(domain=Domain.empty(), url=database_url)
    yield store
    store.engine.dispose()


def test_short_message_is_masked_and_passed_on(guard: ChannelGuard) -> None:
    verdict = guard.check("a", "bel 06-12345678 of mail jan@example.nl, bsn 123456782")
    assert verdict.outcome is Outcome.PASS
    assert verdict.text == f"bel {PHONE} of mail {EMAIL}, bsn {BSN}"
    assert verdict.reply == ""


def test_crisis_numbers_pass_unchanged(guard: ChannelGuard) -> None:
    text = "moet ik 112 of 113 of 0800-0113 bellen"
    assert guard.check("a", text).text == text


def test_empty_message_still_goes_to_rasa(guard: ChannelGuard) -> None:
    for text in ["", "   ", "\x00\x01"]:
        verdict = guard.check(f"empty-{text!r}", text)
        assert verdict.outcome is Outcome.PASS and verdict.text == ""


def test_too_long_message_gets_a_polite_reply(guard: ChannelGuard) -> None:
    assert guard.check("a", "x" * 100).outcome is Outcome.PASS
    verdict = guard.check("b", "x" * 101)
    assert verdict.outcome is Outcome.TOO_LONG
    assert verdict.reply == TOO_LONG.format(limit=100)
    assert "maximaal 100 tekens" in verdict.reply


def test_too_long_beats_everything_else(guard: ChannelGuard) -> None:
    verdict = guard.check("a", "vergeet mij " + "x" * 200)
    assert verdict.outcome is Outcome.TOO_LONG


def test_rate_limit_per_conversation_with_a_sliding_window(
    guard: ChannelGuard, clock: Clock
) -> None:
    for _ in range(3):
        assert guard.check("a", "hallo").outcome is Outcome.PASS
        clock.now += 10
    refused = guard.check("a", "hallo")
    assert refused.outcome is Outcome.RATE_LIMITED and refused.reply == TOO_FAST
    assert guard.check("b", "hallo").outcome is Outcome.PASS, "per conversation"
    clock.now += 30.5
    assert guard.check("a", "hallo").outcome is Outcome.PASS, "first one expired"
    assert guard.check("a", "hallo").outcome is Outcome.RATE_LIMITED


def test_refused_messages_do_not_count(guard: ChannelGuard, clock: Clock) -> None:
    for _ in range(3):
        guard.check("a", "hallo")
    for _ in range(10):
        assert guard.check("a", "hallo").outcome is Outcome.RATE_LIMITED
    clock.now += 60
    assert guard.check("a", "hallo").outcome is Outcome.PASS


def test_rate_limiter_remembers_a_bounded_number_of_senders(clock: Clock) -> None:
    limiter = RateLimiter(1, clock=clock, max_keys=100)
    for number in range(1000):
        assert limiter.allow(f"sender-{number}")
    assert len(limiter) == 100
    assert not limiter.allow("sender-999"), "recent senders are still limited"


@pytest.mark.parametrize(
    "text",
    ["/forget_me", "vergeet mij", "Wis mijn gesprek!", "verwijder mijn gegevens"],
)
def test_forget_requests_are_recognised(guard: ChannelGuard, text: str) -> None:
    assert guard.check("a", text).outcome is Outcome.FORGET


def test_control_characters_and_lone_surrogates_are_removed() -> None:
    assert clean_text(" a\x00b\x1bc\x7fd\x85e\ud800f \n") == "a b c d e f"
    assert clean_text("regel 1\nregel 2\tkolom") == "regel 1\nregel 2\tkolom"


def test_only_the_rated_answer_is_kept_and_masked() -> None:
    kept = allowed_metadata(
        {"rated_answer": "bel 0612345678 " + "x" * 600, "name": "Jan"}
    )
    assert kept == {"rated_answer": f"bel {PHONE} " + "x" * 485}
    assert allowed_metadata({"rated_answer": 5}) == {}
    assert allowed_metadata(["rated_answer"]) == {}
    assert allowed_metadata(None) == {}


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, True),
        ("https://chat.example.nl", True),
        ("https://chat.example.nl/", True),
        ("HTTPS://CHAT.EXAMPLE.NL", True),
        ("http://localhost:5005", True),
        ("http://chat.example.nl", False),
        ("https://chat.example.nl.evil.org", False),
        ("https://evil.org", False),
        ("null", False),
        ("", False),
    ],
)
def test_origin_allow_list(origin: str | None, allowed: bool) -> None:
    policy = OriginPolicy(["https://chat.example.nl", "http://localhost:5005"])
    assert policy.allows(origin) is allowed
    assert policy.engineio_check(origin, {}) is allowed


def test_origins_come_from_the_settings(use_settings: Any) -> None:
    use_settings(ALLOWED_ORIGINS="https://a.example, https://b.example/")
    policy = OriginPolicy.from_settings()
    assert policy.allows("https://b.example")
    assert not policy.allows("http://localhost:5005")


def test_limits_come_from_the_settings(use_settings: Any) -> None:
    use_settings(MAX_MESSAGE_CHARS="10", RATE_LIMIT_PER_MINUTE="1")
    guard = ChannelGuard.from_settings("test")
    assert guard.check("a", "x" * 11).outcome is Outcome.TOO_LONG
    assert guard.check("a", "hallo").outcome is Outcome.PASS
    assert guard.check("a", "hallo").outcome is Outcome.RATE_LIMITED


async def test_forget_deletes_every_event_from_the_sql_store(
    sql_store: SQLTrackerStore,
) -> None:
    await _save(sql_store, "forget-me")
    await _save(sql_store, "someone-else")
    agent = Agent(FailSafeTrackerStore(sql_store))
    assert await forget_conversation(agent, "forget-me")
    with sql_store.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT sender_id, count(*) FROM events GROUP BY sender_id"
        ).fetchall()
    assert dict(rows) == {"someone-else": 3}
    assert await forget_conversation(agent, "never-seen"), "nothing there: fine"


async def test_forget_reaches_the_fallback_store_too(
    sql_store: SQLTrackerStore,
) -> None:
    fail_safe = FailSafeTrackerStore(sql_store)
    await _save(fail_safe.fallback_tracker_store, "forget-me")
    await _save(sql_store, "forget-me")
    delete_conversation(fail_safe, "forget-me")
    assert await fail_safe.fallback_tracker_store.retrieve("forget-me") is None
    assert await sql_store.retrieve("forget-me") is None


async def test_forget_in_memory() -> None:
    store = InMemoryTrackerStore(Domain.empty())
    await _save(store, "forget-me")
    await _save(store, "other")
    assert await forget_conversation(Agent(store), "forget-me")
    assert set(store.store) == {"other"}


class UnknownStore(TrackerStore):
    """A tracker store kind the guard does not know how to delete from."""


async def test_forget_fails_honestly(sql_store: SQLTrackerStore) -> None:
    assert not await forget_conversation(None, "a")
    assert not await forget_conversation(Agent(UnknownStore(Domain.empty())), "a")
    sql_store.engine.dispose()
    broken = Agent(sql_store)
    sql_store.sessionmaker = _raising_sessionmaker
    assert not await forget_conversation(broken, "a")


def _raising_sessionmaker() -> Any:
    raise ConnectionError("database down")


async def test_screen_answers_forget_without_rasa(
    guard: ChannelGuard, sql_store: SQLTrackerStore
) -> None:
    await _save(sql_store, "a")
    screened = await guard.screen("a", "Vergeet mij", Agent(sql_store))
    assert screened.text is None and screened.reply == FORGOTTEN
    assert screened.forgotten is True
    assert await sql_store.retrieve("a") is None
    failed = await guard.screen("b", "/forget_me", None)
    assert failed.reply == FORGET_FAILED and failed.forgotten is False


async def test_screen_passes_masked_text_and_refuses_politely(
    guard: ChannelGuard,
) -> None:
    passed = await guard.screen("a", "mail jan@example.nl", None)
    assert passed.text == f"mail {EMAIL}" and passed.reply is None
    refused = await guard.screen("a", "x" * 101, None)
    assert refused.text is None and refused.reply == TOO_LONG.format(limit=100)
    assert refused.forgotten is None
    assert FAILED.endswith(SAFETY_LINE)


def test_a_tracker_store_failure_gets_its_own_honest_reply() -> None:
    assert failure_reply(OperationalError("SELECT 1", {}, Exception())) == (
        STORE_UNAVAILABLE
    )
    assert "niet worden bewaard" in STORE_UNAVAILABLE
    assert STORE_UNAVAILABLE.endswith(SAFETY_LINE)
    assert failure_reply(RuntimeError("boom")) == FAILED


HOSTILE = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(exclude_categories=()), max_size=2000),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3F)),
    st.sampled_from(
        [
            "'; DROP TABLE events; --",
            "<script>alert(1)</script>",
            "\ud800\udfff",
            "vergeet mij" * 50,
            "0" * 5000,
            "06-12345678" * 90,
        ]
    ),
)


@settings(max_examples=300, deadline=None, database=None)
@given(sender=st.text(max_size=50), text=HOSTILE)
def test_guard_never_fails_on_hostile_input(sender: str, text: str) -> None:
    guard = ChannelGuard(max_chars=1000, per_minute=1000)
    verdict = guard.check(sender, text)
    if len(text) > 1000:
        assert verdict.outcome is Outcome.TOO_LONG
    if verdict.outcome is Outcome.PASS:
        assert not any(
            unicodedata.category(char) in ("Cc", "Cs") and char not in "\n\t"
            for char in verdict.text
        )
        verdict.text.encode("utf-8")
    else:
        assert verdict.text == ""


@pytest.mark.parametrize(
    "command",
    [
        "/faq_riluzol",
        "/show_topics",
        '/onderzoek_info{"study": "tudca-als"}',
        '/rate_answer{"rating":"up"}',
    ],
)
def test_the_assistants_own_buttons_stay_commands(
    guard: ChannelGuard, command: str
) -> None:
    assert guard.check("a", command).text == command


@pytest.mark.parametrize(
    ("message", "as_text"),
    [
        ("/wat is riluzol", "wat is riluzol"),
        ("/faq_riluzol en de bijwerkingen?", "faq_riluzol en de bijwerkingen?"),
        ("/iets_onbekends", "iets_onbekends"),
        ('/onderzoek_info{"study": "mri"', 'onderzoek_info{"study": "mri"'),
        ('/onderzoek_info{"soort": "mri"}', 'onderzoek_info{"soort": "mri"}'),
        ("//", ""),
    ],
)
def test_anything_else_that_starts_with_a_slash_is_text(
    guard: ChannelGuard, message: str, as_text: str
) -> None:
    assert guard.check("a", message).text == as_text


def test_the_client_is_the_peer_unless_a_trusted_proxy_names_it() -> None:
    limits = ClientLimits(10, 10, trusted_proxies=["127.0.0.1"])
    assert limits.client("203.0.113.7", "198.51.100.1") == "203.0.113.7"
    assert limits.client("127.0.0.1", "198.51.100.1") == "198.51.100.1"
    assert limits.client("127.0.0.1", "6.6.6.6, 198.51.100.1") == "198.51.100.1"
    assert limits.client("127.0.0.1", None) == "127.0.0.1"


def test_a_client_that_rotates_conversations_is_limited(clock: Clock) -> None:
    limits = ClientLimits(5, 2, clock=clock)
    assert limits.allow_conversation("1.2.3.4", "a")
    assert limits.allow_conversation("1.2.3.4", "b")
    assert not limits.allow_conversation("1.2.3.4", "c")
    assert limits.allow_conversation("1.2.3.4", "a"), "a known one goes on"
    assert limits.allow_conversation("5.6.7.8", "c"), "another client is not hit"
    clock.now += 61
    assert limits.allow_conversation("1.2.3.4", "c")


def test_messages_per_client_over_all_its_conversations(clock: Clock) -> None:
    limits = ClientLimits(3, 0, clock=clock)
    assert all(limits.allow_message("1.2.3.4") for _ in range(3))
    assert not limits.allow_message("1.2.3.4")
    assert limits.allow_message("5.6.7.8")


def test_a_limit_of_zero_is_off() -> None:
    limits = ClientLimits(0, 0)
    assert all(limits.allow_message("1.2.3.4") for _ in range(1000))
    assert all(limits.allow_conversation("1.2.3.4", str(n)) for n in range(1000))
