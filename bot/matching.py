"""Find the study or the contacts a user means, from free Dutch text.

Matching happens in Python on rows already loaded from the database, so user
text never reaches a query. Both finders first look for an exact name, alias
or keyword in the normalised text, then tolerate small typos word by word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from bot.db.models import Contact, Study
from bot.nlp.text import fold

MAX_INPUT_CHARS = 500
"""Only this many characters of a message are matched."""

_NON_WORD = re.compile(r"[^a-z0-9]+")
_TAKE_PART = re.compile(
    r"\b(?:mee ?doen|deel ?nemen|deelname|aanmelden|inschrijven|opgeven"
    r"|mee (?:kan|kunnen|mag|mogen) doen|doe ik mee|wat moet ik doen)\b"
)

MIN_COMPOUND_SUFFIX = 5
"""A keyword this long also matches at the end of a compound word."""


def normalise(text: str) -> str:
    """Lowercase, strip diacritics and punctuation, collapse whitespace.

    Args:
        text: Free text; only the first ``MAX_INPUT_CHARS`` characters are used.

    Returns:
        Words separated by single spaces, e.g. ``"mri onderzoek"`` for
        ``"MRI-onderzoek!"``.
    """
    folded = fold(text[:MAX_INPUT_CHARS])
    return _NON_WORD.sub(" ", folded).strip()


def allowed_typos(word: str) -> int:
    """Number of typing errors tolerated in a word: none in short words.

    Args:
        word: A normalised word or compound.

    Returns:
        0 for up to 3 characters, 1 up to 8 characters, 2 for longer words.
    """
    if len(word) <= 3:
        return 0
    if len(word) <= 8:
        return 1
    return 2


def _similarity(wanted: str, given: str) -> float:
    """Similarity 0-100 when ``given`` is ``wanted`` with few typos, else 0."""
    if wanted == given:
        return 100.0
    limit = allowed_typos(wanted)
    if not limit:
        return 0.0
    distance = Levenshtein.distance(wanted, given, score_cutoff=limit)
    if distance > limit:
        return 0.0
    return 100.0 * (1 - distance / max(len(wanted), len(given)))


def _tokens_match(phrase: Sequence[str], window: Sequence[str]) -> float:
    """Average similarity of two equally long word lists, or 0 if a word differs."""
    total = 0.0
    for wanted, given in zip(phrase, window, strict=True):
        score = _similarity(wanted, given)
        if not score:
            return 0.0
        total += score
    return total / len(phrase)


@dataclass(frozen=True)
class PhraseMatch:
    """How well a phrase occurs in a text.

    Attributes:
        exact: The phrase occurs word for word.
        score: Similarity from 0 to 100.
        length: Length of the phrase in characters, to prefer longer names.
        start: Index of the user's word where the match begins.
    """

    exact: bool
    score: float
    length: int
    start: int

    @property
    def rank(self) -> tuple[bool, int, float]:
        """Sort key: exact before fuzzy, then longer, then more similar."""
        return (self.exact, self.length, self.score)


def match_phrase(phrase: str, words: Sequence[str]) -> PhraseMatch | None:
    """Find a normalised ``phrase`` in a list of normalised ``words``.

    Args:
        phrase: Normalised name, alias or keyword.
        words: The user's normalised words.

    Returns:
        The best match, or ``None`` when the phrase does not occur.
    """
    wanted = phrase.split()
    if not wanted or not words:
        return None
    size = len(wanted)
    best: PhraseMatch | None = None
    for start in range(len(words) - size + 1):
        window = words[start : start + size]
        if list(window) == wanted:
            return PhraseMatch(True, 100.0, len(phrase), start)
        score = _tokens_match(wanted, window)
        if score and (best is None or score > best.score):
            best = PhraseMatch(False, score, len(phrase), start)
    joined = "".join(wanted)
    if len(joined) >= MIN_COMPOUND_SUFFIX:
        for width in {max(size - 1, 1), size + 1}:
            for start in range(len(words) - width + 1):
                candidate = "".join(words[start : start + width])
                score = _similarity(joined, candidate)
                if score and (best is None or score > best.score):
                    best = PhraseMatch(False, score, len(phrase), start)
    return best


def _study_names(study: Study) -> Iterable[str]:
    yield study.slug
    yield study.name
    yield from study.aliases or ()


def find_study(text: str, studies: Sequence[Study]) -> Study | None:
    """Return the study named in ``text`` by name, alias or a misspelling of one.

    Args:
        text: The user's message (or an entity value).
        studies: The known studies.

    Returns:
        The best matching study, or ``None`` when none is named.
    """
    words = normalise(text).split()
    best: tuple[tuple[bool, int, float], int] | None = None
    chosen: Study | None = None
    for index, study in enumerate(studies):
        for name in _study_names(study):
            match = match_phrase(normalise(name), words)
            if match is None:
                continue
            key = (match.rank, -index)
            if best is None or key > best:
                best, chosen = key, study
    return chosen


def _need_position(need: str, words: Sequence[str]) -> int | None:
    """Index of the user's word where ``need`` occurs, or ``None``."""
    match = match_phrase(need, words)
    if match is not None:
        return match.start
    if " " not in need and len(need) >= MIN_COMPOUND_SUFFIX:
        for index, word in enumerate(words):
            if word.endswith(need):
                return index
    return None


def find_contacts(
    text: str, contacts: Sequence[Contact], limit: int = 3
) -> list[Contact]:
    """Return the contacts whose ``needs`` keywords best fit ``text``.

    A contact scores one point per word of the user that matches one of its
    keywords (exactly, with a small typo, or at the end of a compound such as
    ``wijkverpleegkundige``). Only the contacts with the highest score are
    returned, in seed-file order.

    Args:
        text: The user's message.
        contacts: The known contacts.
        limit: At most this many contacts are returned.

    Returns:
        The best fitting contacts; empty when no keyword occurs.
    """
    words = normalise(text).split()
    if not words:
        return []
    scored: list[tuple[int, Contact]] = []
    for contact in contacts:
        needs = {normalise(need) for need in contact.needs or ()}
        positions = {_need_position(need, words) for need in needs if need}
        points = len(positions - {None})
        if points:
            scored.append((points, contact))
    if not scored:
        return []
    top = max(points for points, _ in scored)
    return [contact for points, contact in scored if points == top][:limit]


def asks_how_to_take_part(text: str) -> bool:
    """Whether the user asks if or how they can take part ("kan ik meedoen?")."""
    return bool(_TAKE_PART.search(normalise(text)))
