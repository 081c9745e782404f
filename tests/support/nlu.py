"""Read the training examples: the NLU data and the safety layer's own."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from bot.safety.classifier import Example, nlu_examples, read_examples
from bot.scope import AnswerScope

ROOT = Path(__file__).resolve().parents[2]
ENTITY_MARKUP = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def nlu_pairs(*paths: Path) -> list[tuple[str, str]]:
    """Every (text, intent) of NLU files (default: ``data/nlu``), markup removed."""
    pairs = []
    for path in paths or sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    text = ENTITY_MARKUP.sub(r"\1", line.strip()[2:])
                    pairs.append((text, str(block["intent"])))
    return pairs


def nlu_intent_examples() -> list[Example]:
    """The NLU data as safety examples (as the Rasa component sees them)."""
    return nlu_examples(nlu_pairs())


def safety_examples() -> list[Example]:
    """``content/safety/examples.yml``."""
    path = ROOT / "content" / "safety" / "examples.yml"
    return read_examples(path.read_text(encoding="utf-8"))


def normalise(text: str) -> str:
    """Lowercase words only: how two messages are compared for copies."""
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


NEAR_COPY_SCORE = 90
"""Two messages this similar (rapidfuzz ratio, after ``normalise``) are copies."""


def answered_question_examples() -> list[str]:
    """The follow-ups of ``content/answered_questions.yml`` (both sides)."""
    scope = AnswerScope.from_file(ROOT / "content" / "answered_questions.yml")
    return [
        question
        for examples in scope.topics.values()
        for question in (*examples.answered, *examples.not_answered)
    ]


def training_texts() -> list[str]:
    """Every message the assistant learns from or compares with (NLU data,
    safety examples, answered follow-ups), normalised."""
    texts = [text for text, _ in nlu_pairs()]
    texts += [example.text for example in safety_examples()]
    texts += answered_question_examples()
    return [normalise(text) for text in texts]


def near_copies(messages: list[str], training: list[str]) -> list[str]:
    """The messages that are copies or near copies of a training message."""
    found = []
    for message in messages:
        match = process.extractOne(
            normalise(message),
            training,
            scorer=fuzz.ratio,
            score_cutoff=NEAR_COPY_SCORE,
        )
        if match:
            found.append(f"{message!r} ~ {match[0]!r}")
    return found
