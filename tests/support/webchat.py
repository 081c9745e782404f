"""Helpers for the web chat browser tests: Chromium settings and a chat tab."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.support.assistant import ROOT, RunningAssistant

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "webchat" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "artifacts"
TIMEOUT_MS = 30_000
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def is_local(url: str) -> bool:
    """True for URLs that stay on this machine (or never leave the page)."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return parts.hostname in LOCAL_HOSTS


@dataclass
class Chat:
    """One browser tab on the web chat, with every request it made."""

    page: Any
    url: str
    tracker_db: Path
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self) -> None:
        """Load the page and wait for the assistant's greeting."""
        self.page.goto(self.url)
        self.wait_for_bot_messages(1)

    def bot_messages(self) -> Any:
        """Locator of the assistant's messages."""
        return self.page.locator("#log .msg--bot")

    def user_messages(self) -> Any:
        """Locator of the user's messages."""
        return self.page.locator("#log .msg--user")

    def wait_for_bot_messages(self, count: int) -> None:
        """Wait until at least ``count`` answers are on the page."""
        self.page.wait_for_function(
            "n => document.querySelectorAll('#log .msg--bot').length >= n",
            arg=count,
            timeout=TIMEOUT_MS,
        )

    def ask(self, text: str) -> str:
        """Type ``text``, press Enter and return the text of the next answer."""
        before = self.bot_messages().count()
        self.page.fill("#message-input", text)
        self.page.press("#message-input", "Enter")
        return self.latest_answer_after(before)

    def latest_answer_after(self, before: int) -> str:
        """Wait for an answer beyond the first ``before`` ones; return its text."""
        self.wait_for_bot_messages(before + 1)
        text: str = self.bot_messages().last.inner_text()
        return text

    def session_id(self) -> str:
        """The session id the page stored."""
        stored = self.page.evaluate(
            "JSON.parse(localStorage.getItem('als-assistent-chat') || '{}')"
        )
        return str(stored.get("sessionId") or "")

    def user_events(self, min_count: int = 1) -> list[dict[str, Any]]:
        """User events of this session in the tracker store (polled briefly)."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        events: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            with sqlite3.connect(self.tracker_db) as connection:
                rows = connection.execute(
                    "SELECT data FROM events WHERE sender_id = ? "
                    "AND type_name = 'user' ORDER BY id",
                    (self.session_id(),),
                ).fetchall()
            events = [json.loads(row[0]) for row in rows]
            if len(events) >= min_count:
                break
            time.sleep(0.2)
        return events


def new_chat(
    browser: Any,
    running: RunningAssistant,
    *,
    width: int = 1024,
    height: int = 900,
    bypass_csp: bool = False,
) -> tuple[Any, Chat]:
    """Open a fresh browser context (empty storage) on the chat page."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="nl-NL",
        bypass_csp=bypass_csp,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    chat = Chat(
        page=page, url=f"{running.base_url}/chat", tracker_db=running.tracker_db
    )

    def block(route: Any) -> None:
        chat.blocked.append(route.request.url)
        route.abort()

    context.route(lambda url: not is_local(url), block)
    page.on("request", lambda request: chat.requests.append(request.url))
    page.on("websocket", lambda socket: chat.requests.append(socket.url))
    page.on("pageerror", lambda error: chat.errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            chat.errors.append(message.text) if message.type == "error" else None
        ),
    )
    return context, chat
