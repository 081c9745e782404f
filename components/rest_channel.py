"""Rasa's REST channel with the project's checks: ``POST /webhooks/rest/webhook``.

Registered in ``credentials.yml`` as ``components.rest_channel.RestChannel``; its
name is ``rest``, so the address stays that of Rasa's own REST channel. On top of
Rasa's ``RestInput`` it

- refuses a request whose ``Origin`` is not in ``ALLOWED_ORIGINS`` (403);
  requests without ``Origin`` (curl, another server) are served;
- wants a JSON object with a string ``sender`` and a string ``message`` and
  answers anything else with 400 and a short JSON error, never a stack trace;
- wants a ``sender`` nobody can guess (32 to 128 of ``A-Z a-z 0-9 _ -``: a
  random UUID, or a prefix plus 32 random hex digits), so nobody can write
  into, delete or block another's conversation by guessing its name;
- refuses the session ids of the web chat as ``sender``, so REST cannot read,
  write or delete a web chat conversation;
- limits each client address (``ClientLimits``: messages and new
  conversations per minute, 429 with a reply that names 112; "Vergeet mij"
  always passes), then passes every message through ``ChannelGuard`` (size and
  rate limit, "Vergeet mij", masking of personal data);
- keeps only the ``rated_answer`` metadata, and always stores ``rest`` as the
  input channel;
- never logs message texts; answers with ``stream=true`` are not streamed;
- makes a retry safe: a request may carry a ``message_id`` (8 to 64 letters,
  digits, ``-`` or ``_``). It is checked for size and rate like any message
  before anything is read, so replays count too. A second request with the
  same ``sender`` and ``message_id`` is not handled again: it gets the
  replies of the first, from the first request while that still runs in this
  process, else from the tracker store (where Rasa keeps the id with the user
  message). So a client whose request was cut off (a Rasa process of a cluster
  died) can send it again without the message being answered twice;
- answers ``GET /webhooks/rest/health`` with 200 ``{"status": "ok",
  "tracker_store": "ok"}`` when the tracker store's database answers a trivial
  query, else 503 with ``"tracker_store": "unavailable"`` (no user data).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    UserMessage,
)
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.privacy import is_forget_request
from components.channel_guard import (
    FAILED,
    TOO_MANY_FROM_CLIENT,
    ChannelGuard,
    ClientLimits,
    OriginPolicy,
    clean_text,
    client_limits,
    failure_reply,
)
from components.channel_guard import allowed_metadata as _allowed_metadata
from components.tracker_store import tracker_store_available
from components.webchat import is_issued_session_id

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MIN_SENDER_CHARS = 32
MAX_SENDER_CHARS = 128
SENDER = re.compile(rf"[A-Za-z0-9_-]{{{MIN_SENDER_CHARS},{MAX_SENDER_CHARS}}}")
"""A conversation id nobody can guess: a random UUID, or a prefix and 32
random hex digits."""
FORBIDDEN_ORIGIN = "Deze website mag de assistent niet gebruiken."
BAD_REQUEST = (
    'Stuur een JSON-object met de tekstvelden "sender" en "message", bijvoorbeeld '
    '{"sender": "3f2b6c1e9a7d4e8f8b1c2d3e4f5a6b7c", "message": "wat is ALS"}.'
)
BAD_SENDER = (
    f'"sender" moet een willekeurige id van {MIN_SENDER_CHARS} tot '
    f"{MAX_SENDER_CHARS} tekens zijn, alleen A-Z, a-z, 0-9, _ en - (bijvoorbeeld "
    "een UUID), zodat niemand uw gesprek kan raden."
)
WEBCHAT_SENDER = "Dit gesprek hoort bij de webchat en kan hier niet worden gebruikt."
TOO_LARGE = "Uw bericht is te lang. Stel uw vraag korter."
BAD_MESSAGE_ID = (
    '"message_id" moet 8 tot 64 letters, cijfers, "-" of "_" zijn, of ontbreken.'
)
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
HEALTH_TIMEOUT_SECONDS = 3.0


def _error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def _valid_sender(sender: object) -> TypeGuard[str]:
    return isinstance(sender, str) and SENDER.fullmatch(sender) is not None


@dataclass(frozen=True)
class Parsed:
    """A well-formed REST request."""

    sender: str
    text: str
    metadata: Any
    message_id: str | None


async def stored_replies(
    agent: Any, sender: str, message_id: str
) -> list[dict[str, Any]] | None:
    """The replies Rasa stored after the user message ``message_id``, if any.

    Rendered by Rasa's own ``CollectingOutputChannel``, so they look exactly as
    the first answer did. ``None`` when that message is not in the tracker.
    """
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return None
    tracker = await store.retrieve(sender)
    if tracker is None:
        return None
    found = False
    collector = CollectingOutputChannel()
    for event in tracker.events:
        if isinstance(event, UserUttered):
            if found:
                break
            found = event.message_id == message_id
        elif found and isinstance(event, BotUttered):
            await collector.send_response(sender, event.message())
    return collector.messages if found else None


class RestChannel(RestInput):
    """REST with an Origin allow-list, input checks and the channel guard."""

    @classmethod
    def name(cls) -> str:
        """``rest``: the channel answers at ``/webhooks/rest/webhook``."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Create the channel; its settings come from ``.env``, not credentials."""
        return cls()

    def __init__(
        self,
        guard: ChannelGuard | None = None,
        origins: OriginPolicy | None = None,
        limits: ClientLimits | None = None,
    ) -> None:
        """Use ``guard``, ``origins`` and ``limits``, by default from the settings."""
        self.guard = guard or ChannelGuard.from_settings(self.name())
        self.origins = origins or OriginPolicy.from_settings()
        self.client_limits = limits or client_limits()
        self.in_flight: dict[tuple[str, str], asyncio.Future[list[Any]]] = {}

    def _client_allowed(self, request: Request, parsed: Parsed) -> bool:
        """The limits per client address ("Vergeet mij" always passes)."""
        if is_forget_request(clean_text(parsed.text)):
            return True
        limits = self.client_limits
        client = limits.client(request.ip, request.headers.get("x-forwarded-for"))
        if not limits.allow_conversation(client, parsed.sender):
            logger.warning("REST request refused: too many new conversations.")
            return False
        if not limits.allow_message(client):
            logger.warning("REST request refused: client rate limit.")
            return False
        return True

    def _parse(self, request: Request) -> Parsed | HTTPResponse:
        """The sender, text, metadata and message id, or the error reply."""
        if not self.origins.allows(request.headers.get("origin")):
            logger.warning("REST request from a foreign origin refused.")
            return _error(FORBIDDEN_ORIGIN, 403)
        if len(request.body or b"") > MAX_BODY_BYTES:
            logger.warning("REST request refused: body too large.")
            return _error(TOO_LARGE, 413)
        try:
            body = json.loads(request.body or b"")
        except (ValueError, RecursionError):
            return _error(BAD_REQUEST, 400)
        if not isinstance(body, dict) or not isinstance(body.get("message"), str):
            return _error(BAD_REQUEST, 400)
        sender = body.get("sender")
        if not _valid_sender(sender):
            return _error(BAD_SENDER, 400)
        if is_issued_session_id(sender):
            logger.warning("REST request with a web chat session id refused.")
            return _error(WEBCHAT_SENDER, 403)
        message_id = body.get("message_id")
        if message_id is not None and not (
            isinstance(message_id, str) and MESSAGE_ID.fullmatch(message_id)
        ):
            return _error(BAD_MESSAGE_ID, 400)
        return Parsed(sender, body["message"], body.get("metadata"), message_id)

    async def _handle(
        self,
        parsed: Parsed,
        text: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> list[Any]:
        """Handle one screened message (``text``); the replies for the user."""
        sender = parsed.sender
        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(
                    text,
                    collector,
                    sender,
                    input_channel=self.name(),
                    metadata=_allowed_metadata(parsed.metadata),
                    message_id=parsed.message_id,
                )
            )
        except Exception as error:
            logger.error("REST message not handled: %s.", type(error).__name__)
            if not collector.messages:
                return [{"recipient_id": sender, "text": failure_reply(error)}]
        return collector.messages

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """``GET /`` and ``GET /health`` (health) and ``POST /webhook``."""
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/health", methods=["GET"])
        async def tracker_health(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            store = getattr(agent, "tracker_store", None)
            try:
                available = await asyncio.wait_for(
                    asyncio.to_thread(tracker_store_available, store),
                    HEALTH_TIMEOUT_SECONDS,
                )
            except asyncio.TimeoutError:
                logger.warning("Tracker store health check timed out.")
                available = False
            if available:
                return response.json({"status": "ok", "tracker_store": "ok"})
            return response.json(
                {"status": "unavailable", "tracker_store": "unavailable"}, status=503
            )

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            parsed = self._parse(request)
            if isinstance(parsed, HTTPResponse):
                return parsed
            agent = getattr(request.app.ctx, "agent", None)
            if not self._client_allowed(request, parsed):
                return response.json(
                    [{"recipient_id": parsed.sender, "text": TOO_MANY_FROM_CLIENT}],
                    status=429,
                )
            screened = await self.guard.screen(parsed.sender, parsed.text, agent)
            if screened.text is None:
                return response.json(
                    [{"recipient_id": parsed.sender, "text": screened.reply}]
                )
            if parsed.message_id is None:
                return response.json(
                    await self._handle(parsed, screened.text, on_new_message)
                )
            key = (parsed.sender, parsed.message_id)
            running = self.in_flight.get(key)
            if running is not None:
                logger.info("REST retry of a message still being handled: waits.")
                return response.json(await asyncio.shield(running))
            try:
                replayed = await stored_replies(agent, *key)
            except Exception as error:
                logger.error("REST retry check failed: %s.", type(error).__name__)
                text = failure_reply(error)
                return response.json([{"recipient_id": parsed.sender, "text": text}])
            if replayed is not None:
                logger.info("REST retry of a handled message: stored replies sent.")
                return response.json(replayed)
            future: asyncio.Future[list[Any]] = (
                asyncio.get_running_loop().create_future()
            )
            self.in_flight[key] = future
            try:
                replies = await self._handle(parsed, screened.text, on_new_message)
                future.set_result(replies)
                return response.json(replies)
            finally:
                if not future.done():
                    failed = [{"recipient_id": parsed.sender, "text": FAILED}]
                    future.set_result(failed)
                del self.in_flight[key]

        return webhook
