"""Does the answer just given hold the answer to a follow-up?

"helpt dat echt?" after the answer about riluzol: yes, the answer says what
riluzol does, so it is shown again. "moet ik dat de rest van mijn leven
slikken?": no, the sources do not say; the patient gets the honest reply. For
every answer, ``content/answered_questions.yml`` lists follow-ups its text
answers and close ones it does not. A follow-up takes the side of the examples
it is most like (character n-grams, TF-IDF, cosine): what a patient asks next
is mostly a few words, often misspelled, and rarely repeats the answer's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.nlp.text import fold
from bot.settings import PROJECT_ROOT

ANSWERED_QUESTIONS_FILE = PROJECT_ROOT / "content" / "answered_questions.yml"
NEAREST = 2
"""How many of the nearest examples on each side are averaged."""


@dataclass(frozen=True)
class TopicExamples:
    """Follow-ups one answer answers, and close ones it does not."""

    answered: tuple[str, ...]
    not_answered: tuple[str, ...]


@dataclass(frozen=True)
class AnswerScope:
    """Per topic (``faq_riluzol``, ``study:mri``): examples on both sides."""

    topics: Mapping[str, TopicExamples]

    @classmethod
    def from_file(cls, path: Path = ANSWERED_QUESTIONS_FILE) -> AnswerScope:
        """Read ``content/answered_questions.yml``."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(
            {
                str(key): TopicExamples(
                    tuple(str(q) for q in sides.get("answered") or []),
                    tuple(str(q) for q in sides.get("not_answered") or []),
                )
                for key, sides in (data.get("topics") or {}).items()
            }
        )

    @cached_property
    def _vectoriser(self) -> TfidfVectorizer:
        texts = [
            _text(q)
            for examples in self.topics.values()
            for q in (*examples.answered, *examples.not_answered)
        ]
        vectoriser = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True
        )
        vectoriser.fit(texts or ["-"])
        return vectoriser

    @cached_property
    def _matrices(self) -> dict[str, tuple[Any, Any]]:
        """Per topic: the vectors of its answered and not answered examples."""
        return {
            key: (
                self._vectoriser.transform([_text(q) for q in examples.answered]),
                self._vectoriser.transform([_text(q) for q in examples.not_answered]),
            )
            for key, examples in self.topics.items()
            if examples.answered and examples.not_answered
        }

    def holds(self, topic: str, question: str) -> bool | None:
        """Whether the topic's answer answers the question; ``None`` when the
        topic has no examples."""
        matrices = self._matrices.get(topic)
        if matrices is None:
            return None
        query = self._vectoriser.transform([_text(question)])
        answered, not_answered = matrices
        return _nearest(answered, query) >= _nearest(not_answered, query)


def _text(question: str) -> str:
    return " ".join(fold(question).split())


def _nearest(examples: Any, query: Any) -> float:
    """The mean cosine of the question with its nearest examples."""
    similarities = np.asarray((examples @ query.T).todense()).ravel()
    nearest = np.sort(similarities)[::-1][:NEAREST]
    return float(nearest.mean())
