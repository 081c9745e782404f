"""What a follow-up refers to (bot/context.py), read from Rasa's events."""

from __future__ import annotations

from typing import Any

from bot.context import (
    Choice,
    FollowUpBook,
    Topic,
    answer_to_yes_no,
    choose,
    last_buttons,
    last_topic,
    looks_like_follow_up,
    not_in_sources,
)


def _bot(
    text: str, response: str = "", buttons: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    return {
        "event": "bot",
        "text": text,
        "data": {"buttons": buttons or []},
        "metadata": {"utter_action": response} if response else {},
    }


def _user(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text}


EMG = _bot(
    "Een EMG is een spier-zenuwonderzoek.",
    "utter_faq_emg",
    [{"title": "De diagnose", "payload": "/faq_diagnose"},
     {"title": "Klachten", "payload": "/faq_symptomen"}],
)  # fmt: skip


def test_the_topic_of_the_last_answer() -> None:
    events = [
        _user("wat is een emg"),
        EMG,
        _bot("Bij nood: bel 112."),
        _user("doet dat pijn?"),
    ]
    assert last_topic(events) == Topic("faq_emg")


def test_a_study_shown_by_an_action_is_the_topic() -> None:
    events = [
        _user("wat is het mri onderzoek"),
        {"event": "action", "name": "action_show_study"},
        {"event": "slot", "name": "study", "value": "mri"},
        _bot("MRI-onderzoek (UMC Utrecht)"),
        _user("hoe meld ik me aan"),
    ]
    assert last_topic(events) == Topic("study:mri")
    assert last_topic([_user("hoe lang duurt het")]) is None


def test_choosing_by_position_and_by_name() -> None:
    shown = last_buttons([EMG, _bot("Bij nood: bel 112."), _user("de tweede")])
    assert choose("de tweede", shown) == Choice("faq_symptomen", {})
    assert choose("nummer 1", shown) == Choice("faq_diagnose", {})
    assert choose("die over de klachten", shown) == Choice("faq_symptomen", {})
    assert choose("de zevende", shown) is None


def test_a_study_button_carries_its_study() -> None:
    choice = Choice.from_payload('/onderzoek_info{"study": "tudca-als"}')
    assert choice.study == "tudca-als"
    assert Choice.from_payload("/onderzoek_mri").study == "mri"


def test_yes_and_no_after_bedoelt_u() -> None:
    clarify = _bot(
        "Ik weet niet zeker wat u bedoelt. Bedoelt u 'Riluzol' of 'Behandeling'?",
        buttons=[{"title": "Riluzol", "payload": "/faq_riluzol"},
                 {"title": "Behandeling", "payload": "/faq_behandeling"},
                 {"title": "Iets anders", "payload": "/something_else"}],
    )  # fmt: skip
    shown = last_buttons([clarify])
    assert answer_to_yes_no("affirm", shown) == Choice("faq_riluzol", {})
    assert answer_to_yes_no("deny", shown) == Choice("faq_behandeling", {})
    assert answer_to_yes_no("affirm", last_buttons([EMG])) is None


def test_which_follow_ups_the_sources_answer() -> None:
    book = FollowUpBook.from_file()
    assert book.answers(Topic("study:hersendonatie"), "cost")
    assert not book.answers(Topic("faq_emg"), "pain")


def test_the_honest_reply_names_the_topic_and_who_can_answer() -> None:
    text = not_in_sources(Topic("faq_emg"), "Het EMG")
    assert text.startswith("Daarover staat niets in mijn bronnen over Het EMG.")
    assert "neuroloog" in text


def test_short_messages_that_refer_back() -> None:
    assert looks_like_follow_up("hoe lang bewaren ze dat?")
    assert not looks_like_follow_up("wat is het weer morgen")
    assert not looks_like_follow_up(" ".join(["dat"] * 20))


def test_a_position_counts_every_button_shown_and_an_article_is_no_number() -> None:
    honest = _bot(
        "Daarover staat niets in mijn bronnen over Het EMG.",
        buttons=[{"title": "Alle onderwerpen", "payload": "/show_topics"},
                 {"title": "Contact", "payload": "/contact"}],
    )  # fmt: skip
    shown = last_buttons([honest])
    assert choose("de tweede", shown) == Choice("contact", {})
    assert choose("de eerste", shown) == Choice("show_topics", {})
    assert choose("nummer twee", shown) == Choice("contact", {})
    assert choose("ik heb een vraag over iets anders", shown) is None


def test_a_long_list_is_chosen_from_by_any_number() -> None:
    topics = [{"title": f"Onderwerp {n}", "payload": f"/faq_{n}"} for n in range(1, 23)]
    shown = last_buttons([_bot("Over deze onderwerpen ...", buttons=topics)])
    assert choose("nummer 12", shown) == Choice("faq_12", {})
    assert choose("de twaalfde", shown) == Choice("faq_12", {})
    assert choose("nummer 30", shown) is None


def test_a_contact_asked_about_a_study_makes_the_study_the_topic() -> None:
    events = [
        _user("wie kan ik bellen over hersendonatie?"),
        {"event": "slot", "name": "study", "value": "hersendonatie"},
        {"event": "action", "name": "action_find_contact"},
        _bot("U kunt terecht bij: ..."),
        _user("wat houdt dat precies in?"),
    ]
    assert last_topic(events) == Topic("study:hersendonatie")
    general = [
        _user("wie kan ik bellen?"),
        {"event": "action", "name": "action_find_contact"},
    ]
    assert last_topic(general) == Topic("contact")
