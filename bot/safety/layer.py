"""The safety decision for one message: emergency (112), crisis (113) or none.

Three signals, in this order:

1. Phrase rules (``content/safety/phrases.yml``) matched on lemmas. A crisis
   phrase decides at once. An emergency phrase decides unless the message is a
   question about the illness ("kun je stikken door ALS?") and says nothing of
   now ("help", "nu", "wat moet ik doen"), or says there is no danger ("er is
   nu niks aan de hand"). Fear and panic words never cancel an emergency.
2. The safety classifier (``bot.safety.classifier``): it confirms a weak
   phrase, and on its own decides when it is sure.
3. The assistant's intent ranking: ``emergency`` or ``despair`` among the top
   two, above a low threshold, counts when the classifier leans the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from bot.nlp.text import fold
from bot.safety.classifier import Example, SafetyClassifier, read_examples
from bot.safety.phrases import (
    PhraseBook,
    PhraseHits,
    PhraseMatcher,
    WordNormaliser,
    parse_phrase_book,
)

CONTENT = Path(__file__).resolve().parents[2] / "content" / "safety"
PHRASES_FILE = CONTENT / "phrases.yml"
EXAMPLES_FILE = CONTENT / "examples.yml"

CLASSIFIER_ALONE = {"emergency": 0.85, "crisis": 0.8}
"""The classifier decides on its own from this probability up."""
CLASSIFIER_CONFIRMS = 0.35
"""A weak emergency phrase, or the intent ranking, counts from this probability up."""
CRISIS_WEAK_CONFIRMS = 0.2
"""A weak crisis phrase counts from this crisis probability up."""
RANKING_MIN = 0.2
"""A safety intent among the top two counts from this confidence up."""
SAFETY_INTENTS = {"emergency": "emergency", "despair": "crisis"}
ALARM_ONLY_WORDS = frozenset(
    {
        "help", "hulp", "nood", "noodgeval", "spoed", "sos", "112", "snel",
        "dringend", "alsjeblieft", "alstublieft", "aub", "please", "me", "mij",
        "iemand", "nu", "rap", "asap", "hellup", "heelp", "hlp",
    }
)  # fmt: skip


class SafetyKind(str, Enum):
    """What the assistant must do first."""

    EMERGENCY = "emergency"
    CRISIS = "crisis"
    NONE = "none"


@dataclass(frozen=True)
class SafetyDecision:
    """The decision and what triggered it (shown to nurses, never to patients)."""

    kind: SafetyKind
    trigger: str
    question_about_illness: bool = False
    scores: Mapping[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The decision as JSON-ready data (Rasa's parse data, ``bot ask``)."""
        return {
            "decision": self.kind.value,
            "trigger": self.trigger,
            "question_about_illness": self.question_about_illness,
            "scores": {k: round(v, 3) for k, v in self.scores.items()},
        }


def _only_alarm_words(doc: Doc) -> bool:
    words = [fold(token.text) for token in doc if not token.is_punct]
    return bool(words) and all(word.strip("!") in ALARM_ONLY_WORDS for word in words)


def _ranked_safety(ranking: Sequence[Mapping[str, Any]]) -> set[str]:
    """Safety kinds whose intent is among the top two, above ``RANKING_MIN``."""
    ranked = [e for e in ranking if e.get("name") != "nlu_fallback"][:2]
    return {
        SAFETY_INTENTS[str(entry["name"])]
        for entry in ranked
        if entry.get("name") in SAFETY_INTENTS
        and float(entry.get("confidence") or 0.0) >= RANKING_MIN
    }


def _first(hits: PhraseHits, group: str) -> str:
    rule, words = hits.get(group)[0]
    return f'phrase "{words}" ({rule.label})'


