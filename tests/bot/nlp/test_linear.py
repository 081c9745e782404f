"""Fast confidences equal scikit-learn's (bot/nlp/linear.py)."""

from __future__ import annotations

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union

from bot.nlp.linear import FastProbabilities

TEXTS = ["wat is als", "is als erfelijk", "wat doet riluzol", "help ik stik", "hallo"]
LABELS = ["wat", "erfelijk", "riluzol", "nood", "groet"]


def _pipeline(labels: list[str]):  # type: ignore[no-untyped-def]
    return make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)),
        ),
        LogisticRegression(C=10, max_iter=1000),
    ).fit(TEXTS, labels)


def test_the_same_probabilities_as_predict_proba() -> None:
    pipeline = _pipeline(LABELS)
    messages = ["is als erfelijk of niet", "ik stik", "onbekend woord"]
    fast = FastProbabilities(pipeline)(messages)
    assert abs(fast - pipeline.predict_proba(messages)).max() < 1e-9


def test_two_classes_are_refused() -> None:
    with pytest.raises(ValueError):
        FastProbabilities(_pipeline(["a", "b", "a", "b", "a"]))
