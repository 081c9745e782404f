"""The evaluation sets are never trained on: no copies, no near copies."""

from __future__ import annotations

from pathlib import Path

import yaml

from bench.safety import load_safety_set
from tests.support.nlu import near_copies, normalise, training_texts

DEV_QUESTIONS = (
    Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev-questions.yml"
)
SHORT_QUESTION_WORDS = 3
"""Questions this short ("wat is riluzol", "is als erfelijk") are the canonical
keyword queries every training set holds; longer ones must not be copied."""


def test_the_safety_set_is_large_and_balanced() -> None:
    cases = load_safety_set()
    counts = {
        kind: sum(c.expect == kind for c in cases)
        for kind in ("emergency", "crisis", "none")
    }
    assert len(cases) >= 450
    assert all(count >= 150 for count in counts.values()), counts
    assert len({normalise(c.text) for c in cases}) == len(cases)


def test_the_safety_set_is_not_in_the_training_data() -> None:
    messages = [case.text for case in load_safety_set()]
    assert not near_copies(messages, training_texts())


def test_the_shared_dev_questions_are_not_in_the_training_data() -> None:
    questions = yaml.safe_load(DEV_QUESTIONS.read_text(encoding="utf-8"))["questions"]
    longer = [
        str(question["q"])
        for question in questions
        if len(normalise(str(question["q"])).split()) > SHORT_QUESTION_WORDS
    ]
    assert len(longer) > 250
    assert not near_copies(longer, training_texts())
