"""Other illnesses: find the one a message is about, unless it is about ALS.

``content/conditions.yml`` lists other conditions the way Dutch and Flemish
people name them (lay words and misspellings included) and the words that keep
a message about ALS (ALS itself, its relatives PLS, PMA/PSMA and MND, its
medicines and studies). A message that names another illness and none of those
words is about that illness: the assistant says it only informs about ALS.

A study word ("mri onderzoek", "biobank", "hersendonatie") is no ALS word:
research on MS or cancer uses the same words. It keeps a message about ALS
only with a condition the study cards themselves name (``named_by_studies``:
brain donation excludes anyone who ever had COVID-19), so "mag ik na corona
mijn hersenen doneren" is about ALS and "is er een MRI onderzoek voor mensen
met MS" is about MS. A condition also counts as the first part of a compound
("parkinsononderzoek", "kankerpatiënten").
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
from wordfreq import zipf_frequency

from bot.nlp.lexicon import DISEASE_LEMMA
from bot.nlp.text import fold

COMPOUND_HEAD_MIN_LETTERS = 5
"""Shorter variants ("ms", "copd") are never read inside a longer word."""
COMPOUND_TAIL_MIN_LETTERS = 4
COMPOUND_TAIL_MIN_ZIPF = 3.0
"""The rest of a compound must be this common in Dutch (``wordfreq`` Zipf)."""
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
    named_by_studies: frozenset[str] = frozenset()
    als_phrases: tuple[str, ...] = ()

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
        named = frozenset(str(name) for name in data.get("named_by_studies") or [])
        phrases = tuple(str(phrase) for phrase in data.get("als_phrases") or [])
        return cls(conditions, als_words, named, phrases)

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
            return self._first_part_of_a_compound(doc)
        match_id, _, _ = min(matches, key=lambda match: (match[1], -match[2]))
        number = int(self._vocab.strings[match_id])
        return self._conditions.conditions[number].name

    @cached_property
    def _compound_heads(self) -> dict[str, str]:
        """One-word variants long enough to start a compound -> condition name."""
        return {
            fold(variant): condition.name
            for condition in self._conditions.conditions
            for variant in condition.variants
            if " " not in variant and len(variant) >= COMPOUND_HEAD_MIN_LETTERS
        }

    def _first_part_of_a_compound(self, doc: Doc) -> str | None:
        """A condition written as the first part of a longer word, when the
        rest is a Dutch word of its own ("parkinson" + "onderzoek")."""
        for token in doc:
            word = fold(token.text)
            for size in range(len(word) - COMPOUND_TAIL_MIN_LETTERS, 0, -1):
                name = self._compound_heads.get(word[:size])
                if name is not None and is_dutch_word(word[size:]):
                    return name
        return None

    def named_by_studies(self, name: str) -> bool:
        """Whether the study cards name this condition (content/conditions.yml)."""
        return name in self._conditions.named_by_studies

    @cached_property
    def _als_phrase_matcher(self) -> PhraseMatcher:
        """ALS and its relatives written out in several words."""
        matcher = PhraseMatcher(self._vocab, attr="LOWER")
        forms = {f for p in self._conditions.als_phrases for f in (p, fold(p))}
        matcher.add("als", [self._nlp.make_doc(form.lower()) for form in forms])
        return matcher

    def mentions_als(self, doc: Doc) -> bool:
        """Whether the message names ALS, a relative of it, or an ALS word."""
        if self._conditions.als_phrases and self._als_phrase_matcher(doc):
            return True
        for token in doc:
            if token.lemma_ == DISEASE_LEMMA:
                return True
            if fold(token.text) in self._conditions.als_words:
                return True
            if token.lemma_ in self._conditions.als_words:
                return True
        return False


def about_other_illness(
    finder: ConditionFinder, doc: Doc, studies: Iterable[str] = ()
) -> str | None:
    """The other illness a message is about: named, and no ALS word; a study
    word (``studies``) only with a condition the study cards name."""
    name = finder.other_illness(doc)
    if name is None or finder.mentions_als(doc):
        return None
    if any(studies) and finder.named_by_studies(name):
        return None
    return name


def is_dutch_word(word: str) -> bool:
    """Whether ``word`` is a common Dutch word (``wordfreq``)."""
    return zipf_frequency(word, "nl") >= COMPOUND_TAIL_MIN_ZIPF
