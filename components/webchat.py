"""Rasa input channel for the patients' web chat: socket.io and the page itself.

Registered in ``credentials.yml`` as ``components.webchat.WebChatInput``. Rasa then
serves, on its own port (so the page and the socket share one origin):

- ``GET /chat``: the chat page (``webchat/static/index.html``);
- ``GET /chat/static/<name>``: the page's files, only those in ``STATIC_FILES``;
- ``/socket.io/``: the socket.io endpoint the page talks to.

The socket protocol is that of Rasa's own ``socketio`` channel with session
persistence (``session_request`` / ``session_confirm``, then ``user_uttered`` with a
``session_id``), but a message is only accepted for the session its socket has
confirmed, only session ids the server could have made are taken over, and of
the message metadata only ``rated_answer`` (the text of a rated answer) is kept.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

logger = logging.getLogger(__name__)

WEBCHAT_DIR = Path(__file__).resolve().parents[1] / "webchat"
STATIC_DIR = WEBCHAT_DIR / "static"
NODE_MODULES = WEBCHAT_DIR / "node_modules"
CHAT_PATH = "/chat"
SESSION_ID = re.compile(r"[0-9a-f]{32}")
MIN_GZIP_BYTES = 1024
RATED_ANSWER = "rated_answer"
MAX_RATED_CHARS = 500


@dataclass(frozen=True)
class StaticFile:
    """A file the page may load: where it is and how it is sent."""

    path: Path
    content_type: str


INDEX = StaticFile(STATIC_DIR / "index.html", "text/html; charset=utf-8")
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
        """Attach socket.io and mount the routes at ``CHAT_PATH``."""
        super().register(app, {**options, "url_prefix": CHAT_PATH})


def _metadata(value: object) -> dict[str, Any]:
    """Keep only the metadata the page sends: the rated answer's text, shortened."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, dict):
        return {}
    rated = value.get(RATED_ANSWER)
    return {RATED_ANSWER: rated[:MAX_RATED_CHARS]} if isinstance(rated, str) else {}


class WebChatInput(InputChannel):
    """The patients' web chat: Rasa's socket.io protocol and the page at /chat."""

    @classmethod
    def name(cls) -> str:
        """Name of the channel in trackers (``input_channel``)."""
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Create the channel from its block in ``credentials.yml``."""
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            cors_allowed_origins=credentials.get("cors_allowed_origins"),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
        cors_allowed_origins: str | list[str] | None = None,
    ) -> None:
        """Keep the settings; ``cors_allowed_origins=None`` means same origin only."""
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.socketio_path = socketio_path
        self.cors_allowed_origins = cors_allowed_origins
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
        files = (INDEX, *STATIC_FILES.values())
        missing = [str(file.path) for file in files if not file.path.exists()]
        if missing:
            logger.error("Web chat files missing (run `make setup`): %s", missing)
        sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=self.cors_allowed_origins
        )
        self.sio = sio
        chat = WebChatBlueprint(sio, self.socketio_path, "webchat", __name__)

        @chat.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            return serve_file(request, INDEX)

        @chat.route("/static/<name:str>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            file = STATIC_FILES.get(name)
            if file is None:
                return response.text("Niet gevonden", status=404)
            return serve_file(request, file)

        @sio.on("connect")
        async def connect(sid: str, environ: dict[str, Any], auth: Any) -> bool:
            logger.debug("Web chat socket %s connected.", sid)
            return True

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            if isinstance(requested, str) and SESSION_ID.fullmatch(requested):
                session_id = requested
            else:
                session_id = uuid.uuid4().hex
            for room in sio.rooms(sid):
                if room != sid:
                    sio.leave_room(sid, room)
            sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

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
            await on_new_message(
                UserMessage(
                    text,
                    SocketIOOutput(sio, self.bot_message_evt),
                    session_id,
                    input_channel=self.name(),
                    metadata=_metadata(data.get("metadata")),
                )
            )

        return chat
