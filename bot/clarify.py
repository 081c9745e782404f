"""Decide what to say when the assistant is not sure what the user means."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.safety import is_unreadable
from bot.topics import TOPIC_TITLES

SUGGEST_MIN_CONFIDENCE = 0.15
"""Below this, the best topic is too weak to suggest: say "not understood"."""
SECOND_TOPIC_MIN_RATIO = 0.35
"""The second topic is offered too when it scores at least this share of the first."""
HUMAN_OFFER_AFTER = 3
"""Offer a person after this many misunderstood messages in a row."""

Button = dict[str, str]


@dataclass(frozen=True)
class Clarification:
    """What the assistant says: a response name, or a text with buttons."""

    response: str | None = None
    text: str | None = None
    buttons: list[Button] = field(default_factory=list)
    offer_human: bool = False


def _topic_button(intent: str) -> Button:
    return {"title": TOPIC_TITLES[intent], "payload": f"/{intent}"}


def clarify(
    text: str,
    intent_ranking: Sequence[Mapping[str, Any]],
    misunderstood_in_a_row: int,
) -> Clarification:
    """Choose between "Bedoelt u ...?" and an honest "not understood".

    Args:
        text: the user's message.
        intent_ranking: the classifier's ranking, best first.
        misunderstood_in_a_row: misunderstood messages so far, this one included.

    Returns:
        The clarification to send.
    """
    offer_human = misunderstood_in_a_row >= HUMAN_OFFER_AFTER
    ranked = [
        (str(entry["name"]), float(entry.get("confidence") or 0.0))
        for entry in intent_ranking
        if entry.get("name") != "nlu_fallback"
    ]
    topics = [(name, score) for name, score in ranked if name in TOPIC_TITLES]
    best_is_topic = bool(ranked) and ranked[0][0] in TOPIC_TITLES
    if (
        is_unreadable(text)
        or not best_is_topic
        or topics[0][1] < SUGGEST_MIN_CONFIDENCE
    ):
        return Clarification(response="utter_out_of_scope", offer_human=offer_human)
    first_intent, first_score = topics[0]
    suggestions = [first_intent]
    if len(topics) > 1 and topics[1][1] >= SECOND_TOPIC_MIN_RATIO * first_score:
        suggestions.append(topics[1][0])
    question = " of ".join(f"'{TOPIC_TITLES[name]}'" for name in suggestions)
    buttons = [_topic_button(name) for name in suggestions]
    buttons.append({"title": "Iets anders", "payload": "/something_else"})
    return Clarification(
        text=f"Ik weet niet zeker wat u bedoelt. Bedoelt u {question}?",
        buttons=buttons,
        offer_human=offer_human,
    )


HUMAN_OFFER_TEXT = (
    "Het lukt mij niet goed om u te begrijpen. Wilt u liever met een mens praten?"
)
HUMAN_OFFER_BUTTONS: list[Button] = [
    {"title": "Ja, met een mens praten", "payload": "/ask_human"},
    {"title": "Alle onderwerpen", "payload": "/show_topics"},
]
