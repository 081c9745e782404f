"""Phrase rules of the safety layer, matched with spaCy's ``Matcher``.

The rules live in ``content/safety/phrases.yml`` (its header explains the
syntax). Each word of a message is matched on its written form and on its
lemma from the project's Dutch pipeline, both folded and with the Flemish and
misspelled forms of ``variants`` mapped first.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from bot.nlp.normalise import nearest_known_word
from bot.nlp.text import fold

GROUPS = (
    "emergency",
    "emergency_weak",
    "crisis",
    "crisis_weak",
    "event_markers",
    "question_frames",
    "symptom_frames",
    "all_clear",
)
MAX_GAP = 4
"""Words a ``...`` (or ``gap: true``) lets stand between two slots."""
CLAUSE_END_WORDS = frozenset(
    {
        "en", "maar", "want", "dus", "hoor", "echt", "meer", "zo", "gewoon",
        "nou", "he", "toch", "allemaal", "alles", "ik", "hij", "zij", "ze",
        "het", "dit", "dat", "nu", "nog", "wat", "help", "alsjeblieft", "aub",
        "mam", "pap", "oke", "ok", "jongens", "lieverd", "sorry",
    }
)  # fmt: skip
FORMS_ATTRIBUTE = "safety_forms"
SENTENCE_ENDS = frozenset({".", "!", "?", ";", "...", "…"})
MIN_FUZZY_LENGTH = 4
"""Shorter unknown words are too ambiguous to read as a misspelling."""


@dataclass(frozen=True)
class PhraseRule:
    """One rule of ``phrases.yml``."""

    group: str
    phrase: str
    free: bool = False
    gap: bool = False
    end: bool = False
    unless: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How nurses and logs see the rule: its group and phrase."""
        return f"{self.group}: {self.phrase}"


@dataclass(frozen=True)
class PhraseBook:
    """All rules and the variant forms, as read from ``phrases.yml``."""

    variants: Mapping[str, str]
    rules: tuple[PhraseRule, ...]

    def keywords(self) -> frozenset[str]:
        """Every whole word the rules name (the targets of misspelling repair)."""
        words = set(self.variants.values())
        for rule in self.rules:
            for phrase in (rule.phrase, *rule.unless):
                for slot in phrase.split():
                    for word in slot.rstrip("?").split("|"):
                        if "*" not in word and word != "...":
                            words.add(fold(word))
        return frozenset(word for word in words if len(word) >= MIN_FUZZY_LENGTH)


class WordNormaliser:
    """Maps a folded word to the form the rules know.

    Flemish and misspelled forms listed under ``variants`` are mapped first. A
    word that is rare in Dutch and lies one edit from a rule's word (two for
    long words) is read as that word (``bot.nlp.normalise.nearest_known_word``):
    "lcuht" is "lucht", "zelfmort" is "zelfmoord". Real words are never changed.
    """

    def __init__(self, book: PhraseBook) -> None:
        """Keep the variants and the rules' words."""
        self._variants = dict(book.variants)
        self._keywords = sorted(book.keywords())
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        """The normal form of one folded word."""
        if word in self._variants:
            return self._variants[word]
        if word not in self._cache:
            self._cache[word] = self._repair(word)
        return self._cache[word]

    def _repair(self, word: str) -> str:
        if len(word) < MIN_FUZZY_LENGTH or not word.isalpha():
            return word
        return nearest_known_word(word, self._keywords) or word


@dataclass
class PhraseHits:
    """The rules that matched one message, by group, with the words matched."""

    by_group: dict[str, list[tuple[PhraseRule, str]]] = field(default_factory=dict)
    cancelled: set[str] = field(default_factory=set)
    """Groups with a rule that matched but was cancelled by its ``unless``."""

    def get(self, group: str) -> list[tuple[PhraseRule, str]]:
        """The hits of one group (empty when none)."""
        return self.by_group.get(group, [])


