"""Helpers the project's NLU components share: one spaCy pipeline per process,
setting the intent, and the digest of the content files a model depends on."""

from __future__ import annotations

import hashlib
from pathlib import Path

import spacy
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language

_SPACY_CACHE: dict[str, Language] = {}


def load_spacy(path: str) -> Language:
    """The project's Dutch pipeline, loaded once per process for every component."""
    if path not in _SPACY_CACHE:
        _SPACY_CACHE[path] = spacy.load(path)
    return _SPACY_CACHE[path]


def set_intent(message: Message, intent_name: str, confidence: float = 1.0) -> None:
    """Make ``intent_name`` the message's intent, first in its ranking."""
    intent = {"name": intent_name, "confidence": confidence}
    ranking = [
        entry
        for entry in message.get(INTENT_RANKING_KEY) or []
        if entry.get("name") != intent_name
    ]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)


def files_digest(*paths: str | Path) -> str:
    """SHA-256 over the files' bytes (a missing file counts as empty)."""
    digest = hashlib.sha256()
    for path in paths:
        file = Path(path)
        digest.update(file.read_bytes() if file.exists() else b"")
    return digest.hexdigest()
