"""What every chat message passes before Rasa sees it: REST and the web chat.

Per message, in this order:

1. longer than ``MAX_MESSAGE_CHARS``: a polite reply, Rasa is not called;
2. "Vergeet mij" (the button's ``/forget_me`` or a typed request): every stored
   event of the conversation is deleted from the tracker store and the reply
   says so; Rasa is not called. It is never refused, not even over a limit;
3. more than ``RATE_LIMIT_PER_MINUTE`` messages of this conversation in the last
   minute (sliding window, in this process): a polite reply, Rasa is not called;
4. otherwise control characters are removed and personal data is masked
   (``bot.privacy``), so it is never stored, and the text goes on to Rasa. A
   message that starts with "/" is a command only when it is exactly one the
   assistant itself sends (a button's ``/faq_riluzol``,
   ``/onderzoek_info{"study": "mri"}``, a rating); any other is a patient's
   text and loses its slashes, so Rasa never reads it as a command (nor logs it
   as a command it could not parse).

Refusals are logged without the message text. ``OriginPolicy`` is the allow-list
of web origins (``ALLOWED_ORIGINS``) both channels enforce.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

import yaml
from rasa.core.tracker_store import (
    AwaitableTrackerStore,
    FailSafeTrackerStore,
    InMemoryTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)
from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError

from bot.formatting import SAFETY_LINE
from bot.privacy import is_forget_request, mask_personal_data, warm_up
from bot.settings import PROJECT_ROOT, get_settings

logger = logging.getLogger(__name__)

TOO_LONG = "Uw bericht is te lang. Stel uw vraag korter, in maximaal {limit} tekens."
TOO_FAST = (
    "U stuurt veel berichten kort na elkaar. Wacht even en probeer het dan opnieuw. "
    + SAFETY_LINE
)
FORGOTTEN = "Uw gesprek is gewist."
FORGET_FAILED = (
    "Uw gesprek kon nu niet worden gewist. Probeer het over een paar minuten opnieuw."
)
FAILED = (
    "Er ging iets mis bij het verwerken van uw bericht. Probeer het later opnieuw. "
    + SAFETY_LINE
)
STORE_UNAVAILABLE = (
    "Uw gesprek kan nu niet worden bewaard. Daarom kan ik nu niet antwoorden. "
    "Probeer het over een paar minuten opnieuw. " + SAFETY_LINE
)
TOO_MANY_FROM_CLIENT = (
    "Er komen nu te veel berichten van uw internetadres. Wacht een minuut en "
    "probeer het dan opnieuw. " + SAFETY_LINE
)
RATED_ANSWER = "rated_answer"
MAX_RATED_CHARS = 500
WINDOW_SECONDS = 60.0
MAX_TRACKED_SENDERS = 10_000
# Control characters (but not tab and newline) and lone surrogates.
_UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class Outcome(str, Enum):
    """What happens to a message."""

    PASS = "pass"
    TOO_LONG = "too_long"
    RATE_LIMITED = "rate_limited"
    FORGET = "forget"


@dataclass(frozen=True)
class Verdict:
    """The outcome for one message, the text to pass on and the reply to send."""

    outcome: Outcome
    text: str = ""
    reply: str = ""


@dataclass(frozen=True)
class Screened:
    """What a channel does with a message after ``ChannelGuard.screen``.

    Attributes:
        text: The cleaned, masked text for Rasa; ``None``: do not call Rasa.
        reply: A reply to send instead of (or before) Rasa's answer.
        forgotten: For "Vergeet mij": whether the conversation was deleted.
    """

    text: str | None
    reply: str | None = None
    forgotten: bool | None = None


def failure_reply(error: BaseException) -> str:
    """The honest reply when a message could not be handled because of ``error``.

    A database error means the tracker store is down (``components.tracker_store``
    raises it instead of falling back to memory): the user hears that the
    conversation cannot be kept now. Anything else gets the general reply.
    """
    if isinstance(error, SQLAlchemyError):
        return STORE_UNAVAILABLE
    return FAILED


_COMMAND = re.compile(r"/(?P<intent>[a-z_]{1,40})(?P<entities>\{.{0,200}\})?")
COMMAND_ENTITIES = frozenset({"study", "rating"})
"""Entities the assistant's own buttons carry."""
_ENTITY_VALUE = re.compile(r"[a-z0-9-]{1,40}")


