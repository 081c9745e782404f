"""The study actions against real, migrated and seeded databases."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from sqlalchemy.orm import sessionmaker

from actions.studies import ActionListStudies, ActionShowStudy
from bot.db.repositories import ContactRepository, StudyRepository
from bot.db.seed import DEFAULT_CATALOG, SeedReport
from bot.db.session import make_engine, make_session_factory, session_scope
from bot.formatting import database_unavailable

MakeTracker = Callable[..., Tracker]
RunAction = Callable[[Any, Tracker], tuple[list[dict[str, Any]], list[dict[str, Any]]]]

HOSTILE = [
    "'; DROP TABLE studies; --",
    "mri'); DELETE FROM contacts; --",
    "x" * 10_000,
    "MRI " * 2_500,
    "🧠🙂💥 kan ik meedoen 🙏",
    "tudca\x00als\x00",
    "\x00",
    "%s %(name)s {0} ${jndi:ldap://x}",
]


def _study_slot(events: list[dict[str, Any]]) -> Any:
    slot_events = [
        e for e in events if e.get("event") == "slot" and e["name"] == "study"
    ]
    assert len(slot_events) == 1
    return slot_events[0]["value"]


def _show(
    factory: sessionmaker,
    make_tracker: MakeTracker,
    run_action: RunAction,
    text: str,
    **tracker_args: Any,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    messages, events = run_action(
        ActionShowStudy(factory), make_tracker(text, **tracker_args)
    )
    assert len(messages) == 1
    return messages[0], events


def test_list_studies_gives_one_button_per_study(
    session_factory: sessionmaker, make_tracker: MakeTracker, run_action: RunAction
) -> None:
    messages, events = run_action(
        ActionListStudies(session_factory),
        make_tracker("welke onderzoeken zijn er waar ik aan mee kan doen?"),
    )

    assert len(messages) == 1
    payloads = [button["payload"] for button in messages[0]["buttons"]]
    assert len(payloads) == 7
    assert '/onderzoek_info{"study": "mri"}' in payloads
    assert '/onderzoek_info{"study": "hersendonatie"}' in payloads
    assert "MRI-onderzoek" in messages[0]["text"]
    assert events == []


@pytest.mark.parametrize(
    ("text", "slug", "fact"),
    [
        ("wat houdt het MRI-onderzoek in", "mri", "3.600"),
        ("Wat is de PAN studie?", "pan", "Leonard van den Berg"),
        ("vertel over Project MinE", "project-mine", "genen"),
        ("wat is TRICALS", "tricals", "Europees netwerk"),
    ],
)
def test_study_found_by_name(
    session_factory: sessionmaker,
    make_tracker: MakeTracker,
    run_action: RunAction,
    text: str,
    slug: str,
    fact: str,
) -> None:
    message, events = _show(session_factory, make_tracker, run_action, text)

    assert fact in message["text"]
    assert _study_slot(events) == slug
    assert message["text"].rstrip().endswith("Laatst nagekeken: 03-12-2026.")


def test_study_found_from_button_entity(
    session_factory: sessionmaker, make_tracker: MakeTracker, run_action: RunAction
) -> None:
    message, events = _show(
        session_factory,
        make_tracker,
        run_action,
        '/onderzoek_info{"study": "biobank"}',
        intent="onderzoek_info",
        entities=[{"entity": "study", "value": "biobank"}],
    )

    assert message["text"].startswith("Biobank")
    assert _study_slot(events) == "biobank"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("wat is tudca", "tudca-als"),
        ("ik wil iets weten over de neurobiobank", "biobank"),
        ("ik wil mijn hersenen doneren na mijn dood", "hersendonatie"),
        ("wat is projectmine", "project-mine"),
    ],
)
def test_study_found_by_alias(
    session_factory: sessionmaker,
    make_tracker: MakeTracker,
    run_action: RunAction,
    text: str,
    slug: str,
) -> None:
    _, events = _show(session_factory, make_tracker, run_action, text)

    assert _study_slot(events) == slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("wat is tudka", "tudca-als"),
        ("info over het mri onderzoekk", "mri"),
        ("projekt mine", "project-mine"),
        ("trickals studie", "tricals"),
    ],
)
def test_study_found_by_misspelling(
    session_factory: sessionmaker,
    make_tracker: MakeTracker,
    run_action: RunAction,
    text: str,
    slug: str,
) -> None:
    _, events = _show(session_factory, make_tracker, run_action, text)

    assert _study_slot(events) == slug


def test_study_found_from_intent_when_text_names_none(
    session_factory: sessionmaker, make_tracker: MakeTracker, run_action: RunAction
) -> None:
    message, events = _show(
        session_factory,
        make_tracker,
        run_action,
        "mag ik na mijn overlijden iets betekenen voor de wetenschap",
        intent="onderzoek_donatie",
    )

    assert _study_slot(events) == "hersendonatie"
    for fact in ("24 uur", "gratis", "opgebaard", "Nikita Lamaire"):
        assert fact in message["text"]


def test_can_i_take_part_puts_who_and_how_first(
    session_factory: sessionmaker, make_tracker: MakeTracker, run_action: RunAction
) -> None:
    message, _ = _show(
        session_factory,
        make_tracker,
        run_action,
        "kan ik meedoen aan het mri onderzoek",
    )

    lines = message["text"].splitlines()
    assert lines[1].startswith("Wie kan meedoen")
    assert any(line.startswith("Aanmelden") for line in lines[:4])


def test_unknown_study_says_so_and_lists_the_known_ones(
    session_factory: sessionmaker, make_tracker: MakeTracker, run_action: RunAction
) -> None:
    message, events = _show(
        session_factory,
        make_tracker,
        run_action,
        "wat is de XYZ-studie?",
        intent="onderzoek_info",
    )

    assert "ken ik niet" in message["text"]
    assert len(message["buttons"]) == 7
    assert _study_slot(events) is None


def _assert_polite_failure(
    messages: list[dict[str, Any]],
    events: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
    user_text: str,
) -> None:
    assert [m["text"] for m in messages] == [database_unavailable().text]
    assert events == []
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and errors[0].name == "actions.base" and errors[0].exc_info
    assert user_text not in caplog.text


@pytest.mark.parametrize("action_class", [ActionListStudies, ActionShowStudy])
def test_database_down_gives_a_polite_reply_and_logs(
    unreachable_url: str,
    make_tracker: MakeTracker,
    run_action: RunAction,
    caplog: pytest.LogCaptureFixture,
    action_class: type[ActionShowStudy],
) -> None:
    text = "geheime vraag over het mri onderzoek van mevrouw Jansen"
    engine = make_engine(unreachable_url)
    try:
        messages, events = run_action(
            action_class(make_session_factory(engine)), make_tracker(text)
        )
    finally:
        engine.dispose()

    _assert_polite_failure(messages, events, caplog, text)


def test_database_down_via_database_url(
    unreachable_url: str,
    use_settings: Callable[..., None],
    make_tracker: MakeTracker,
    run_action: RunAction,
    caplog: pytest.LogCaptureFixture,
) -> None:
    use_settings(DATABASE_URL=unreachable_url)
    text = "wat houdt het MRI-onderzoek in"

    messages, events = run_action(ActionShowStudy(), make_tracker(text))

    _assert_polite_failure(messages, events, caplog, text)


def test_database_without_tables_gives_a_polite_reply(
    database_url: str,
    make_tracker: MakeTracker,
    run_action: RunAction,
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = make_engine(database_url)
    try:
        messages, events = run_action(
            ActionListStudies(make_session_factory(engine)), make_tracker("hallo")
        )
    finally:
        engine.dispose()

    _assert_polite_failure(messages, events, caplog, "hallo")


def test_configured_database_is_used_by_default(
    seeded_url: str,
    use_settings: Callable[..., None],
    make_tracker: MakeTracker,
    run_action: RunAction,
) -> None:
    use_settings(DATABASE_URL=seeded_url)

    messages, _ = run_action(ActionShowStudy(), make_tracker("wat is tudca"))

    assert messages[0]["text"].startswith("TUDCA-ALS studie")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_does_no_harm(
    session_factory: sessionmaker,
    make_tracker: MakeTracker,
    run_action: RunAction,
    text: str,
) -> None:
    entities = [{"entity": "study", "value": text}]
    for action in (
        ActionShowStudy(session_factory),
        ActionListStudies(session_factory),
    ):
        for tracker in (make_tracker(text), make_tracker(text, entities=entities)):
            messages, _ = run_action(action, tracker)
            assert len(messages) == 1
            assert messages[0]["text"] != database_unavailable().text
            assert len(messages[0]["text"]) <= 700

    with session_scope(session_factory) as session:
        assert StudyRepository(session).count() == 7
        assert ContactRepository(session).count() == 6


def test_edited_seed_file_changes_the_answer(
    seeded_url: str,
    reseed: Callable[..., SeedReport],
    tmp_path: Path,
    make_tracker: MakeTracker,
    run_action: RunAction,
) -> None:
    data = yaml.safe_load(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    mri = next(entry for entry in data["studies"] if entry["slug"] == "mri")
    mri["description"] = "Nieuwe tekst van de beheerder."
    path = tmp_path / "catalog.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    engine = make_engine(seeded_url)
    action = ActionShowStudy(make_session_factory(engine))
    tracker = make_tracker("wat houdt het MRI-onderzoek in")
    try:
        before, _ = run_action(action, tracker)
        reseed(seeded_url, path)
        after, _ = run_action(action, tracker)
    finally:
        engine.dispose()

    assert "Nieuwe tekst van de beheerder." not in before[0]["text"]
    assert "Nieuwe tekst van de beheerder." in after[0]["text"]