def parse_phrase_book(text: str) -> PhraseBook:
    """Read the YAML text of ``phrases.yml``."""
    data = yaml.safe_load(text) or {}
    variants = {
        fold(str(k)): fold(str(v)) for k, v in (data.get("variants") or {}).items()
    }
    rules: list[PhraseRule] = []
    for group in GROUPS:
        for entry in data.get(group) or []:
            rules.append(_rule(group, entry))
    unknown = set(data) - {*GROUPS, "variants"}
    if unknown:
        raise ValueError(f"unknown groups in phrases: {sorted(unknown)}")
    return PhraseBook(variants=variants, rules=tuple(rules))


def _rule(group: str, entry: Any) -> PhraseRule:
    if isinstance(entry, str):
        return PhraseRule(group=group, phrase=entry)
    return PhraseRule(
        group=group,
        phrase=str(entry["phrase"]),
        free=bool(entry.get("free", False)),
        gap=bool(entry.get("gap", False)),
        end=bool(entry.get("end", False)),
        unless=tuple(str(u) for u in entry.get("unless") or ()),
        examples=tuple(str(e) for e in entry.get("examples") or ()),
    )


def _slot_pattern(slot: str) -> dict[str, Any]:
    optional = slot.endswith("?") and len(slot) > 1
    words = slot[:-1] if optional else slot
    alternatives = []
    for word in words.split("|"):
        folded = fold(word)
        alternatives.append(re.escape(folded).replace(r"\*", r"[\w'-]*"))
    regex = rf"(?:^| )(?:{'|'.join(alternatives)})(?= |$)"
    pattern: dict[str, Any] = {"_": {FORMS_ATTRIBUTE: {"REGEX": regex}}}
    if optional:
        pattern["OP"] = "?"
    return pattern


def _gap() -> dict[str, Any]:
    """Up to ``MAX_GAP`` words, never across the end of a sentence."""
    return {"TEXT": {"NOT_IN": sorted(SENTENCE_ENDS)}, "OP": f"{{0,{MAX_GAP}}}"}


def token_patterns(
    phrase: str, free: bool = False, gap: bool = False
) -> list[list[dict[str, Any]]]:
    """The Matcher patterns of one phrase (several when its order is free)."""
    parts = phrase.split()
    if free:
        slots = [part for part in parts if part != "..."]
        orders: Iterable[Sequence[str]] = itertools.permutations(slots)
        gap = True
    else:
        orders = [parts]
    patterns = []
    for order in orders:
        pattern: list[dict[str, Any]] = []
        for index, part in enumerate(order):
            if part == "...":
                pattern.append(_gap())
                continue
            if gap and index > 0 and order[index - 1] != "...":
                pattern.append(_gap())
            pattern.append(_slot_pattern(part))
        patterns.append(pattern)
    return patterns


class _SlotIndex:
    """Which slots a set of word forms can fill, found with dictionary look-ups.

    A phrase can only match when every one of its required slots is filled by
    some word of the message. Checking that first, with this index, lets the
    matcher run only the few phrases that can match (a turn stays cheap).
    """

    def __init__(self) -> None:
        self._whole: dict[str, set[int]] = {}
        self._prefix: dict[str, set[int]] = {}
        self._always: set[int] = set()
        self._ids: dict[str, int] = {}

    def slot_id(self, slot: str) -> int:
        """Register a slot (its text without ``?``); return its number."""
        if slot in self._ids:
            return self._ids[slot]
        number = len(self._ids)
        self._ids[slot] = number
        for word in slot.split("|"):
            folded = fold(word)
            if "*" not in folded:
                self._whole.setdefault(folded, set()).add(number)
            elif folded.endswith("*") and "*" not in folded[:-1]:
                self._prefix.setdefault(folded[:-1], set()).add(number)
            else:
                self._always.add(number)
        return number

    def filled(self, forms: Iterable[str]) -> set[int]:
        """The slots that one of these word forms fills."""
        found = set(self._always)
        for form in forms:
            found |= self._whole.get(form, set())
            for end in range(len(form) + 1):
                found |= self._prefix.get(form[:end], set())
        return found


