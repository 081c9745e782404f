"""Rasa input channel for the patients' web chat: socket.io and the page itself.

Registered in ``credentials.yml`` as ``components.webchat.WebChatInput``. Rasa then
serves, on its own port (so the page and the socket share one origin):

- ``GET /chat``: the chat page (``webchat/static/index.html``);
- ``GET /chat/privacy``: the privacy statement (``webchat/static/privacy.html``);
- ``GET /chat/static/<name>``: the page's files, only those in ``STATIC_FILES``;
- ``/socket.io/``: the socket.io endpoint the page talks to.

The socket protocol is that of Rasa's own ``socketio`` channel with session
persistence (``session_request`` / ``session_confirm``, then ``user_uttered`` with a
``session_id``), but:

- sockets are accepted only from the origins in ``ALLOWED_ORIGINS`` (Rasa's own
  channel switches python-engineio's Origin check off);
- session ids are issued by the server and signed (HMAC with ``SESSION_SECRET``):
  a socket can only resume a session id this server gave out; a made-up id,
  or one signed with another secret, gets a fresh session;
- a message is only accepted for the session its socket has confirmed;
- a client address may start only so many sessions and send only so many
  messages per minute (``ClientLimits``; "Vergeet mij" always passes);
- every message passes ``ChannelGuard`` (size and rate limit, "Vergeet mij",
  masking of personal data); replies of the guard are ``bot_uttered`` events,
  the one for "Vergeet mij" with ``forgotten: true`` or ``false``;
- of the message metadata only ``rated_answer`` (a rated answer's text) is kept.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import inspect
import json
import logging
import os
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeGuard

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.privacy import is_forget_request
from bot.settings import get_settings
from components.channel_guard import (
    FAILED,
    TOO_MANY_FROM_CLIENT,
    ChannelGuard,
    ClientLimits,
    OriginPolicy,
    allowed_metadata,
    clean_text,
    client_limits,
    failure_reply,
)

logger = logging.getLogger(__name__)


async def _settled(result: object) -> None:
    """Wait for ``result`` when it is awaitable.

    ``AsyncServer.enter_room`` and ``leave_room`` return nothing in older
    python-socketio releases and a coroutine in newer ones; a coroutine that is
    never awaited joins no room, and the page never hears an answer.
    """
    if inspect.isawaitable(result):
        await result


WEBCHAT_DIR = Path(__file__).resolve().parents[1] / "webchat"
STATIC_DIR = WEBCHAT_DIR / "static"
NODE_MODULES = WEBCHAT_DIR / "node_modules"
CHAT_PATH = "/chat"
SESSION_HEX = 32
SESSION_ID = re.compile(rf"[0-9a-f]{{{SESSION_HEX}}}")
NONCE_HEX = 16
SESSION_SECRET_ENV = "SESSION_SECRET"
MIN_SECRET_CHARS = 32
MIN_GZIP_BYTES = 1024


@dataclass(frozen=True)
class StaticFile:
    """A file the page may load: where it is and how it is sent."""

    path: Path
    content_type: str


INDEX = StaticFile(STATIC_DIR / "index.html", "text/html; charset=utf-8")
PRIVACY = StaticFile(STATIC_DIR / "privacy.html", "text/html; charset=utf-8")
STATIC_FILES: dict[str, StaticFile] = {
    "chat.css": StaticFile(STATIC_DIR / "chat.css", "text/css; charset=utf-8"),
    "chat.js": StaticFile(STATIC_DIR / "chat.js", "text/javascript; charset=utf-8"),
    "socket.io.min.js": StaticFile(
        NODE_MODULES / "socket.io-client" / "dist" / "socket.io.min.js",
        "text/javascript; charset=utf-8",
    ),
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class Body:
    """The bytes of a file, its gzip form and its entity tag."""

    raw: bytes
    gzipped: bytes | None
    etag: str


@lru_cache(maxsize=32)
def _load(path: Path, modified_ns: int, size: int) -> Body:
    """Read (and cache per version of the file) the body of ``path``."""
    raw = path.read_bytes()
    gzipped = gzip.compress(raw, mtime=0) if len(raw) >= MIN_GZIP_BYTES else None
    return Body(raw, gzipped, f'"{hashlib.sha256(raw).hexdigest()[:32]}"')


def serve_file(request: Request, file: StaticFile) -> HTTPResponse:
    """Send ``file`` with security headers, gzip and ``If-None-Match`` support."""
    try:
        stat = file.path.stat()
    except FileNotFoundError:
        logger.error("Web chat file %s is missing: run `make setup`.", file.path)
        return response.text("Niet gevonden", status=404)
    body = _load(file.path, stat.st_mtime_ns, stat.st_size)
    headers = {**SECURITY_HEADERS, "ETag": body.etag, "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == body.etag:
        return response.empty(status=304, headers=headers)
    content = body.raw
    accepts = request.headers.get("accept-encoding", "")
    if body.gzipped is not None and "gzip" in accepts:
        headers["Content-Encoding"] = "gzip"
        content = body.gzipped
    return response.raw(content, content_type=file.content_type, headers=headers)


class WebChatBlueprint(SocketBlueprint):
    """Socket.io at ``/socket.io`` plus the page routes, always under ``/chat``."""

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        """Attach socket.io, remember the app and mount the routes at ``/chat``."""
        self.ctx.app = app
        super().register(app, {**options, "url_prefix": CHAT_PATH})

    def agent(self) -> Any:
        """Rasa's agent (``None`` before the app has one)."""
        app = getattr(self.ctx, "app", None)
        return getattr(app.ctx, "agent", None) if app is not None else None


