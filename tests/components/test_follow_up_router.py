"""A question about what the previous answer was about is a follow-up
(components/follow_up_router.py)."""

from __future__ import annotations

import pytest
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.pipeline import DEFAULT_OUTPUT
from components.conversation_context import TOPIC_KEY
from components.follow_up_router import FollowUpRouter
from components.parse_data import load_spacy

ANSWERED = """
topics:
  faq_riluzol:
    answered: [wat is riluzol, helpt dat middel, wat doet riluzol precies]
    not_answered: [wat kost riluzol, wordt het vergoed, welke bijwerkingen]
  faq_levensverwachting:
    answered: [hoe lang leef je nog, hoeveel jaar gemiddeld, is dat bij iedereen zo]
    not_answered: [leef je langer met beademing, en met een sonde, hoe lang heb ik nog]
"""


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory) -> FollowUpRouter:
    answered = tmp_path_factory.mktemp("content") / "answered_questions.yml"
    answered.write_text(ANSWERED, encoding="utf-8")
    return FollowUpRouter(
        {"spacy_model": str(DEFAULT_OUTPUT), "answered_questions": str(answered)}
    )


def _read(
    text: str,
    ranking: list[tuple[str, float]],
    previous_topic: str | None,
    entities: list[dict[str, str]] | None = None,
) -> Message:
    message = Message({TEXT: text})
    if previous_topic is not None:
        message.set("metadata", {TOPIC_KEY: previous_topic})
    message.set(SPACY_DOCS[TEXT], load_spacy(str(DEFAULT_OUTPUT))(text.lower()))
    entries = [{"name": name, "confidence": c} for name, c in ranking]
    message.set(INTENT, entries[0])
    message.set(INTENT_RANKING_KEY, entries)
    message.set(ENTITIES, entities or [])
    return message


def _intent(router: FollowUpRouter, message: Message) -> str:
    router.process([message])
    return str(message.get(INTENT)["name"])


def test_a_question_that_refers_back_to_a_thing_is_a_follow_up(
    router: FollowUpRouter,
) -> None:
    message = _read(
        "is dat een medicijn?",
        [("faq_nieuwe_medicijnen", 0.89), ("followup_same_as_als", 0.02)],
        "faq_goals",
    )
    assert _intent(router, message) == "followup_same_as_als"
    weak = _read("en helpt het ook echt?", [("show_topics", 0.08)], "faq_riluzol")
    assert _intent(router, weak).startswith("followup_")


def test_the_topic_just_answered_asked_for_more_than_it_holds_is_a_follow_up(
    router: FollowUpRouter,
) -> None:
    message = _read(
        "en met beademing, hoeveel langer leef je dan?",
        [("faq_levensverwachting", 0.7), ("followup_duration", 0.1)],
        "faq_levensverwachting",
    )
    assert _intent(router, message) == "followup_duration"


def test_the_topic_just_answered_asked_again_gets_its_answer_again(
    router: FollowUpRouter,
) -> None:
    message = _read("wat is riluzol", [("faq_riluzol", 1.0)], "faq_riluzol")
    assert _intent(router, message) == "faq_riluzol"


def test_after_an_answer_about_als_itself_dat_means_als(router: FollowUpRouter) -> None:
    message = _read("is dat erfelijk?", [("faq_erfelijkheid", 0.9)], "faq_wat_is_als")
    assert _intent(router, message) == "faq_erfelijkheid"


def test_an_unplaced_question_with_a_pronoun_is_a_follow_up_on_any_topic(
    router: FollowUpRouter,
) -> None:
    message = _read("is het besmettelijk?", [("other_illness", 0.6)], "faq_oorzaak")
    assert _intent(router, message).startswith("followup_")


@pytest.mark.parametrize(
    ("text", "ranking", "entities"),
    [
        ("ik krijg geen lucht meer, helpt dat?", [("emergency", 0.9)], []),
        ("moet ik daar dan mee stoppen?", [("medical_advice", 0.8)], []),
        ("wie kan ik daarover bellen?", [("contact", 0.9)], []),
        (
            "en kan ik aan de tudca studie meedoen?",
            [("onderzoek_tudca", 0.9)],
            [{"entity": "study", "value": "tudca-als"}],
        ),
        (
            "helpt dat ook bij parkinson?",
            [("other_illness", 0.9)],
            [{"entity": "condition", "value": "Parkinson"}],
        ),
        ("wat is een emg", [("faq_emg", 0.95)], []),
    ],
)
def test_safety_contacts_and_new_questions_keep_their_intent(
    router: FollowUpRouter,
    text: str,
    ranking: list[tuple[str, float]],
    entities: list[dict[str, str]],
) -> None:
    message = _read(text, ranking, "faq_riluzol", entities)
    assert _intent(router, message) == ranking[0][0]


def test_without_a_previous_topic_nothing_changes(router: FollowUpRouter) -> None:
    message = _read("helpt dat echt?", [("show_topics", 0.1)], None)
    assert _intent(router, message) == "show_topics"
