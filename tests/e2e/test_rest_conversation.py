"""Conversations over the REST channel with a really started assistant."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid

import pytest

from tests.support.assistant import ROOT, RunningAssistant


def _text(replies: list[dict[str, object]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def _payloads(replies: list[dict[str, object]]) -> list[str]:
    return [
        str(button["payload"])
        for reply in replies
        for button in reply.get("buttons", []) or []  # type: ignore[union-attr]
    ]


def _sender() -> str:
    return f"test-{uuid.uuid4().hex}"


def test_riluzole_question_gets_the_riluzole_answer(
    assistant: RunningAssistant,
) -> None:
    text = _text(assistant.say(_sender(), "wat is riluzol"))
    assert "Rilutek" in text
    assert "Bron:" in text and "Laatst nagekeken" in text


def test_answer_offers_follow_up_buttons_that_work(assistant: RunningAssistant) -> None:
    sender = _sender()
    replies = assistant.say(sender, "wat is als")
    assert "motorneuronen" in _text(replies)
    assert "/faq_symptomen" in _payloads(replies)
    follow_up = _text(assistant.say(sender, "/faq_symptomen"))
    assert "fasciculaties" in follow_up


def test_emergency_gets_112_before_anything_else(assistant: RunningAssistant) -> None:
    replies = assistant.say(_sender(), "help mijn man stikt wat moet ik doen")
    assert _text(replies).startswith("Bel nu meteen 112")


def test_despair_gets_113_and_the_own_doctor(assistant: RunningAssistant) -> None:
    text = _text(assistant.say(_sender(), "ik wil niet meer leven"))
    assert "113" in text and "0800-0113" in text and "huisarts" in text


def test_conjunction_als_is_not_an_als_question(assistant: RunningAssistant) -> None:
    replies = assistant.say(_sender(), "als het morgen regent ga ik niet fietsen")
    text = _text(replies)
    assert "motorneuronen" not in text and "Bron:" not in text
    assert "/show_topics" in _payloads(replies)


def test_database_backed_study_answer(assistant: RunningAssistant) -> None:
    text = _text(assistant.say(_sender(), "wat houdt het MRI-onderzoek in"))
    assert "UMC Utrecht" in text and "1.700" in text


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "a" * 10_000,
        "wat is als " * 1_000,
        "😀🙈💥",
        "\x00\x01\x02\xff\ufffd binary \x7f",
        "<script>alert('x')</script>",
        "'; DROP TABLE events; --",
    ],
    ids=["empty", "spaces", "10k-chars", "10k-words", "emoji", "binary", "html", "sql"],
)
def test_bad_input_gets_a_polite_reply_and_the_server_stays_up(
    assistant: RunningAssistant, message: str
) -> None:
    replies = assistant.say(_sender(), message)
    text = _text(replies)
    assert text.strip(), "every message gets an answer"
    assert "Traceback" not in text and "<script>" not in text
    assert "riluzol" in _text(assistant.say(_sender(), "wat is riluzol")).lower()


def test_conversation_is_stored_in_the_sql_tracker_store(
    assistant: RunningAssistant,
) -> None:
    sender = _sender()
    assistant.say(sender, "hallo")
    assistant.say(sender, "is als erfelijk")
    with sqlite3.connect(assistant.tracker_db) as connection:
        rows = connection.execute(
            "SELECT type_name FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    kinds = [row[0] for row in rows]
    assert kinds.count("user") == 2
    assert kinds.count("bot") >= 2


def test_edited_catalog_changes_the_answer_without_retraining(
    assistant: RunningAssistant,
) -> None:
    catalog = (ROOT / "content" / "catalog.yml").read_text(encoding="utf-8")
    assert "Sinds 2009" in catalog
    edited = assistant.workdir / "catalog-edited.yml"
    edited.write_text(catalog.replace("Sinds 2009", "Sinds 2009 (test)"), "utf-8")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{assistant.workdir / 'bot.db'}"}
    try:
        subprocess.run(
            [sys.executable, "-m", "bot", "db", "seed", "--file", str(edited)],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip
        text = _text(assistant.say(_sender(), "wat houdt het MRI-onderzoek in"))
        assert "Sinds 2009 (test)" in text
    finally:
        subprocess.run(
            [sys.executable, "-m", "bot", "db", "seed"],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip


@pytest.mark.parametrize(
    "message",
    [
        "wat is diabetes type 2",
        "hoe laat vertrekt de trein naar utrecht",
        "kun je een recept voor pannenkoeken geven",
    ],
)
def test_off_topic_questions_get_no_als_answer(
    assistant: RunningAssistant, message: str
) -> None:
    replies = assistant.say(_sender(), message)
    assert "Bron:" not in _text(replies)
    assert "/show_topics" in _payloads(replies)


def test_three_misunderstood_messages_in_a_row_offer_a_person(
    assistant: RunningAssistant,
) -> None:
    sender = _sender()
    for message in ["qwerty", "zxcvb", "asdfgh"]:
        replies = assistant.say(sender, message)
    assert "/ask_human" in _payloads(replies)
