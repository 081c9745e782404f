"""The evaluation sets are never trained on: no copies, no near copies."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from bench.safety import load_safety_set
from tests.support.nlu import nlu_pairs, normalise, safety_examples

NEAR_COPY_SCORE = 90


def _training_texts() -> list[str]:
    texts = [text for text, _ in nlu_pairs()]
    texts += [example.text for example in safety_examples()]
    return [normalise(text) for text in texts]


def _near_copies(messages: list[str], training: list[str]) -> list[str]:
    found = []
    for message in messages:
        match = process.extractOne(
            normalise(message),
            training,
            scorer=fuzz.ratio,
            score_cutoff=NEAR_COPY_SCORE,
        )
        if match:
            found.append(f"{message!r} ~ {match[0]!r}")
    return found


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
    assert not _near_copies(messages, _training_texts())
