"""The clarification action: honest reply, "Bedoelt u ...?", a person after three."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionClarify, ActionOfferHuman
from bot.formatting import SAFETY_LINE


def _user(text: str, intent: str, ranking: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": 0.3},
            "intent_ranking": ranking,
        },
    }


def _run(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    latest = events[-1]["parse_data"]
    tracker = Tracker("t", {}, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    ActionClarify().run(dispatcher, tracker, {})
    return dispatcher.messages


CLOSE_CALL = [
    {"name": "nlu_fallback", "confidence": 0.3},
    {"name": "faq_behandeling", "confidence": 0.27},
    {"name": "faq_riluzol", "confidence": 0.25},
]
OFF_TOPIC = [{"name": "out_of_scope", "confidence": 0.9}]


def test_close_call_asks_which_topic_is_meant() -> None:
    messages = _run(
        [_user("kan daar iets aan gedaan worden", "nlu_fallback", CLOSE_CALL)]
    )
    assert messages[0]["text"].startswith("Ik weet niet zeker wat u bedoelt")
    payloads = [button["payload"] for button in messages[0]["buttons"]]
    assert payloads == ["/faq_behandeling", "/faq_riluzol", "/something_else"]


def test_off_topic_gets_the_out_of_scope_response() -> None:
    messages = _run([_user("hoe laat is het", "out_of_scope", OFF_TOPIC)])
    assert messages[0]["response"] == "utter_out_of_scope"


def test_third_misunderstood_message_in_a_row_offers_a_person() -> None:
    events = [
        _user("qwerty", "nlu_fallback", []),
        _user("hoe laat is het", "out_of_scope", OFF_TOPIC),
        _user("asdf", "nlu_fallback", []),
    ]
    messages = _run(events)
    assert {"title": "Ja, met een mens praten", "payload": "/ask_human"} in messages[0][
        "buttons"
    ]


def test_every_clarification_ends_with_the_safety_line() -> None:
    for events in (
        [_user("kan daar iets aan gedaan worden", "nlu_fallback", CLOSE_CALL)],
        [_user("hoe laat is het", "out_of_scope", OFF_TOPIC)],
        [_user("qwerty", "nlu_fallback", [])] * 3,
    ):
        messages = _run(events)
        assert messages[-1]["text"] == SAFETY_LINE
        assert "112" not in str(messages[0].get("text") or "")


def test_an_understood_message_resets_the_count() -> None:
    understood = _user("wat is als", "faq_wat_is_als", [])
    events = [
        _user("x", "nlu_fallback", []),
        understood,
        _user("y", "nlu_fallback", []),
    ]
    messages = _run(events)
    assert messages[0].get("response") == "utter_out_of_scope"


def test_offer_after_off_topic_only_from_the_third_in_a_row() -> None:
    off_topic = [_user("hoe laat is het", "out_of_scope", OFF_TOPIC)] * 3
    for count, expected in [(1, 0), (2, 0), (3, 1)]:
        events = off_topic[:count]
        tracker = Tracker(
            "t", {}, events[-1]["parse_data"], events, False, None, {}, "x"
        )
        dispatcher = CollectingDispatcher()
        ActionOfferHuman().run(dispatcher, tracker, {})
        assert len(dispatcher.messages) == expected
