"""Clean up dictated, misspelled and spelled-out messages before they are read.

Patients with weak hands dictate; speech recognition writes what it hears. A
typed message has typos. Each step below repairs one kind of noise and can be
switched off, so ``bench.accuracy`` measures each on its own:

* ``fillers``: drop spoken fillers ("euh", "ehm", "zeg maar", "ja nee");
* ``spelled``: join letters spelled out one by one into the abbreviation they
  spell, when it is one the assistant knows ("ee em gee" is "emg", "pe es em a"
  is "psma");
* ``split``: join a word that dictation broke in two ("rilu zool") when the two
  halves together are (close to) a word of the assistant's vocabulary;
* ``spelling``: a word that is rare in Dutch (``wordfreq``) and not in the
  vocabulary is read as the vocabulary word one or two edits away
  ("erfelik" is "erfelijk", "neuroloch" is "neuroloog").

The vocabulary is every word of the training data, so medical terms that the
assistant knows are never changed, and an unknown word is only ever changed
into a word the training data uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.nlp.text import fold

FILLER_WORDS = frozenset(
    {"euh", "eh", "ehm", "uhm", "uh", "hm", "hmm", "ehh", "euhm", "eum", "ehhm", "uhh"}
)
FILLER_PHRASES = ("ja nee", "zeg maar", "weet je wel", "weet je", "of zo")
LETTER_NAMES = {
    "a": "a", "aa": "a", "b": "b", "bee": "b", "be": "b", "c": "c", "cee": "c",
    "ce": "c", "see": "c", "d": "d", "dee": "d", "de": "d", "e": "e", "ee": "e",
    "f": "f", "ef": "f", "g": "g", "gee": "g", "ge": "g", "h": "h", "ha": "h",
    "i": "i", "ie": "i", "j": "j", "jee": "j", "k": "k", "ka": "k", "l": "l",
    "el": "l", "m": "m", "em": "m", "n": "n", "en": "n", "o": "o", "oo": "o",
    "p": "p", "pee": "p", "pe": "p", "q": "q", "kuu": "q", "r": "r", "er": "r",
    "s": "s", "es": "s", "t": "t", "tee": "t", "te": "t", "u": "u", "uu": "u",
    "v": "v", "vee": "v", "ve": "v", "w": "w", "wee": "w", "x": "x", "iks": "x",
    "y": "y", "z": "z", "zet": "z",
}  # fmt: skip
"""Dutch names of the letters as speech recognition writes them."""
MIN_REPAIR_LENGTH = 4
"""Shorter unknown words are too ambiguous to read as a misspelling."""
RARE_ZIPF = 2.0
"""Words rarer than this in Dutch (about once in ten million words) may be typos."""
STEPS = ("fillers", "spelled", "split", "spelling")
_WORD = re.compile(r"\w+(?:['’]\w+)?|[^\w\s]", re.UNICODE)


@dataclass
class MessageNormaliser:
    """Repairs messages against one vocabulary (the training data's words)."""

    vocabulary: frozenset[str]
    abbreviations: frozenset[str]
    steps: tuple[str, ...] = STEPS

    def __post_init__(self) -> None:
        """Prepare the repair targets and the cache of repaired words."""
        self._targets = sorted(w for w in self.vocabulary if len(w) >= 3)
        self._cache: dict[str, str] = {}

    @classmethod
    def from_texts(
        cls, texts: Iterable[str], steps: tuple[str, ...] = STEPS
    ) -> MessageNormaliser:
        """Build the vocabulary from training texts; abbreviations are its short
        words that are not ordinary Dutch (``wordfreq``)."""
        from wordfreq import zipf_frequency

        words = {fold(word) for text in texts for word in _WORD.findall(text)}
        words = {word for word in words if word.isalnum()}
        abbreviations = {
            word
            for word in words
            if 2 <= len(word) <= 5 and zipf_frequency(word, "nl") < 3.5
        } | {"als"}
        return cls(frozenset(words), frozenset(abbreviations), steps)

    def __call__(self, text: str) -> str:
        """The repaired message, one space between words; words keep their case
        unless they are changed ("ALS" in capitals tells the disease apart)."""
        words = _WORD.findall(text)
        if "fillers" in self.steps:
            words = _drop_fillers(words)
        if "spelled" in self.steps:
            words = self._join_spelled(words)
        if "split" in self.steps:
            words = self._join_split(words)
        if "spelling" in self.steps:
            words = [self.repair(word) for word in words]
        return " ".join(words)

    def repair(self, word: str) -> str:
        """A rare word that is not in the vocabulary, as the nearest vocabulary word."""
        folded = fold(word)
        if folded in self.vocabulary or len(word) < MIN_REPAIR_LENGTH:
            return word
        if not word.isalpha():
            return word
        if folded not in self._cache:
            self._cache[folded] = self._nearest(folded) or word
        return self._cache[folded]

    def _nearest(self, word: str) -> str | None:
        return nearest_known_word(word, self._targets)

    def _join_spelled(self, words: list[str]) -> list[str]:
        joined: list[str] = []
        index = 0
        while index < len(words):
            found = None
            for end in range(min(len(words), index + 6), index + 1, -1):
                run = [fold(word) for word in words[index:end]]
                if all(word in LETTER_NAMES for word in run):
                    spelled = "".join(LETTER_NAMES[word] for word in run)
                    if spelled in self.abbreviations:
                        found = (spelled, end)
                        break
            if found:
                joined.append(found[0])
                index = found[1]
            else:
                joined.append(words[index])
                index += 1
        return joined

    def _join_split(self, words: list[str]) -> list[str]:
        joined: list[str] = []
        index = 0
        while index < len(words):
            if index + 1 < len(words):
                first, second = fold(words[index]), fold(words[index + 1])
                if (
                    first.isalpha()
                    and second.isalpha()
                    and first not in self.vocabulary
                    and len(first + second) >= 6
                    and _is_rare(first)
                ):
                    whole = first + second
                    if whole in self.vocabulary or self._nearest(whole):
                        joined.append(whole)
                        index += 2
                        continue
            joined.append(words[index])
            index += 1
        return joined


def nearest_known_word(word: str, targets: list[str]) -> str | None:
    """For a word rarer than ``RARE_ZIPF`` in Dutch (``wordfreq``): the target
    one edit away (two for words of 8 letters or more), else ``None``. Real
    Dutch words are never changed. The safety rules repair words the same way."""
    if not _is_rare(word):
        return None
    limit = 2 if len(word) >= 8 else 1
    best = process.extractOne(word, targets, scorer=OSA.distance, score_cutoff=limit)
    return str(best[0]) if best else None


def _is_rare(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "nl") < RARE_ZIPF


def _drop_fillers(words: list[str]) -> list[str]:
    text = " " + " ".join(words) + " "
    for phrase in FILLER_PHRASES:
        text = re.sub(f" {phrase} ", " ", text, flags=re.IGNORECASE)
    return [word for word in text.split() if fold(word) not in FILLER_WORDS]