@dataclass(frozen=True)
class _Phrase:
    """One compiled phrase: its Matcher and the slots it cannot do without."""

    key: str
    matcher: Matcher
    required: frozenset[int]


class PhraseMatcher:
    """Finds the rules of a phrase book in a spaCy ``Doc``."""

    def __init__(self, book: PhraseBook, vocab: Vocab | None = None) -> None:
        """Compile every rule and every ``unless`` phrase.

        Matching compares hashes of strings, so the vocabulary need not be the
        one of the documents; by default the matcher has its own.
        """
        self.book = book
        _register_forms(WordNormaliser(book))
        self._vocab = vocab or Vocab()
        self._index = _SlotIndex()
        self._phrases: list[_Phrase] = []
        self._rules: dict[str, PhraseRule] = {}
        for index, rule in enumerate(book.rules):
            key = f"rule:{index}"
            self._rules[key] = rule
            self._add(key, rule.phrase, rule.free, rule.gap)
            for number, phrase in enumerate(rule.unless):
                self._add(f"unless:{index}:{number}", phrase, False, False)

    def _add(self, key: str, phrase: str, free: bool, gap: bool) -> None:
        matcher = Matcher(self._vocab, validate=True)
        matcher.add(key, token_patterns(phrase, free, gap))
        required = frozenset(
            self._index.slot_id(slot)
            for slot in phrase.split()
            if slot != "..." and not (slot.endswith("?") and len(slot) > 1)
        )
        self._phrases.append(_Phrase(key, matcher, required))

    def find(self, doc: Doc) -> PhraseHits:
        """Return the rules that match ``doc`` and are not cancelled."""
        forms: set[str] = set()
        for token in doc:
            value = token_forms(token)
            token._.set(FORMS_ATTRIBUTE, value)
            forms.update(value.split())
        filled = self._index.filled(forms)
        sentences = _sentence_numbers(doc)
        found: dict[str, list[tuple[int, int]]] = {}
        for phrase in self._phrases:
            if phrase.required <= filled:
                for _, start, end in phrase.matcher(doc):
                    found.setdefault(phrase.key, []).append((start, end))
        hits = PhraseHits()
        for key, spans in found.items():
            if not key.startswith("rule:"):
                continue
            rule = self._rules[key]
            index = key.split(":")[1]
            cancelling = {
                sentences[start]
                for name, unless_spans in found.items()
                if name.startswith(f"unless:{index}:")
                for start, _ in unless_spans
            }
            kept = [
                span
                for span in spans
                if (not rule.end or _ends_clause(doc, span[1]))
                and sentences[span[0]] not in cancelling
            ]
            if not kept:
                if cancelling:
                    hits.cancelled.add(rule.group)
                continue
            start, end = min(kept, key=lambda span: span[1] - span[0])
            hits.by_group.setdefault(rule.group, []).append((rule, doc[start:end].text))
        return hits


def _sentence_numbers(doc: Doc) -> list[int]:
    """The number of the sentence each token is in (split on . ! ? ;)."""
    numbers, current = [], 0
    for token in doc:
        numbers.append(current)
        if token.text in SENTENCE_ENDS or token.text.startswith(("...", "!!", "??")):
            current += 1
    return numbers


def _ends_clause(doc: Doc, end: int) -> bool:
    if end >= len(doc):
        return True
    following = doc[end]
    return following.is_punct or fold(following.text) in CLAUSE_END_WORDS


_NORMALISER: list[WordNormaliser] = []


def _register_forms(normaliser: WordNormaliser) -> None:
    """Install the ``safety_forms`` token attribute with this normaliser."""
    _NORMALISER[:] = [normaliser]
    if not Token.has_extension(FORMS_ATTRIBUTE):
        Token.set_extension(FORMS_ATTRIBUTE, default="")


def token_forms(token: Token) -> str:
    """The folded written form and lemma of a token, normalised."""
    normalise = _NORMALISER[0]
    written = fold(token.text)
    lemma = fold(token.lemma_ or token.text)
    forms = {normalise(written), normalise(lemma), written}
    return " ".join(sorted(forms))
