"""The contact action picks the right contact for a need, a study or in general."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from sqlalchemy.orm import sessionmaker

from actions.contacts import ActionFindContact
from bot.db.repositories import ContactRepository, StudyRepository
from bot.db.session import make_engine, make_session_factory, session_scope
from bot.formatting import database_unavailable

MakeTracker = Callable[..., Tracker]
RunAction = Callable[[Any, Tracker], tuple[list[dict[str, Any]], list[dict[str, Any]]]]


@pytest.fixture
def ask(
    session_factory: sessionmaker, make_tracker: MakeTracker, run_action: RunAction
) -> Callable[..., str]:
    """``ask(text, **tracker_args)`` returns the text of the single reply."""

    def ask(text: str, **tracker_args: Any) -> str:
        messages, events = run_action(
            ActionFindContact(session_factory), make_tracker(text, **tracker_args)
        )
        assert len(messages) == 1
        assert events == []
        return str(messages[0]["text"])

    return ask


def test_brain_donation_goes_to_the_donation_route(ask: Callable[..., str]) -> None:
    text = ask("ik wil mijn hersenen doneren na mijn dood")

    assert "NMRC" in text
    assert "Nikita Lamaire" in text
    assert "staan niet in onze bron" in text
    assert "eigen arts of ALS-team" in text


def test_mri_question_goes_to_als_centrum_with_its_web_address(
    ask: Callable[..., str],
) -> None:
    text = ask("wie bel ik over het mri onderzoek")

    assert "ALS Centrum Nederland" in text
    assert "www.als-centrum.nl" in text
    assert "NMRC" not in text


def test_nurse_goes_to_own_doctor_or_als_team_and_als_centrum(
    ask: Callable[..., str],
) -> None:
    text = ask("ik wil een verpleegkundige spreken")

    assert "Uw eigen arts of ALS-team" in text
    assert "ALS Centrum Nederland" in text


def test_no_need_gives_the_short_general_list(ask: Callable[..., str]) -> None:
    text = ask("wie kan ik bellen")

    assert "Uw eigen arts of ALS-team" in text
    assert "www.als-centrum.nl" in text
    assert "113" not in text
    assert "Stichting" not in text


def test_study_in_slot_is_used_when_the_text_names_no_need(
    ask: Callable[..., str],
) -> None:
    text = ask("wie kan ik daarover bellen", slots={"study": "tudca-als"})

    assert text.startswith("TUDCA-ALS studie")
    assert "NMRC" in text


def test_study_entity_from_a_button_is_used(ask: Callable[..., str]) -> None:
    text = ask("/contact", entities=[{"entity": "study", "value": "hersendonatie"}])

    assert "Nikita Lamaire" in text


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("ik wil geld doneren voor onderzoek", "www.als.nl", "NMRC"),
        ("ik zoek lotgenoten", "www.spierziekten.nl", "NMRC"),
        ("ik denk aan zelfmoord", "0800-0113", "NMRC"),
        ("kan ik mijn huisarts bellen", "Uw eigen arts of ALS-team", "NMRC"),
    ],
)
def test_other_needs(
    ask: Callable[..., str], text: str, expected: str, absent: str
) -> None:
    reply = ask(text)

    assert expected in reply
    assert absent not in reply


@pytest.mark.parametrize(
    "text",
    ["'; DROP TABLE contacts; --", "x" * 10_000, "🙂\x00🙂", "verpleegkundige " * 900],
)
def test_hostile_input_does_no_harm(
    ask: Callable[..., str], session_factory: sessionmaker, text: str
) -> None:
    reply = ask(text, entities=[{"entity": "study", "value": text}])

    assert reply != database_unavailable().text
    assert len(reply) <= 700
    with session_scope(session_factory) as session:
        assert ContactRepository(session).count() == 6
        assert StudyRepository(session).count() == 7


def test_database_down_gives_the_general_route_and_logs(
    unreachable_url: str,
    make_tracker: MakeTracker,
    run_action: RunAction,
    caplog: pytest.LogCaptureFixture,
) -> None:
    text = "ik wil een verpleegkundige spreken over mijn vader Piet"
    engine = make_engine(unreachable_url)
    try:
        messages, events = run_action(
            ActionFindContact(make_session_factory(engine)), make_tracker(text)
        )
    finally:
        engine.dispose()

    assert [m["text"] for m in messages] == [database_unavailable().text]
    assert "www.als-centrum.nl" in messages[0]["text"]
    assert events == []
    assert any(
        r.levelno == logging.ERROR and r.name == "actions.base" for r in caplog.records
    )
    assert "Piet" not in caplog.text
