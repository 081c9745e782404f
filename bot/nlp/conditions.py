"""Other illnesses: find the one a message is about, unless it is about ALS.

``content/conditions.yml`` lists other conditions the way Dutch and Flemish
people name them (lay words and misspellings included) and the words that keep
a message about ALS (ALS itself, its relatives PLS, PMA/PSMA and MND, its
medicines and studies). A message that names another illness and none of those
words is about that illness: the assistant says it only informs about ALS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from bot.nlp.lexicon import DISEASE_LEMMA
from bot.nlp.text import fold

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "content" / "conditions.yml"


@dataclass(frozen=True)
class Condition:
    """One other illness: how the reply names it, and how people write it."""

    name: str
    variants: tuple[str, ...]


@dataclass(frozen=True)
class ConditionList:
    """The other illnesses and the words that keep a message about ALS."""

    conditions: tuple[Condition, ...]
    als_words: frozenset[str]

    @classmethod
    def from_file(cls, path: Path | str = DEFAULT_FILE) -> ConditionList:
        """Read ``content/conditions.yml``; a missing file gives an empty list."""
        file = Path(path)
        if not file.exists():
            return cls((), frozenset())
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        conditions = tuple(
            Condition(
                str(entry["name"]),
                tuple(str(v) for v in [entry["name"], *(entry.get("variants") or [])]),
            )
            for entry in data.get("conditions") or []
        )
        als_words = frozenset(fold(str(w)) for w in data.get("als_words") or [])
        return cls(conditions, als_words)

    def words(self) -> list[str]:
        """Every way of writing every condition (words to keep, never repair)."""
        return [variant for c in self.conditions for variant in c.variants]

    def finder(self, nlp: Language) -> ConditionFinder:
        """A finder that works on docs of the project's spaCy pipeline."""
        return ConditionFinder(self, nlp)


class ConditionFinder:
    """Finds other illnesses and ALS words in a spaCy doc."""

    def __init__(self, conditions: ConditionList, nlp: Language) -> None:
        """Keep the list and the pipeline whose tokenizer the patterns use."""
        self._conditions = conditions
        self._nlp = nlp
        self._vocab = nlp.vocab

    @cached_property
    def _matcher(self) -> PhraseMatcher:
        """One phrase matcher over lower-case words for every variant."""
        matcher = PhraseMatcher(self._vocab, attr="LOWER")
        for number, condition in enumerate(self._conditions.conditions):
            forms = {form for v in condition.variants for form in (v, fold(v))}
            matcher.add(str(number), [self._nlp.make_doc(f.lower()) for f in forms])
        return matcher

    def other_illness(self, doc: Doc) -> str | None:
        """The name of the other illness the message names first, if any."""
        matches = self._matcher(doc)
        if not matches:
            return None
        match_id, _, _ = min(matches, key=lambda match: (match[1], -match[2]))
        number = int(self._vocab.strings[match_id])
        return self._conditions.conditions[number].name

    def mentions_als(self, doc: Doc) -> bool:
        """Whether the message names ALS, a relative of it, or an ALS word."""
        for token in doc:
            if token.lemma_ == DISEASE_LEMMA:
                return True
            if fold(token.text) in self._conditions.als_words:
                return True
            if token.lemma_ in self._conditions.als_words:
                return True
        return False


def about_other_illness(
    finder: ConditionFinder, doc: Doc, entities: Iterable[str] = ()
) -> str | None:
    """The other illness a message is about: named, and no ALS word or study."""
    name = finder.other_illness(doc)
    if name is None or finder.mentions_als(doc) or any(entities):
        return None
    return name
