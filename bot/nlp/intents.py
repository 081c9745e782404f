"""Which topic a message asks about: the intent model behind the NLU component.

A message is repaired first (``bot.nlp.normalise``: fillers, spelled-out
letters, broken and misspelled words), then read as lemmas by the project's
Dutch spaCy pipeline, then weighed as word and character n-grams (TF-IDF) by a
logistic regression.

Patients often tell a story before they ask ("Mijn man is 64 en kreeg vorige
maand de diagnose. Hij slikt nu riluzol. Wat doet dat middel eigenlijk?"). The
story's words pull the whole message towards other topics, so a message of
several sentences is also read sentence by sentence: the confidences of the
whole message and of its question (the last sentence with a question mark, else
the last sentence) are averaged. The question alone never counts for the
intents that refer to an earlier reply ("klopt dat?" is not a "ja"): those are
short messages of their own. ``bench.accuracy`` measures each step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_union

from bot.nlp.linear import FastProbabilities
from bot.nlp.normalise import MessageNormaliser

Lemmatise = Callable[[str], list[str]]
"""Text to lemmas, e.g. the project's spaCy pipeline (see ``spacy_lemmas``)."""

CONTEXT_INTENTS = frozenset({"affirm", "deny", "choose_option"})
"""Intents that refer to the previous reply, besides the ``followup_*`` ones."""
CONTEXT_KEEP_CONFIDENCE = 0.6
"""A follow-up this sure of a topic of its own is not read with the one before."""
CONTEXT_CANDIDATES = 3
"""The previous question only reorders the message's own likeliest intents."""
_SENTENCE_BREAK = re.compile(r"(?<=[.?!…])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The sentences of a message, split at end marks and line breaks."""
    return [part.strip() for part in _SENTENCE_BREAK.split(text) if part.strip()]


def question_of(text: str) -> str | None:
    """The sentence that asks, when the message has more than one sentence."""
    parts = sentences(text)
    if len(parts) < 2:
        return None
    asking = [part for part in parts if part.endswith("?")]
    return (asking or parts)[-1]


def build_pipeline(c: float) -> Pipeline:
    """Word (1-2) and character (2-5) TF-IDF n-grams, then logistic regression."""
    return Pipeline(
        [
            (
                "ngrams",
                make_union(
                    TfidfVectorizer(
                        analyzer="word",
                        ngram_range=(1, 2),
                        sublinear_tf=True,
                        token_pattern=r"(?u)\b\w+\b",
                    ),
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True
                    ),
                ),
            ),
            (
                "logreg",
                LogisticRegression(
                    C=c, class_weight="balanced", max_iter=3000, random_state=0
                ),
            ),
        ]
    )


@dataclass
class IntentModel:
    """A fitted pipeline with the normaliser and lemmatiser it was fitted with.

    Predictions go through ``bot.nlp.linear.FastProbabilities``: the same
    confidences as ``predict_proba``, without scikit-learn's per-call overhead.
    """

    pipeline: Pipeline
    normaliser: MessageNormaliser
    lemmatise: Lemmatise
    by_sentence: bool = True

    @classmethod
    def fit(
        cls,
        examples: Sequence[tuple[str, str]],
        normaliser: MessageNormaliser,
        lemmatise: Lemmatise,
        c: float = 10.0,
        by_sentence: bool = True,
    ) -> IntentModel:
        """Fit on (text, intent) pairs."""
        model = cls(build_pipeline(c), normaliser, lemmatise, by_sentence)
        texts = [model.features(text) for text, _ in examples]
        model.pipeline.fit(texts, [intent for _, intent in examples])
        return model

    @cached_property
    def intents(self) -> list[str]:
        """The intents the model knows, in the order of its confidences."""
        return [str(name) for name in self.pipeline.classes_]

    def features(self, text: str) -> str:
        """What the n-grams are taken from: the repaired message's lemmas."""
        return " ".join(self.lemmatise(self.normaliser(text)))

    def probabilities(self, features: list[str]) -> np.ndarray:
        """``predict_proba`` of the pipeline, computed the fast way."""
        return self._fast(features)

    @cached_property
    def _fast(self) -> FastProbabilities:
        return FastProbabilities(self.pipeline)

    def confidences(self, text: str) -> np.ndarray:
        """One confidence per intent (``intents``) for one message."""
        question = question_of(text) if self.by_sentence else None
        texts = [text] if question is None else [text, question]
        probabilities = self.probabilities([self.features(t) for t in texts])
        if question is not None:
            asked = probabilities[1]
            asked[self._context_columns] = 0.0
            if asked.sum() > 0:
                probabilities[1] = asked / asked.sum()
        return np.asarray(probabilities.mean(axis=0))

    @cached_property
    def _context_columns(self) -> list[int]:
        return [
            index
            for index, name in enumerate(self.intents)
            if name.startswith("followup_") or name in CONTEXT_INTENTS
        ]

    def in_context(self, text: str, previous: str) -> np.ndarray:
        """Confidences of a short follow-up read with the previous question.

        The message alone decides when it is a follow-up ("doet dat pijn?")
        or clearly names a topic of its own. Otherwise the reading of the
        previous question and the message together reorders the message's own
        likeliest intents: "en fysio, helpt dat?" after the answer about
        treatment is about treatment, while "die over autopsie" under the list
        of studies stays with brain donation.
        """
        alone = self.confidences(text)
        best = int(np.argmax(alone))
        if best in self._context_columns or alone[best] >= CONTEXT_KEEP_CONFIDENCE:
            return alone
        together = self.probabilities([self.features(f"{previous} {text}")])[0]
        candidates = np.zeros_like(together)
        top = np.argsort(-alone)[:CONTEXT_CANDIDATES]
        candidates[top] = together[top]
        candidates[self._context_columns] = 0.0
        if candidates.sum() <= 0:
            return alone
        return np.asarray(
            (alone + candidates / candidates.sum() * alone[top].sum()) / 2
        )

    def ranking(
        self, text: str, previous: str | None = None
    ) -> list[tuple[str, float]]:
        """Intents with their confidence, best first (``previous``: the question
        before, for a short follow-up)."""
        confidences = (
            self.confidences(text)
            if previous is None
            else self.in_context(text, previous)
        )
        order = np.argsort(-confidences)
        names = self.intents
        return [(names[i], float(confidences[i])) for i in order]


def spacy_lemmas(nlp: object) -> Lemmatise:
    """A lemmatiser from a spaCy pipeline: lemmas of the words, no punctuation."""

    def lemmatise(text: str) -> list[str]:
        doc = nlp(text)  # type: ignore[operator]
        return [t.lemma_ for t in doc if not (t.is_punct or t.is_space)]

    return lemmatise
