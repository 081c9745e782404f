"""Browser fixtures for the web chat: Debian's Chromium driven by Playwright.

The browser is ``/usr/bin/chromium`` (``scripts/ensure-chromium.sh`` installs it);
Playwright's own browser download is never used. Without Chromium the tests are
skipped, but they fail when ``CI=true`` so CI cannot pass without them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, NoReturn

import pytest

from tests.support.assistant import RunningAssistant
from tests.support.webchat import AXE, CHROMIUM, CHROMIUM_ARGS, Chat, new_chat


def _unavailable(message: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium, started once for all web chat tests."""
    if not CHROMIUM.exists():
        _unavailable(
            f"{CHROMIUM} not found: run scripts/ensure-chromium.sh (make test does)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing: run `make setup`")
    if not AXE.exists():
        _unavailable(f"{AXE} is missing: run `npm ci --prefix webchat` (make setup)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def chat(
    browser: Any,
    assistant: RunningAssistant,
) -> Iterator[Chat]:
    """A fresh tab on the chat page (1024x900, empty local storage)."""
    context, opened = new_chat(browser, assistant)
    yield opened
    context.close()