def _metadata(value: object) -> dict[str, Any]:
    """Keep only the metadata the page sends (also as a JSON string)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return {}
    return allowed_metadata(value)


@lru_cache(maxsize=1)
def session_secret() -> bytes:
    """The key session ids are signed with: ``SESSION_SECRET`` from ``.env``.

    When it is not set, a random key is made for this process: sessions then do
    not survive a restart and differ between replicas, so production sets it.

    Raises:
        ValueError: When ``SESSION_SECRET`` is shorter than 32 characters.
    """
    get_settings()
    raw = os.environ.get(SESSION_SECRET_ENV, "").strip()
    if not raw:
        logger.warning(
            "%s is not set: web chat sessions will not survive a restart.",
            SESSION_SECRET_ENV,
        )
        return secrets.token_bytes(32)
    if len(raw) < MIN_SECRET_CHARS:
        raise ValueError(
            f"{SESSION_SECRET_ENV} must be at least {MIN_SECRET_CHARS} characters"
        )
    return raw.encode("utf-8")


def _signature(nonce: str, secret: bytes) -> str:
    digest = hmac.new(secret, nonce.encode("ascii"), hashlib.sha256).hexdigest()
    return digest[: SESSION_HEX - NONCE_HEX]


def new_session_id(secret: bytes | None = None) -> str:
    """A new session id: 64 random bits and their 64-bit HMAC, 32 hex digits."""
    nonce = secrets.token_hex(NONCE_HEX // 2)
    return nonce + _signature(nonce, secret or session_secret())


def is_issued_session_id(value: object, secret: bytes | None = None) -> TypeGuard[str]:
    """Whether ``value`` is a session id signed with ``secret`` (this server's)."""
    if not isinstance(value, str) or not SESSION_ID.fullmatch(value):
        return False
    nonce, signature = value[:NONCE_HEX], value[NONCE_HEX:]
    return hmac.compare_digest(signature, _signature(nonce, secret or session_secret()))


class WebChatInput(InputChannel):
    """The patients' web chat: Rasa's socket.io protocol and the page at /chat."""

    @classmethod
    def name(cls) -> str:
        """Name of the channel in trackers (``input_channel``)."""
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Create the channel from its block in ``credentials.yml``.

        Allowed origins, limits and the session secret come from ``.env``.
        """
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
        origins: OriginPolicy | None = None,
        guard: ChannelGuard | None = None,
        secret: bytes | None = None,
        limits: ClientLimits | None = None,
    ) -> None:
        """Keep the settings; ``None`` takes origins, limits and secret from .env."""
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.socketio_path = socketio_path
        self.origins = origins or OriginPolicy.from_settings()
        self.guard = guard or ChannelGuard.from_settings(self.name())
        self.secret = secret or session_secret()
        self.client_limits = limits or client_limits()
        self.clients: dict[str, str] = {}
        """Socket id -> client address (``ClientLimits.client``)."""
        self.sio: AsyncServer | None = None

    def url_prefix(self) -> str:
        """Where the page lives (the blueprint mounts itself there)."""
        return CHAT_PATH

    def get_output_channel(self) -> OutputChannel | None:
        """Output channel for messages Rasa sends outside a reply."""
        if self.sio is None:
            return None
        return SocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Page routes plus the socket.io event handlers."""
        files = (INDEX, PRIVACY, *STATIC_FILES.values())
        missing = [str(file.path) for file in files if not file.path.exists()]
        if missing:
            logger.error("Web chat files missing (run `make setup`): %s", missing)
        sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=self.origins.engineio_check
        )
        self.sio = sio
        chat = WebChatBlueprint(sio, self.socketio_path, "webchat", __name__)

        @chat.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            return serve_file(request, INDEX)

        @chat.route("/privacy", methods=["GET"])
        async def privacy(request: Request) -> HTTPResponse:
            return serve_file(request, PRIVACY)

        @chat.route("/static/<name:str>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            file = STATIC_FILES.get(name)
            if file is None:
                return response.text("Niet gevonden", status=404)
            return serve_file(request, file)

        @sio.on("connect")
        async def connect(sid: str, environ: dict[str, Any], auth: Any) -> bool:
            logger.debug("Web chat socket %s connected.", sid)
            request = environ.get("sanic.request")
            self.clients[sid] = self.client_limits.client(
                getattr(request, "ip", None), environ.get("HTTP_X_FORWARDED_FOR")
            )
            return True

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            self.clients.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            if is_issued_session_id(requested, self.secret):
                session_id = requested
            else:
                if requested:
                    logger.info("Web chat session id not issued here: new session.")
                session_id = new_session_id(self.secret)
                client = self.clients.get(sid, "")
                if not self.client_limits.allow_conversation(client, session_id):
                    logger.warning("Web chat session refused: too many new ones.")
                    await sio.emit(
                        self.bot_message_evt, {"text": TOO_MANY_FROM_CLIENT}, room=sid
                    )
                    return
            for room in sio.rooms(sid):
                if room != sid:
                    await _settled(sio.leave_room(sid, room))
            await _settled(sio.enter_room(sid, session_id))
            await sio.emit("session_confirm", session_id, room=sid)

        async def reply(session_id: str, text: str, **extra: Any) -> None:
            await sio.emit(
                self.bot_message_evt, {"text": text, **extra}, room=session_id
            )

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any = None) -> None:
            if not isinstance(data, dict):
                return
            session_id, text = data.get("session_id"), data.get("message")
            if not isinstance(text, str) or not isinstance(session_id, str):
                return
            if session_id == sid or session_id not in sio.rooms(sid):
                logger.warning("Web chat message for an unconfirmed session ignored.")
                return
            forget = is_forget_request(clean_text(text))
            if not forget and not self.client_limits.allow_message(
                self.clients.get(sid, "")
            ):
                logger.warning("Web chat message refused: client rate limit.")
                await reply(session_id, TOO_MANY_FROM_CLIENT)
                return
            screened = await self.guard.screen(session_id, text, chat.agent())
            if screened.text is None:
                extra = (
                    {}
                    if screened.forgotten is None
                    else {"forgotten": screened.forgotten}
                )
                await reply(session_id, screened.reply or FAILED, **extra)
                return
            try:
                await on_new_message(
                    UserMessage(
                        screened.text,
                        SocketIOOutput(sio, self.bot_message_evt),
                        session_id,
                        input_channel=self.name(),
                        metadata=_metadata(data.get("metadata")),
                    )
                )
            except Exception as error:
                logger.error("Web chat message not handled: %s.", type(error).__name__)
                await reply(session_id, failure_reply(error))

        return chat
