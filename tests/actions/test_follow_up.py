"""Follow-ups, choices and yes/no, answered about the previous reply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from sqlalchemy.orm import sessionmaker

from actions.fallback import ActionOutOfScope
from actions.follow_up import ActionFollowUp

RunAction = Callable[[Any, Tracker], tuple[list[dict[str, Any]], list[dict[str, Any]]]]

EMG_ANSWER = {
    "event": "bot",
    "text": "Een EMG is een spier-zenuwonderzoek.",
    "data": {"buttons": [
        {"title": "Hoe wordt de diagnose gesteld?", "payload": "/faq_diagnose"},
        {"title": "Wat zijn de klachten?", "payload": "/faq_symptomen"},
    ]},
    "metadata": {"utter_action": "utter_faq_emg"},
}  # fmt: skip


def _tracker(text: str, intent: str, events: list[dict[str, Any]]) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [],
    }
    user = {"event": "user", "text": text, "parse_data": latest}
    return Tracker("t", {}, latest, [*events, user], False, None, {}, "action_listen")


def test_a_follow_up_the_sources_do_not_answer_gets_the_honest_reply(
    session_factory: sessionmaker, run_action: RunAction
) -> None:
    messages, _ = run_action(
        ActionFollowUp(session_factory),
        _tracker("doet dat pijn?", "followup_pain", [EMG_ANSWER]),
    )
    text = messages[0]["text"]
    assert text.startswith("Daarover staat niets in mijn bronnen over Het EMG")
    assert "neuroloog" in text and "Sorry" not in text


def test_signing_up_for_the_study_just_shown_shows_how(
    session_factory: sessionmaker, run_action: RunAction
) -> None:
    shown = [
        {"event": "action", "name": "action_show_study"},
        {"event": "slot", "name": "study", "value": "mri"},
        {"event": "bot", "text": "MRI-onderzoek (UMC Utrecht)", "data": {}},
    ]
    messages, events = run_action(
        ActionFollowUp(session_factory),
        _tracker("hoe meld ik me daarvoor aan?", "followup_signup", shown),
    )
    assert messages[0]["text"].startswith("MRI-onderzoek")
    assert "Aanmelden" in messages[0]["text"]
    assert {
        "event": "slot",
        "timestamp": None,
        "name": "study",
        "value": "mri",
    } in events


def test_the_second_button_is_answered(
    session_factory: sessionmaker, run_action: RunAction
) -> None:
    messages, _ = run_action(
        ActionFollowUp(session_factory),
        _tracker("de tweede", "choose_option", [EMG_ANSWER]),
    )
    assert messages[0]["response"] == "utter_faq_symptomen"


def test_a_follow_up_without_a_topic_asks_what_it_is_about(
    session_factory: sessionmaker, run_action: RunAction
) -> None:
    messages, _ = run_action(
        ActionFollowUp(session_factory),
        _tracker("hoe lang duurt het?", "followup_duration", []),
    )
    assert messages[0]["text"].startswith("Waar gaat uw vraag over?")


def test_an_unclear_follow_up_is_not_out_of_scope(run_action: RunAction) -> None:
    messages, _ = run_action(
        ActionOutOfScope(),
        _tracker("hoeveel buisjes nemen ze daarvoor af", "out_of_scope", [EMG_ANSWER]),
    )
    assert messages[0]["text"].startswith("Daarover staat niets in mijn bronnen")
    messages, _ = run_action(
        ActionOutOfScope(), _tracker("hoe laat is het", "out_of_scope", [EMG_ANSWER])
    )
    assert messages[0]["response"] == "utter_out_of_scope"
