"""The previous question the intent classifier sees (conversation_context)."""

from __future__ import annotations

from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.conversation_context import previous_question, previous_topic


def _asked(text: str, intent: str) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9})


def _answered(response: str) -> BotUttered:
    return BotUttered("...", metadata={"utter_action": response})


def _tracker(*events: object) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("t", list(events))  # type: ignore[arg-type]


def test_the_previous_question_in_words() -> None:
    tracker = _tracker(
        _asked("wat is tricals", "faq_goals"), _answered("utter_faq_goals")
    )
    assert previous_question(tracker) == "wat is tricals"


def test_after_a_button_or_a_choice_the_title_of_the_topic_answered() -> None:
    tracker = _tracker(
        _asked("wat is als", "faq_wat_is_als"),
        _answered("utter_faq_wat_is_als"),
        _asked("de derde", "choose_option"),
        _answered("utter_faq_behandeling"),
    )
    assert previous_question(tracker) == "Behandeling"
    clicked = _tracker(
        _asked("/faq_riluzol", "faq_riluzol"), _answered("utter_faq_riluzol")
    )
    assert previous_question(clicked) == "Riluzol (Rilutek)"


def test_no_previous_question_in_a_new_session_or_after_small_talk() -> None:
    assert previous_question(_tracker()) is None
    greeted = _tracker(_asked("hallo", "greet"), _answered("utter_greet"))
    assert previous_question(greeted) is None
    restarted = _tracker(
        _asked("wat is tricals", "faq_goals"),
        _answered("utter_faq_goals"),
        SessionStarted(),
    )
    assert previous_question(restarted) is None


def test_the_previous_topic_is_what_the_latest_answer_was_about() -> None:
    tracker = _tracker(
        _asked("wat is tricals", "faq_goals"),
        _answered("utter_faq_goals"),
        _asked("bedankt", "thank"),
        _answered("utter_thank"),
    )
    assert previous_topic(tracker) == "faq_goals"
    assert (
        previous_topic(_tracker(_asked("hallo", "greet"), _answered("utter_greet")))
        is None
    )
