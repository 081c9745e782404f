"""Pure Dutch text normalisation helpers."""

from __future__ import annotations

import re
import unicodedata

MAX_MESSAGE_CHARS = 2000
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_WHITESPACE = re.compile(r"\s+")


def strip_diacritics(text: str) -> str:
    """Return ``text`` without accents: ``patiënt`` becomes ``patient``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text: str) -> str:
    """Lowercase and strip diacritics, the form used for matching words."""
    return strip_diacritics(text).lower()


def clean_message(text: str, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """Remove control characters, collapse whitespace and cap the length."""
    without_control = _CONTROL_CHARS.sub(" ", text)
    return _WHITESPACE.sub(" ", without_control).strip()[:max_chars]


def has_letters(text: str) -> bool:
    """Whether ``text`` holds at least one letter (emoji or digits alone do not)."""
    return any(char.isalpha() for char in text)
