"""Whether the answer just given holds the answer to a follow-up (bot/scope.py)."""

from __future__ import annotations

import yaml

from bot.context import Topic
from bot.scope import AnswerScope, TopicExamples
from bot.settings import PROJECT_ROOT
from bot.topics import TOPIC_TITLES
from tests.support.nlu import normalise

STUDIES = {
    str(study["slug"])
    for study in yaml.safe_load(
        (PROJECT_ROOT / "content" / "catalog.yml").read_text(encoding="utf-8")
    )["studies"]
}


def _scope() -> AnswerScope:
    return AnswerScope(
        {
            "faq_riluzol": TopicExamples(
                (
                    "helpt dat middel echt",
                    "wat doet riluzol",
                    "moet ik dat elke dag nemen",
                ),
                (
                    "wat kost dat middel",
                    "wordt het vergoed",
                    "welke bijwerkingen heeft het",
                ),
            )
        }
    )


def test_a_follow_up_like_those_the_answer_answers_is_held() -> None:
    scope = _scope()
    assert scope.holds("faq_riluzol", "en helpt het ook echt?") is True
    assert scope.holds("faq_riluzol", "wordt dat vergoed door de verzekering?") is False
    assert scope.holds("faq_riluzol", "heeft dat veel bijwerkingen") is False


def test_a_topic_without_examples_is_left_to_the_aspects() -> None:
    assert _scope().holds("faq_emg", "doet dat pijn?") is None


def test_every_answer_has_examples_on_both_sides_and_none_on_both() -> None:
    scope = AnswerScope.from_file(PROJECT_ROOT / "content" / "answered_questions.yml")
    for key, examples in scope.topics.items():
        topic = Topic(key)
        assert topic.study in STUDIES if topic.is_study else key in TOPIC_TITLES, key
        assert len(examples.answered) >= 8 and len(examples.not_answered) >= 8, key
        both = {normalise(q) for q in examples.answered} & {
            normalise(q) for q in examples.not_answered
        }
        assert not both, key
    faq_topics = {t for t in TOPIC_TITLES if t.startswith("faq_")}
    assert faq_topics <= set(scope.topics)
