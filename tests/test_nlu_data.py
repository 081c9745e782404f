"""The training data and the held-out set are large enough and kept apart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from bot.topics import TOPIC_TITLES
from tests.support.nlu import nlu_pairs, normalise

ROOT = Path(__file__).resolve().parents[1]
NEAR_COPY_SCORE = 90
SAFETY_AND_DIALOGUE = [
    "greet", "thank", "goodbye", "bot_challenge", "ask_human", "medical_advice",
    "emergency", "despair", "out_of_scope", "something_else",
]  # fmt: skip


TRAINING = nlu_pairs()
HELD_OUT = nlu_pairs(ROOT / "tests" / "nlu" / "heldout.yml")


@pytest.mark.parametrize("intent", sorted(TOPIC_TITLES))
def test_every_topic_has_at_least_25_training_examples(intent: str) -> None:
    assert Counter(i for _, i in TRAINING)[intent] >= 25


@pytest.mark.parametrize("intent", sorted(TOPIC_TITLES) + SAFETY_AND_DIALOGUE)
def test_every_topic_has_at_least_8_held_out_questions(intent: str) -> None:
    assert Counter(i for _, i in HELD_OUT)[intent] >= 8


def test_no_training_example_is_listed_under_two_intents() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for text, intent in TRAINING:
        key = normalise(text)
        if seen.get(key, intent) != intent:
            clashes.append((text, seen[key], intent))
        seen[key] = intent
    assert clashes == []


def test_held_out_questions_are_not_near_copies_of_training_examples() -> None:
    training = [normalise(text) for text, _ in TRAINING]
    copies = []
    for text, _ in HELD_OUT:
        match = process.extractOne(normalise(text), training, scorer=fuzz.ratio)
        if match and match[1] >= NEAR_COPY_SCORE:
            copies.append((text, match[0]))
    assert copies == []
