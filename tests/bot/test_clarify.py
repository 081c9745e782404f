"""When unsure, offer the two likeliest topics; when lost, say so honestly."""

from bot.clarify import clarify


def _ranking(*pairs: tuple[str, float]) -> list[dict[str, object]]:
    return [{"name": name, "confidence": score} for name, score in pairs]


def test_two_close_topics_are_offered_with_something_else() -> None:
    result = clarify(
        "kan je daar iets aan doen",
        _ranking(
            ("nlu_fallback", 0.3), ("faq_behandeling", 0.28), ("faq_riluzol", 0.25)
        ),
        misunderstood_in_a_row=1,
    )
    assert result.text is not None and result.text.startswith("Ik weet niet zeker")
    assert [b["payload"] for b in result.buttons] == [
        "/faq_behandeling",
        "/faq_riluzol",
        "/something_else",
    ]


def test_off_topic_message_gets_the_honest_reply() -> None:
    result = clarify(
        "hoe laat vertrekt de trein",
        _ranking(("nlu_fallback", 0.3), ("out_of_scope", 0.25), ("faq_riluzol", 0.2)),
        misunderstood_in_a_row=1,
    )
    assert result.response == "utter_out_of_scope"


def test_weak_guess_is_not_offered() -> None:
    result = clarify("xyz", _ranking(("faq_emg", 0.08), ("faq_riluzol", 0.07)), 1)
    assert result.response == "utter_out_of_scope"


def test_emoji_only_is_not_understood() -> None:
    result = clarify("👍👍", _ranking(("faq_emg", 0.5), ("faq_riluzol", 0.4)), 1)
    assert result.response == "utter_out_of_scope"


def test_a_person_is_offered_after_three_misunderstood_messages() -> None:
    assert not clarify("xyz", [], 2).offer_human
    assert clarify("xyz", [], 3).offer_human
