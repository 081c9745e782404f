"""The previous question, handed to the intent classifier with each message.

"hoeveel mensen doen er mee?" after the MRI study is about the MRI study, not
about how common ALS is; "is dat een medicijn?" after TRICALS is about TRICALS.
Rasa's NLU components see one message only, so this module wraps the step
where Rasa parses a message (``MessageProcessor._parse_message_with_graph``,
which has the conversation): it puts the previous question into the message's
metadata for the parse and takes it out again before anything is stored, so the
tracker store keeps no extra copy of a patient's words.

The previous question is the latest user message when it asked about a topic
in words; after a button or a "de derde", it is the title of the topic the
assistant then answered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.topics import TOPIC_TITLES

CONTEXT_KEY = "previous_question"
"""Key in a message's metadata, present only while the message is parsed."""
ASKING_INTENTS = frozenset(TOPIC_TITLES) | {"medical_advice"}
"""Intents whose message is a question about a topic (context for the next)."""
_INSTALLED_MARK = "_with_previous_question"
ParseMethod = Callable[..., dict[str, Any]]


def previous_question(tracker: DialogueStateTracker) -> str | None:
    """The question before the current message, in words, or ``None``."""
    answered: str | None = None
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            return None
        if isinstance(event, BotUttered) and answered is None:
            response = str((event.metadata or {}).get("utter_action") or "")
            answered = TOPIC_TITLES.get(response.removeprefix("utter_"))
        if isinstance(event, UserUttered):
            text = event.text or ""
            intent = (event.intent or {}).get("name")
            if intent in ASKING_INTENTS and text and not text.startswith("/"):
                return text
            return answered
    return None


def with_previous_question(parse: ParseMethod) -> ParseMethod:
    """Wrap Rasa's parse so the classifier sees the previous question."""

    def parse_with_context(
        self: MessageProcessor,
        message: Any,
        tracker: DialogueStateTracker,
        only_output_properties: bool = True,
    ) -> dict[str, Any]:
        context = previous_question(tracker) if tracker is not None else None
        if context is None:
            return parse(self, message, tracker, only_output_properties)
        metadata = message.metadata
        message.metadata = {**(metadata or {}), CONTEXT_KEY: context}
        try:
            return parse(self, message, tracker, only_output_properties)
        finally:
            message.metadata = metadata

    setattr(parse_with_context, _INSTALLED_MARK, True)
    return parse_with_context


def install() -> None:
    """Wrap ``MessageProcessor._parse_message_with_graph`` once per process."""
    current = MessageProcessor._parse_message_with_graph
    if not getattr(current, _INSTALLED_MARK, False):
        setattr(  # noqa: B010
            MessageProcessor,
            "_parse_message_with_graph",
            with_previous_question(current),
        )
