"""The privacy statement: self-contained, plain Dutch, true to the settings."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.content_lint import reading_ease
from bot.settings import PROJECT_ROOT, get_settings

STATIC = PROJECT_ROOT / "webchat" / "static"
PRIVACY = STATIC / "privacy.html"
B1_READING_EASE = 60.0


class _Page(HTMLParser):
    """Collects the visible text, the tags with their attributes and comments."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_head = self._in_head or tag == "head"

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False

    def handle_data(self, data: str) -> None:
        if not self._in_head:
            self.text.append(data)

    @property
    def visible_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def page() -> _Page:
    """The parsed privacy page."""
    return _parse(PRIVACY)


def test_page_is_dutch_and_uses_only_the_chats_own_stylesheet(page: _Page) -> None:
    tags = dict(page.tags)
    assert tags["html"].get("lang") == "nl"
    names = {tag for tag, _ in page.tags}
    assert not names & {"script", "style", "iframe", "img", "form"}
    stylesheets = [a["href"] for t, a in page.tags if a.get("rel") == "stylesheet"]
    assert stylesheets == ["/chat/static/chat.css"]
    for _, attrs in page.tags:
        assert "style" not in attrs
        assert not any(name.startswith("on") for name in attrs)
        for value in attrs.values():
            assert not re.match(r"\s*(https?:)?//", value or ""), value


def test_retention_period_matches_the_setting(page: _Page) -> None:
    periods = re.findall(r"(\d+) dagen", page.visible_text)
    assert periods == [str(get_settings().retention_days)], (
        "privacy.html states a retention period different from RETENTION_DAYS"
    )


@pytest.mark.parametrize(
    "phrase",
    [
        "Het gesprek",
        "telefoonnummer, e-mailadres, BSN",
        "duim omhoog of omlaag",
        "Wij gebruiken geen cookies",
        "geen trackers",
        "Vergeet mij",
        "vergeet mij",
        "Bij nood: bel 112",
        "Neem dan contact op",
    ],
)
def test_page_says_what_is_stored_and_how_to_delete_it(
    page: _Page, phrase: str
) -> None:
    assert phrase in page.visible_text


def test_page_is_plain_dutch(page: _Page) -> None:
    assert reading_ease(page.visible_text) >= B1_READING_EASE
    assert not re.search(r"\b(je|jij|jouw)\b", page.visible_text, re.IGNORECASE)


def test_chat_page_links_to_the_privacy_page() -> None:
    chat = _parse(STATIC / "index.html")
    links = [attrs for tag, attrs in chat.tags if tag == "a"]
    assert any(link.get("href") == "/chat/privacy" for link in links)
    assert "Privacy" in chat.visible_text
