"""The safety classifier: emergency, crisis or none, learnt from examples.

It backs up the phrase rules for messages no rule foresaw. It learns from
``content/safety/examples.yml`` and from the assistant's own NLU examples
(``emergency`` and ``despair`` count as emergency and crisis, every other
intent as none). The model stores the examples, not a fitted estimator: the
classifier is fitted again when a model loads (about a second), so loading
never unpickles anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.nlp.linear import FastProbabilities
from bot.nlp.text import fold

LABELS = ("emergency", "crisis", "none")
NLU_INTENT_LABELS = {"emergency": "emergency", "despair": "crisis"}
_WORD = re.compile(r"[\w']+|[!?]")


@dataclass(frozen=True)
class Example:
    """One training message and its label."""

    text: str
    label: str


def read_examples(text: str) -> list[Example]:
    """Read ``examples.yml``: a list of messages under each label."""
    data = yaml.safe_load(text) or {}
    unknown = set(data) - set(LABELS)
    if unknown:
        raise ValueError(f"unknown labels in safety examples: {sorted(unknown)}")
    return [Example(str(t), label) for label in LABELS for t in data.get(label) or []]


def nlu_examples(pairs: Iterable[tuple[str, str | None]]) -> list[Example]:
    """Turn (text, intent) pairs of the NLU data into safety examples."""
    return [
        Example(text, NLU_INTENT_LABELS.get(intent or "", "none"))
        for text, intent in pairs
        if text and intent
    ]


def normalise(text: str, normalise_word: Callable[[str], str]) -> str:
    """Folded words with Flemish and misspelled forms mapped."""
    return " ".join(normalise_word(word) for word in _WORD.findall(fold(text)))


class SafetyClassifier:
    """TF-IDF on word and character n-grams, then logistic regression."""

    def __init__(self, normalise_word: Callable[[str], str]) -> None:
        """Build the untrained classifier; ``normalise_word`` maps each word."""
        self._normalise_word = normalise_word
        self._pipeline = Pipeline(
            [
                (
                    "features",
                    FeatureUnion(
                        [
                            (
                                "words",
                                TfidfVectorizer(
                                    ngram_range=(1, 2),
                                    sublinear_tf=True,
                                    token_pattern=r"[\w'!?]+",
                                ),
                            ),
                            (
                                "chars",
                                TfidfVectorizer(
                                    analyzer="char_wb",
                                    ngram_range=(2, 5),
                                    sublinear_tf=True,
                                ),
                            ),
                        ]
                    ),
                ),
                (
                    "logreg",
                    LogisticRegression(
                        C=5.0, class_weight="balanced", max_iter=3000, random_state=0
                    ),
                ),
            ]
        )
        self._fast: FastProbabilities | None = None

    def fit(self, examples: Sequence[Example]) -> SafetyClassifier:
        """Learn from the examples; return self."""
        labels = {example.label for example in examples}
        if labels != set(LABELS):
            raise ValueError(f"safety examples need every label, got {sorted(labels)}")
        texts = [normalise(example.text, self._normalise_word) for example in examples]
        self._pipeline.fit(texts, [example.label for example in examples])
        self._fast = FastProbabilities(self._pipeline)
        return self

    def probabilities(self, text: str) -> dict[str, float]:
        """Probability of each label for one message."""
        if self._fast is None:
            raise RuntimeError("the safety classifier is not fitted")
        values = self._fast([normalise(text, self._normalise_word)])[0]
        classes = self._pipeline.classes_
        return {
            str(label): float(value)
            for label, value in zip(classes, values, strict=True)
        }