@lru_cache(maxsize=1)
def domain_intents() -> frozenset[str]:
    """The intents of ``domain.yml``: the only ones a command may name."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return frozenset(str(intent) for intent in domain.get("intents") or [])


def is_command(text: str) -> bool:
    """Whether ``text`` is exactly a payload the assistant's buttons send."""
    match = _COMMAND.fullmatch(text)
    if match is None or match.group("intent") not in domain_intents():
        return False
    if match.group("entities") is None:
        return True
    try:
        entities = json.loads(match.group("entities"))
    except ValueError:
        return False
    return (
        isinstance(entities, dict)
        and set(entities) <= COMMAND_ENTITIES
        and all(
            isinstance(v, str) and _ENTITY_VALUE.fullmatch(v) for v in entities.values()
        )
    )


def clean_text(text: str) -> str:
    """Replace control characters and lone surrogates with spaces; trim."""
    return _UNSAFE_CHARS.sub(" ", text).strip()


def allowed_metadata(value: object) -> dict[str, Any]:
    """Keep only the metadata the page sends: the rated answer's text, masked."""
    if not isinstance(value, dict):
        return {}
    rated = value.get(RATED_ANSWER)
    if not isinstance(rated, str):
        return {}
    return {RATED_ANSWER: mask_personal_data(clean_text(rated[:MAX_RATED_CHARS]))}


