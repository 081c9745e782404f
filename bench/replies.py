"""What a reply is about, read from its text as a user sees it.

The realistic set and the conversation scenarios are scored end to end: a
message goes over REST and the first bot message of the reply is labelled:

- a topic answer of ``domain.yml`` by its exact text: ``faq_emg``, ``thank``, ...;
- a study card by the study's name on its first line: ``study:mri``;
- the list of studies: ``onderzoek_meedoen``; a contact list: ``contact``;
- the honest follow-up reply: ``not_in_sources:<topic>``;
- another illness: ``other_illness``; not understood: ``out_of_scope``;
  "Bedoelt u A of B?": ``clarify:A``, which counts as A (the patient gets A with
  one tap or a "ja"); 112 and 113 first: ``emergency``, ``despair``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import yaml

from bench.common import ROOT
from bot.constants import INTENT_TO_STUDY
from bot.context import CLARIFY_OPENING
from bot.topics import TOPIC_TITLES

Replies = Sequence[Mapping[str, Any]]
NOT_IN_SOURCES = "Daarover staat niets in mijn bronnen over "
OUT_OF_SCOPE_LABELS = frozenset({"out_of_scope", "other_illness", "clarify"})
"""Replies that give no ALS content: right for a message that is not about ALS."""
STUDY_INTENTS = {**INTENT_TO_STUDY}
_OPENINGS = {
    "Ik geef alleen informatie over ALS.": "other_illness",
    "Sorry, daar kan ik u niet mee helpen": "out_of_scope",
    "Het lukt mij niet goed om u te begrijpen": "clarify",
    "Dit zijn de onderzoeken die ik ken": "onderzoek_meedoen",
    "Dat onderzoek ken ik niet": "onderzoek_meedoen",
    "Waar gaat uw vraag over?": "clarify",
}


@lru_cache(maxsize=1)
def _response_labels() -> dict[str, str]:
    """First line of each response text in ``domain.yml`` -> its label."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    labels: dict[str, str] = {}
    for name, variants in (domain.get("responses") or {}).items():
        for variant in variants:
            text = str(variant.get("text") or "")
            if text:
                labels[_first_line(text)] = name.removeprefix("utter_")
    return labels


@lru_cache(maxsize=1)
def _study_names() -> dict[str, str]:
    """Study name -> slug, from ``content/catalog.yml``."""
    catalog = yaml.safe_load((ROOT / "content" / "catalog.yml").read_text("utf-8"))
    return {str(s["name"]): str(s["slug"]) for s in catalog["studies"]}


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text.strip() else ""


def label_of(replies: Replies) -> str:
    """The label of a turn's first bot message (see the module docstring)."""
    first = next((str(r.get("text") or "") for r in replies if r.get("text")), "")
    if not first:
        return "none"
    opening = re.split(r"(?<=[.!?])\s", first.strip(), maxsplit=1)[0]
    if "112" in opening:
        return "emergency"
    if re.search(r"\b113\b", first) and "Bij nood" not in first:
        return "despair"
    if first.startswith(CLARIFY_OPENING):
        return _clarify_label(replies)
    for start, label in _OPENINGS.items():
        if first.startswith(start):
            return label
    if first.startswith(NOT_IN_SOURCES):
        return "not_in_sources:" + _topic_of_title(first[len(NOT_IN_SOURCES) :])
    line = _first_line(first)
    if line in _response_labels():
        return _response_labels()[line]
    for name, slug in _study_names().items():
        if line == name or line.startswith(f"{name} ("):
            return f"study:{slug}"
    if "U kunt terecht bij:" in first:
        return "contact"
    return "unknown"


def _clarify_label(replies: Replies) -> str:
    """ "Bedoelt u A of B?" is labelled ``clarify:A`` (A's intent)."""
    for reply in replies:
        for button in reply.get("buttons") or []:
            payload = str(button.get("payload") or "")
            if payload.startswith("/") and payload != "/something_else":
                return "clarify:" + payload[1:].partition("{")[0]
    return "clarify"


def _topic_of_title(rest: str) -> str:
    for name, slug in _study_names().items():
        if rest.startswith(name):
            return f"study:{slug}"
    for intent, title in TOPIC_TITLES.items():
        if rest.startswith(title):
            study = INTENT_TO_STUDY.get(intent)
            return f"study:{study}" if study else intent
    return "unknown"


def is_right(expected: str, label: str) -> bool:
    """Whether a reply's label serves what the message asked (its topic or
    a scenario's ``expect``)."""
    if expected == "out_of_scope":
        return label in OUT_OF_SCOPE_LABELS or label.startswith("clarify")
    if label.startswith("clarify:"):
        label = label.removeprefix("clarify:")
    if expected in STUDY_INTENTS:
        return label == f"study:{STUDY_INTENTS[expected]}"
    if expected == "onderzoek_info":
        return label.startswith("study:")
    if expected in ("contact", "ask_human"):
        return label == "contact"
    return label == expected
