"""The realistic held-out sets are large, labelled and never trained on.

``tests/nlu/realistic.yml`` (single messages written the way patients and
relatives write) and ``tests/conversations/scenarios.yml`` (multi-turn) are
written before the model is changed for them; they measure, they never train.
``tests/conversations/dev.yml`` (multi-turn, written from the content only) is
the set to develop on: measured, never trained on either.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.topics import TOPIC_TITLES
from tests.support.nlu import near_copies, normalise, training_texts

ROOT = Path(__file__).resolve().parents[2]
REALISTIC = [ROOT / "tests" / "nlu" / "realistic.yml"]
SCENARIOS = ROOT / "tests" / "conversations" / "scenarios.yml"
DEV_SCENARIOS = ROOT / "tests" / "conversations" / "dev.yml"
DIALOGUE = {
    "ask_human", "bot_challenge", "medical_advice", "out_of_scope", "greet",
    "thank", "goodbye", "onderzoek_info", "show_topics", "something_else",
    "emergency", "despair", "other_illness",
}  # fmt: skip
SHORT_QUESTION_WORDS = 3
"""Shorter messages ("emg?", "riluzol bijwerking") are keyword queries that any
training set holds too; longer ones must not be copies."""
STUDIES = {
    "mri",
    "tudca-als",
    "biobank",
    "hersendonatie",
    "project-mine",
    "tricals",
    "pan",
}


def _messages() -> list[dict[str, str]]:
    messages = []
    for path in REALISTIC:
        messages += yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    return messages


def _scenarios(path: Path = SCENARIOS) -> list[dict[str, object]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"])


def _known_expectation(label: str) -> bool:
    kind, _, rest = label.partition(":")
    if kind == "study":
        return rest in STUDIES
    if kind == "not_in_sources":
        return _known_expectation(rest)
    return label in TOPIC_TITLES or label in DIALOGUE or label == "new_diagnosis"


def test_the_realistic_set_is_large_varied_and_labelled() -> None:
    messages = _messages()
    kinds = Counter(message["kind"] for message in messages)
    assert len(messages) >= 600
    assert len({normalise(m["text"]) for m in messages}) == len(messages)
    assert all(count >= 40 for count in kinds.values()), kinds
    unknown = {m["topic"] for m in messages} - set(TOPIC_TITLES) - DIALOGUE
    assert not unknown


@pytest.mark.parametrize("path", [SCENARIOS, DEV_SCENARIOS], ids=["held-out", "dev"])
def test_the_scenarios_are_many_and_labelled(path: Path) -> None:
    scenarios = _scenarios(path)
    turns = [turn for scenario in scenarios for turn in scenario["turns"]]  # type: ignore[attr-defined]
    assert len(scenarios) >= 40 and len(turns) >= 120
    unknown = [t["expect"] for t in turns if not _known_expectation(str(t["expect"]))]
    assert not unknown


def test_the_realistic_sets_are_not_in_the_training_data() -> None:
    texts = [m["text"] for m in _messages()]
    texts += [
        str(turn["user"])
        for path in (SCENARIOS, DEV_SCENARIOS)
        for scenario in _scenarios(path)
        for turn in scenario["turns"]  # type: ignore[attr-defined]
    ]
    longer = [t for t in texts if len(normalise(t).split()) > SHORT_QUESTION_WORDS]
    assert not near_copies(longer, training_texts())
