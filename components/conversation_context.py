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
assistant then answered. The previous topic (``faq_riluzol``, ``study:mri``) is
what the latest answer was about, read as the action server reads it
(``bot.context.last_topic``): "helpt dat echt?" is then about riluzol
(``components.follow_up_router``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.context import TOPIC_ACTIONS, last_topic, topic_of_response
from bot.topics import TOPIC_TITLES

CONTEXT_KEY = "previous_question"
"""Key in a message's metadata, present only while the message is parsed."""
TOPIC_KEY = "previous_topic"
"""Key of the previous topic in a message's metadata, only while it is parsed."""
RECENT_EVENTS = 60
"""The previous topic is looked for in this many latest events: a follow-up
comes right after its answer."""
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


def previous_topic(tracker: DialogueStateTracker) -> str | None:
    """What the latest answer of this session was about, or ``None``.

    Only the events from the latest answer with a topic back to the message it
    answered are read (as dictionaries, as the action server gets them).
    """
    recent: list[Event] = []
    answered = False
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted) or len(recent) >= RECENT_EVENTS:
            break
        recent.append(event)
        answered = answered or _gives_a_topic(event)
        if answered and isinstance(event, UserUttered):
            break
    if not answered:
        return None
    topic = last_topic([event.as_dict() for event in reversed(recent)])
    return topic.key if topic is not None else None


def _gives_a_topic(event: Event) -> bool:
    """Whether ``bot.context.last_topic`` can read a topic from this event."""
    if isinstance(event, BotUttered):
        response = str((event.metadata or {}).get("utter_action") or "")
        return topic_of_response(response) is not None
    if isinstance(event, ActionExecuted):
        return event.action_name in TOPIC_ACTIONS
    return isinstance(event, SlotSet) and event.key == "topic" and bool(event.value)


def with_previous_question(parse: ParseMethod) -> ParseMethod:
    """Wrap Rasa's parse so the classifier sees the previous question."""

    def parse_with_context(
        self: MessageProcessor,
        message: Any,
        tracker: DialogueStateTracker,
        only_output_properties: bool = True,
    ) -> dict[str, Any]:
        if tracker is None:
            return parse(self, message, tracker, only_output_properties)
        context = {
            key: value
            for key, value in (
                (CONTEXT_KEY, previous_question(tracker)),
                (TOPIC_KEY, previous_topic(tracker)),
            )
            if value is not None
        }
        if not context:
            return parse(self, message, tracker, only_output_properties)
        metadata = message.metadata
        message.metadata = {**(metadata or {}), **context}
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
