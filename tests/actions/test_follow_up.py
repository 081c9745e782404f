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


def _asked(text: str, ranking: list[tuple[str, float]]) -> dict[str, Any]:
    parse_data = {
        "text": text,
        "intent": {"name": ranking[0][0], "confidence": ranking[0][1]},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": [],
    }
    return {"event": "user", "text": text, "parse_data": parse_data}


VERLOOP_ANSWER = {
    "event": "bot",
    "text": "ALS is progressief.",
    "data": {"buttons": [
        {"title": "Levensverwachting", "payload": "/faq_levensverwachting"},
    ]},
    "metadata": {"utter_action": "utter_faq_verloop"},
}  # fmt: skip
EXPECT_QUESTION = _asked(
    "wat kan ik verwachten",
    [("faq_verloop", 0.6), ("out_of_scope", 0.2), ("faq_levensverwachting", 0.15)],
)


def test_yes_after_a_direct_answer_confirms_its_topic(
    session_factory: sessionmaker, run_action: RunAction
) -> None:
    messages, _ = run_action(
        ActionFollowUp(session_factory),
        _tracker("ja", "affirm", [EXPECT_QUESTION, VERLOOP_ANSWER]),
    )
    assert messages[0]["response"] == "utter_faq_verloop"


def test_no_after_a_direct_answer_offers_the_second_likeliest_topic(
    session_factory: sessionmaker, run_action: RunAction
) -> None:
    messages, _ = run_action(
        ActionFollowUp(session_factory),
        _tracker("nee", "deny", [EXPECT_QUESTION, VERLOOP_ANSWER]),
    )
    assert messages[0]["text"].startswith("Ik weet niet zeker wat u bedoelt.")
    assert "Levensverwachting" in messages[0]["text"]
    payloads = [button["payload"] for button in messages[0]["buttons"]]
    assert payloads == ["/faq_levensverwachting", "/something_else"]
    messages, _ = run_action(
        ActionFollowUp(session_factory), _tracker("nee", "deny", [])
    )
    assert messages[0]["response"] == "utter_something_else"


def test_yes_after_a_general_reply_confirms_no_old_topic(
    session_factory: sessionmaker, run_action: RunAction
) -> None:
    something_else = {
        "event": "bot",
        "text": "Geen probleem. Stel uw vraag op een andere manier.",
        "data": {},
        "metadata": {"utter_action": "utter_something_else"},
    }
    events = [EXPECT_QUESTION, VERLOOP_ANSWER, something_else]
    messages, _ = run_action(
        ActionFollowUp(session_factory), _tracker("ja", "affirm", events)
    )
    assert messages[0]["text"].startswith("Waar gaat uw vraag over?")


def test_a_study_from_the_list_is_picked_by_what_it_is_about(
    session_factory: sessionmaker, run_action: RunAction
) -> None:
    listed = [
        {"event": "action", "name": "action_list_studies"},
        {"event": "bot", "text": "Dit zijn de onderzoeken die ik ken.", "data": {
            "buttons": [
                {"title": "MRI", "payload": '/onderzoek_info{"study": "mri"}'},
                {"title": "Biobank", "payload": '/onderzoek_info{"study": "biobank"}'},
            ]}},
    ]  # fmt: skip
    messages, _ = run_action(
        ActionFollowUp(session_factory),
        _tracker("die met de scans", "choose_option", listed),
    )
    assert messages[0]["text"].startswith("MRI-onderzoek")
    messages, _ = run_action(
        ActionFollowUp(session_factory),
        _tracker("die met de monsters", "choose_option", listed),
    )
    assert messages[0]["text"].startswith("Biobank")


def test_a_follow_up_is_about_the_study_the_question_named(
    session_factory: sessionmaker, run_action: RunAction
) -> None:
    goals = [
        _asked("en project mine, wat doen die?", [("faq_goals", 0.9)]),
        {"event": "bot", "text": "GoALS is een groot onderzoeksplan.",
         "data": {"buttons": [
             {"title": "Meedoen aan onderzoek", "payload": "/onderzoek_meedoen"},
         ]},
         "metadata": {"utter_action": "utter_faq_goals"}},
    ]  # fmt: skip
    messages, _ = run_action(
        ActionFollowUp(session_factory),
        _tracker("kan ik daaraan meedoen?", "followup_eligibility", goals),
    )
    assert "over Project MinE" in messages[0]["text"]


def test_a_study_named_that_is_not_among_the_buttons_is_shown(
    session_factory: sessionmaker, run_action: RunAction
) -> None:
    messages, _ = run_action(
        ActionFollowUp(session_factory),
        _tracker("die over de mri", "choose_option", [EMG_ANSWER]),
    )
    assert messages[0]["text"].startswith("MRI-onderzoek")


def test_a_follow_up_like_those_the_answer_answers_gets_it_again(
    session_factory: sessionmaker, run_action: RunAction
) -> None:
    riluzol = {
        "event": "bot",
        "text": "Riluzol (riluzole) heet ook Rilutek.",
        "data": {},
        "metadata": {"utter_action": "utter_faq_riluzol"},
    }
    routed = _tracker(
        "en helpt dat middel ook echt?", "followup_eligibility", [riluzol]
    )
    routed.latest_message["follow_up_of"] = "faq_riluzol"
    messages, _ = run_action(ActionFollowUp(session_factory), routed)
    assert messages[0]["response"] == "utter_faq_riluzol"
    messages, _ = run_action(
        ActionFollowUp(session_factory),
        _tracker("wordt dat vergoed door de verzekering?", "followup_cost", [riluzol]),
    )
    assert messages[0]["text"].startswith("Daarover staat niets in mijn bronnen")


def test_an_aspect_the_answer_does_not_state_is_never_covered(
    session_factory: sessionmaker, run_action: RunAction
) -> None:
    messages, _ = run_action(
        ActionFollowUp(session_factory),
        _tracker("en doet dat onderzoek pijn?", "followup_pain", [EMG_ANSWER]),
    )
    assert messages[0]["text"].startswith("Daarover staat niets in mijn bronnen")