def decide(
    doc: Doc,
    hits: PhraseHits,
    probabilities: Mapping[str, float],
    ranking: Sequence[Mapping[str, Any]] = (),
) -> SafetyDecision:
    """Combine phrase hits, classifier and intent ranking into one decision.

    The steps, first match wins: a crisis phrase; a message of only calls for
    help; (a limb, the voice or an activity that no longer works leaves the
    rest of the crisis evidence out; a phrase cancelled by its ``unless``, such
    as "reageert niet" about a button, keeps the intent ranking out for its
    kind); a weak crisis phrase the classifier rates
    above emergency; an
    emergency phrase (unless a question about the illness); a weak crisis
    phrase the classifier or the ranking confirms; the classifier alone, or
    with the ranking.
    """
    p_emergency = probabilities.get("emergency", 0.0)
    p_crisis = probabilities.get("crisis", 0.0)
    ranked = _ranked_safety(ranking)
    scores = dict(probabilities)

    def decision(
        kind: SafetyKind, trigger: str, question: bool = False
    ) -> SafetyDecision:
        return SafetyDecision(kind, trigger, question, scores)

    def confirmed(group: str, probability: float) -> str:
        return f"{_first(hits, group)}, confirmed (classifier {probability:.2f})"

    if hits.get("crisis"):
        return decision(SafetyKind.CRISIS, _first(hits, "crisis"))
    if _only_alarm_words(doc):
        return decision(SafetyKind.EMERGENCY, "only words that call for help")
    if hits.get("symptom_frames"):
        p_crisis, ranked = 0.0, ranked - {"crisis"}
    for kind in ("emergency", "crisis"):
        if {kind, f"{kind}_weak"} & hits.cancelled:
            ranked = ranked - {kind}
    weak_crisis = bool(hits.get("crisis_weak"))
    if weak_crisis and p_crisis > max(p_emergency, CRISIS_WEAK_CONFIRMS):
        return decision(SafetyKind.CRISIS, confirmed("crisis_weak", p_crisis))
    all_clear = bool(hits.get("all_clear"))
    event = bool(hits.get("event_markers")) and not all_clear
    question = all_clear or (bool(hits.get("question_frames")) and not event)
    group = "emergency" if hits.get("emergency") else "emergency_weak"
    if hits.get(group):
        if question:
            frame = (hits.get("all_clear") or hits.get("question_frames"))[0][1]
            trigger = f'not an event ("{frame}"): {_first(hits, group)}'
            return decision(SafetyKind.NONE, trigger, question=True)
        if group == "emergency" or event:
            return decision(SafetyKind.EMERGENCY, _first(hits, group))
        if p_emergency >= CLASSIFIER_CONFIRMS or "emergency" in ranked:
            return decision(SafetyKind.EMERGENCY, confirmed(group, p_emergency))
    if weak_crisis and (p_crisis >= CRISIS_WEAK_CONFIRMS or "crisis" in ranked):
        return decision(SafetyKind.CRISIS, confirmed("crisis_weak", p_crisis))
    if p_crisis >= CLASSIFIER_ALONE["crisis"]:
        return decision(SafetyKind.CRISIS, f"classifier: crisis {p_crisis:.2f}")
    if "crisis" in ranked and p_crisis >= CLASSIFIER_CONFIRMS:
        trigger = f"intent despair in the top two, classifier crisis {p_crisis:.2f}"
        return decision(SafetyKind.CRISIS, trigger)
    if question:
        return decision(SafetyKind.NONE, "a question; classifier below its thresholds")
    if p_emergency >= CLASSIFIER_ALONE["emergency"]:
        trigger = f"classifier: emergency {p_emergency:.2f}"
        return decision(SafetyKind.EMERGENCY, trigger)
    if "emergency" in ranked and p_emergency >= CLASSIFIER_CONFIRMS:
        trigger = f"intent emergency in the top two, classifier {p_emergency:.2f}"
        return decision(SafetyKind.EMERGENCY, trigger)
    return decision(SafetyKind.NONE, "no phrase rule; classifier below its thresholds")


class SafetyLayer:
    """Phrase rules and classifier, ready to assess messages.

    ``nlp`` (the project's Dutch pipeline) is needed only to assess plain text;
    in Rasa every message already has its spaCy document.
    """

    def __init__(
        self,
        book: PhraseBook,
        examples: Sequence[Example],
        nlp: Language | None = None,
    ) -> None:
        """Compile the phrases and fit the classifier."""
        self.book = book
        self.nlp = nlp
        self.matcher = PhraseMatcher(book)
        self.classifier = SafetyClassifier(WordNormaliser(book)).fit(examples)

    @classmethod
    def from_texts(
        cls, phrases: str, examples: Sequence[Example], nlp: Language | None = None
    ) -> SafetyLayer:
        """Build from the text of ``phrases.yml`` and the training examples."""
        return cls(parse_phrase_book(phrases), examples, nlp)

    @classmethod
    def from_files(
        cls, nlp: Language, extra_examples: Sequence[Example] = ()
    ) -> SafetyLayer:
        """Build from ``content/safety/`` (tests and tools outside Rasa)."""
        examples = read_examples(EXAMPLES_FILE.read_text(encoding="utf-8"))
        return cls.from_texts(
            PHRASES_FILE.read_text(encoding="utf-8"), [*examples, *extra_examples], nlp
        )

    def assess_doc(
        self, doc: Doc, ranking: Sequence[Mapping[str, Any]] = ()
    ) -> SafetyDecision:
        """Decide for a message already run through the Dutch pipeline."""
        hits = self.matcher.find(doc)
        return decide(doc, hits, self.classifier.probabilities(doc.text), ranking)

    def assess(
        self, text: str, ranking: Sequence[Mapping[str, Any]] = ()
    ) -> SafetyDecision:
        """Decide for a message text (needs ``nlp``)."""
        if self.nlp is None:
            raise RuntimeError("this safety layer has no Dutch pipeline for plain text")
        return self.assess_doc(self.nlp(text), ranking)
