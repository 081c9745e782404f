"""A chat tab for the web chat tests (the ``browser`` fixture: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.assistant import RunningAssistant
from tests.support.webchat import Chat, new_chat


@pytest.fixture
def chat(
    browser: Any,
    assistant: RunningAssistant,
) -> Iterator[Chat]:
    """A fresh tab on the chat page (1024x900, empty local storage)."""
    context, opened = new_chat(browser, assistant)
    yield opened
    context.close()
