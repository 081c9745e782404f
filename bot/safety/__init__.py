"""The safety layer: for every message, emergency (112), crisis (113) or none.

It runs before any topic is matched (``components.safety_gate``) and has its
own data in ``content/safety/`` and its own tests. ``docs/safety.md`` explains
how it decides and how to add a phrase or an example.
"""

from __future__ import annotations

from bot.nlp.text import has_letters
from bot.safety.layer import SafetyDecision, SafetyKind, SafetyLayer

__all__ = ["SafetyDecision", "SafetyKind", "SafetyLayer", "is_unreadable"]


def is_unreadable(text: str) -> bool:
    """Whether a message holds nothing to understand: empty, emoji or junk."""
    stripped = text.strip()
    if not stripped or not has_letters(stripped):
        return True
    letters = sum(char.isalpha() for char in stripped)
    return letters / len(stripped) < 0.3