def _normalise_origin(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


class OriginPolicy:
    """The web origins allowed to use the chat channels."""

    def __init__(self, allowed: Iterable[str]) -> None:
        """Keep ``allowed`` (compared without case and trailing slash)."""
        self.allowed = frozenset(_normalise_origin(origin) for origin in allowed)

    @classmethod
    def from_settings(cls) -> OriginPolicy:
        """The allow-list from ``ALLOWED_ORIGINS`` (default: this server)."""
        return cls(get_settings().allowed_origins)

    def allows(self, origin: str | None) -> bool:
        """Whether a request with this ``Origin`` header may be served.

        A request without ``Origin`` does not come from a web page (curl, another
        server) and is allowed; a page on another site is refused.
        """
        if origin is None:
            return True
        return _normalise_origin(origin) in self.allowed

    def engineio_check(self, origin: str | None, environ: Any = None) -> bool:
        """The same check in the form python-engineio calls it."""
        return self.allows(origin)


class RateLimiter:
    """At most ``limit`` messages per key in any ``window`` seconds."""

    def __init__(
        self,
        limit: int,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_TRACKED_SENDERS,
    ) -> None:
        """Set the limit; at most ``max_keys`` keys are remembered (oldest go)."""
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Count a message of ``key`` when it is within the limit."""
        now = self.clock()
        times = self._seen.pop(key, None)
        if times is None:
            times = deque()
            while len(self._seen) >= self.max_keys:
                self._seen.popitem(last=False)
        while times and times[0] <= now - self.window:
            times.popleft()
        self._seen[key] = times
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True

    def __len__(self) -> int:
        """How many keys are remembered."""
        return len(self._seen)


class ClientLimits:
    """Limits per client address: messages, and new conversations, per minute.

    One machine that rotates conversation ids (REST ``sender``, new web chat
    sessions) is limited by its address, so it cannot fill the service while
    patients wait. ``X-Forwarded-For`` is believed only from ``trusted_proxies``
    (nginx of the cluster): the client is the right-most address in it that is
    not one of them. A limit of 0 is off.
    """

    def __init__(
        self,
        messages_per_minute: int,
        new_conversations_per_minute: int,
        trusted_proxies: Iterable[str] = (),
        clock: Callable[[], float] = time.monotonic,
        max_conversations: int = MAX_TRACKED_SENDERS,
    ) -> None:
        """Set the limits (0: off) and the proxies whose header is believed."""
        self.messages = (
            RateLimiter(messages_per_minute, clock=clock)
            if messages_per_minute > 0
            else None
        )
        self.conversations = (
            RateLimiter(new_conversations_per_minute, clock=clock)
            if new_conversations_per_minute > 0
            else None
        )
        self.trusted_proxies = frozenset(trusted_proxies)
        self.max_conversations = max_conversations
        self._known: OrderedDict[str, None] = OrderedDict()

    @classmethod
    def from_settings(cls) -> ClientLimits:
        """``CLIENT_RATE_LIMIT_PER_MINUTE``, ``CLIENT_NEW_CONVERSATIONS_PER_MINUTE``
        and ``TRUSTED_PROXIES``."""
        settings = get_settings()
        return cls(
            settings.client_rate_limit_per_minute,
            settings.client_new_conversations_per_minute,
            settings.trusted_proxies,
        )

    def client(self, peer: str | None, forwarded_for: str | None) -> str:
        """The client's address: the peer, or from a trusted proxy its header."""
        address = (peer or "").strip()
        if address not in self.trusted_proxies or not forwarded_for:
            return address
        for hop in reversed(forwarded_for.split(",")):
            hop = hop.strip()
            if hop and hop not in self.trusted_proxies:
                return hop
        return address

    def allow_message(self, client: str) -> bool:
        """Count a message of ``client`` when it is within the limit."""
        return self.messages is None or self.messages.allow(client)

    def allow_conversation(self, client: str, conversation: str) -> bool:
        """Count ``conversation`` for ``client`` when it is new to this process
        and within the limit; a known conversation always passes."""
        if conversation in self._known:
            self._known.move_to_end(conversation)
            return True
        if self.conversations is not None and not self.conversations.allow(client):
            return False
        self._known[conversation] = None
        while len(self._known) > self.max_conversations:
            self._known.popitem(last=False)
        return True


@lru_cache(maxsize=1)
def client_limits() -> ClientLimits:
    """The limits per client address of this process (shared by the channels)."""
    return ClientLimits.from_settings()


def _real_stores(store: TrackerStore) -> list[TrackerStore]:
    """The stores behind Rasa's wrappers, with a fail-safe store's fallback."""
    found: list[TrackerStore] = []
    pending = [store]
    while pending:
        current = pending.pop()
        if isinstance(current, FailSafeTrackerStore):
            pending.append(current._tracker_store)
            if current._fallback_tracker_store is not None:
                pending.append(current._fallback_tracker_store)
        elif isinstance(current, AwaitableTrackerStore):
            pending.append(current._tracker_store)
        else:
            found.append(current)
    return found


def delete_conversation(store: TrackerStore, sender_id: str) -> None:
    """Delete every stored event of ``sender_id`` from ``store``.

    Raises:
        TypeError: For a kind of tracker store this cannot delete from.
    """
    for real in _real_stores(store):
        if isinstance(real, SQLTrackerStore):
            event = SQLTrackerStore.SQLEvent
            with real.session_scope() as session:
                session.execute(delete(event).where(event.sender_id == sender_id))
                session.commit()
        elif isinstance(real, InMemoryTrackerStore):
            real.store.pop(sender_id, None)
        else:
            raise TypeError(f"cannot delete from a {type(real).__name__}")


async def forget_conversation(agent: Any, sender_id: str) -> bool:
    """Delete the conversation while holding its lock; whether that worked."""
    if agent is None or agent.tracker_store is None:
        logger.error("Conversation not deleted: the assistant is not ready.")
        return False
    try:
        async with agent.lock_store.lock(sender_id, wait_time_in_seconds=0.1):
            delete_conversation(agent.tracker_store, sender_id)
    except Exception as error:
        logger.error("Conversation not deleted: %s.", type(error).__name__)
        return False
    logger.info("A conversation was deleted at the user's request.")
    return True


class ChannelGuard:
    """Size limit, rate limit, "Vergeet mij" and masking for one channel."""

    def __init__(
        self,
        max_chars: int,
        per_minute: int,
        channel: str = "chat",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Set the limits; ``channel`` names the channel in log lines. Loads
        the masker of personal data now, so no message waits for it."""
        warm_up()
        self.max_chars = max_chars
        self.channel = channel
        self.limiter = RateLimiter(per_minute, clock=clock)

    @classmethod
    def from_settings(cls, channel: str) -> ChannelGuard:
        """A guard with ``MAX_MESSAGE_CHARS`` and ``RATE_LIMIT_PER_MINUTE``."""
        settings = get_settings()
        return cls(settings.max_message_chars, settings.rate_limit_per_minute, channel)

    def check(self, sender_id: str, text: str) -> Verdict:
        """Decide what happens to ``text`` from ``sender_id``."""
        if len(text) > self.max_chars:
            logger.warning(
                "%s message refused: too long (%d characters).",
                self.channel,
                len(text),
            )
            return Verdict(
                Outcome.TOO_LONG, reply=TOO_LONG.format(limit=self.max_chars)
            )
        cleaned = clean_text(text)
        if is_forget_request(cleaned):
            return Verdict(Outcome.FORGET)
        if not self.limiter.allow(sender_id):
            logger.warning("%s message refused: rate limit.", self.channel)
            return Verdict(Outcome.RATE_LIMITED, reply=TOO_FAST)
        if is_command(cleaned):
            return Verdict(Outcome.PASS, text=cleaned)
        return Verdict(
            Outcome.PASS, text=mask_personal_data(cleaned.lstrip("/").strip())
        )

    async def screen(self, sender_id: str, text: str, agent: Any) -> Screened:
        """``check`` the message and carry out "Vergeet mij" with ``agent``."""
        verdict = self.check(sender_id, text)
        if verdict.outcome is Outcome.PASS:
            return Screened(verdict.text)
        if verdict.outcome is Outcome.FORGET:
            forgotten = await forget_conversation(agent, sender_id)
            return Screened(
                None, FORGOTTEN if forgotten else FORGET_FAILED, forgotten=forgotten
            )
        return Screened(None, verdict.reply)
