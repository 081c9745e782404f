"""Conversation context: what a follow-up question refers to.

"doet dat pijn?", "de tweede", "ja" only make sense after an earlier reply.
These functions read the conversation's events (as the action server gets
them) to find the topic just discussed and the buttons last shown, and decide
what a follow-up, a choice or a yes/no answers. ``actions/follow_up.py`` sends
the reply; ``content/followups.yml`` says which follow-ups the sources answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz

from bot.constants import INTENT_TO_STUDY
from bot.nlp.text import fold
from bot.topics import TOPIC_TITLES

FOLLOW_UP_PREFIX = "followup_"
CHOOSE_OPTION = "choose_option"
AFFIRM = "affirm"
DENY = "deny"
CONTEXT_INTENTS = frozenset({CHOOSE_OPTION, AFFIRM, DENY})
CLARIFY_OPENING = "Ik weet niet zeker wat u bedoelt."
STUDY_PREFIX = "study:"
FOLLOWUPS_FILE = Path(__file__).resolve().parents[1] / "content" / "followups.yml"
_ORDINALS = {
    "eerste": 0, "eerst": 0, "1": 0, "1e": 0, "tweede": 1, "2": 1, "2e": 1,
    "derde": 2, "3": 2, "3e": 2, "vierde": 3, "4": 3, "4e": 3, "vijfde": 4,
    "5": 4, "5e": 4, "zesde": 5, "6": 5, "zevende": 6, "7": 6, "achtste": 7,
    "negende": 8, "tiende": 9, "elfde": 10, "twaalfde": 11, "dertiende": 12,
    "veertiende": 13, "vijftiende": 14, "zestiende": 15, "zeventiende": 16,
    "achttiende": 17, "negentiende": 18, "twintigste": 19,
}  # fmt: skip
_NUMBERED = re.compile(r"(\d{1,2})(?:e|de|ste)?")
"""A button number: "12", "12e", "12de"."""
_NUMBER_WORDS = {
    "een": 0, "twee": 1, "drie": 2, "vier": 3, "vijf": 4, "zes": 5, "zeven": 6,
}  # fmt: skip
"""Number words pick a button only in a message of a few words ("nummer twee"):
"een" is also the article."""
NUMBER_WORD_MAX_WORDS = 3
StudyNamer = Callable[[str], "str | None"]
"""Text -> the slug of the study it names, if any (``bot.matching.find_study``)."""
_LAST = frozenset({"laatste", "onderste"})
_WORD = re.compile(r"\w+")
_NOT_CHOICES = frozenset({"/something_else", "/show_topics"})
TOPIC_ACTIONS = frozenset(
    {"action_show_study", "action_list_studies", "action_find_contact"}
)
"""Actions whose reply is about a topic (``last_topic``)."""


@dataclass(frozen=True)
class Topic:
    """A topic just discussed: an intent (``faq_emg``) or a study (``study:mri``)."""

    key: str

    @property
    def study(self) -> str | None:
        """The study's slug when the topic is one study."""
        return self.key[len(STUDY_PREFIX) :] if self.is_study else None

    @property
    def is_study(self) -> bool:
        """Whether the topic is one study."""
        return self.key.startswith(STUDY_PREFIX)


@dataclass(frozen=True)
class Choice:
    """What a button (or a topic) asks for: an intent and its entities."""

    intent: str
    entities: Mapping[str, str]

    @classmethod
    def from_payload(cls, payload: str) -> Choice:
        """Read a button payload such as ``/onderzoek_info{"study": "mri"}``."""
        body = payload.lstrip("/")
        name, _, entities = body.partition("{")
        values: dict[str, str] = {}
        if entities:
            try:
                values = {str(k): str(v) for k, v in json.loads("{" + entities).items()}
            except ValueError:
                values = {}
        return cls(name, values)

    @property
    def study(self) -> str | None:
        """The study this choice asks about, if it is one study."""
        return self.entities.get("study") or INTENT_TO_STUDY.get(self.intent)


def aspect_of(intent: str | None) -> str | None:
    """The aspect a follow-up intent asks about: ``followup_pain`` is ``pain``."""
    if intent and intent.startswith(FOLLOW_UP_PREFIX):
        return intent[len(FOLLOW_UP_PREFIX) :]
    return None


def last_topic(
    events: Sequence[Mapping[str, Any]], study_named: StudyNamer | None = None
) -> Topic | None:
    """The topic of the latest answer before the current message.

    With ``study_named``, a topic answer given to a question that named one
    study ("en project mine, wat doen die?" answered by the text about GoALS,
    Project MinE and TRICALS) makes that study the topic.
    """
    study_slot: str | None = None
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "study" and study_slot is None:
            study_slot = event.get("value") or ""
        elif kind == "slot" and event.get("name") == "topic" and event.get("value"):
            return Topic(str(event["value"]))
        elif kind == "bot":
            answered = topic_of_response(_response_of(event))
            if answered is not None:
                asked = _user_text_before(events, index)
                slug = study_named(asked) if study_named and asked else None
                if slug:
                    return Topic(STUDY_PREFIX + slug)
                return Topic(answered)
        elif kind == "action":
            name = event.get("name")
            if name == "action_show_study" and study_slot:
                return Topic(STUDY_PREFIX + study_slot)
            if name == "action_list_studies":
                return Topic("onderzoek_meedoen")
            if name == "action_find_contact":
                slug = _study_asked_about(events, index)
                return Topic(STUDY_PREFIX + slug if slug else "contact")
    return None


def _study_asked_about(events: Sequence[Mapping[str, Any]], index: int) -> str:
    """The study the turn ending at ``events[index]`` asked about ("wie kan ik
    bellen over hersendonatie?"), from the ``study`` slot set in that turn."""
    for event in reversed(events[:index]):
        if event.get("event") == "slot" and event.get("name") == "study":
            return str(event.get("value") or "")
        if event.get("event") == "user":
            break
    return ""


def _response_of(event: Mapping[str, Any]) -> str:
    """The domain response a bot event sent (``utter_faq_emg``), or ``""``."""
    return str((event.get("metadata") or {}).get("utter_action") or "")


def topic_of_response(response: str) -> str | None:
    """The topic a domain response answers (``utter_faq_emg``: ``faq_emg``);
    ``None`` for a response that is no topic answer."""
    if response.startswith("utter_faq_") or response == "utter_new_diagnosis":
        return response.removeprefix("utter_")
    return None


def last_reply_was_a_general_response(events: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the latest bot message was a domain response that is no topic
    answer ("Geen probleem. Stel uw vraag op een andere manier"): a "ja" to it
    confirms no topic."""
    for event in reversed(events):
        if event.get("event") == "bot":
            response = _response_of(event)
            return bool(response) and topic_of_response(response) is None
    return False


def _user_text_before(events: Sequence[Mapping[str, Any]], index: int) -> str:
    """The text of the latest user message before ``events[index]``."""
    for event in reversed(events[:index]):
        if event.get("event") == "user":
            return str(event.get("text") or "")
    return ""


def runner_up(events: Sequence[Mapping[str, Any]], answered: Topic) -> str | None:
    """The second likeliest topic of the question before the current message,
    for a "nee" after a direct answer (``answered``)."""
    users = [event for event in events if event.get("event") == "user"]
    if len(users) < 2:
        return None
    ranking = (users[-2].get("parse_data") or {}).get("intent_ranking") or []
    for entry in ranking:
        name = str(entry.get("name") or "")
        confidence = float(entry.get("confidence") or 0.0)
        same_study = answered.study is not None and (
            INTENT_TO_STUDY.get(name) == answered.study
        )
        if name == answered.key or same_study or name not in TOPIC_TITLES:
            continue
        return name if confidence >= RUNNER_UP_MIN_CONFIDENCE else None
    return None


RUNNER_UP_MIN_CONFIDENCE = 0.05
"""Below this, the second topic is no real candidate: ask the patient instead."""


@dataclass(frozen=True)
class ShownButtons:
    """The buttons under the latest reply that had any, and that reply's text."""

    text: str
    buttons: tuple[Mapping[str, str], ...]

    @property
    def is_clarification(self) -> bool:
        """Whether the reply asked "Bedoelt u ...?"."""
        return self.text.startswith(CLARIFY_OPENING)

    def choices(self, *, navigation: bool = False) -> list[tuple[str, Choice]]:
        """The buttons a patient can pick: title and choice. With
        ``navigation``, "Alle onderwerpen" and "Iets anders" too (a position
        counts every button the patient sees)."""
        return [
            (
                str(button.get("title") or ""),
                Choice.from_payload(str(button["payload"])),
            )
            for button in self.buttons
            if str(button.get("payload") or "").startswith("/")
            and (navigation or str(button.get("payload")) not in _NOT_CHOICES)
        ]


def last_buttons(events: Sequence[Mapping[str, Any]]) -> ShownButtons | None:
    """The latest bot message with buttons, before the current message."""
    for event in reversed(events):
        if event.get("event") != "bot":
            continue
        buttons = (event.get("data") or {}).get("buttons") or []
        if buttons:
            return ShownButtons(str(event.get("text") or ""), tuple(buttons))
    return None


def choose(
    text: str, shown: ShownButtons | None, study_named: StudyNamer | None = None
) -> Choice | None:
    """The button a message picks: by position ("de tweede", counting every
    button shown) or by name ("die over de mri")."""
    if shown is None:
        return None
    every = shown.choices(navigation=True)
    words = [fold(word) for word in _WORD.findall(text)]
    if every and any(word in _LAST for word in words):
        return every[-1][1]
    position = _position(words)
    if position is not None:
        return every[position][1] if position < len(every) else None
    return choose_by_name(text, shown, study_named)


def _position(words: Sequence[str]) -> int | None:
    for word in words:
        if word in _ORDINALS:
            return _ORDINALS[word]
        number = _NUMBERED.fullmatch(word)
        if number is not None and int(number.group(1)) >= 1:
            return int(number.group(1)) - 1
    if len(words) <= NUMBER_WORD_MAX_WORDS:
        for word in words:
            if word in _NUMBER_WORDS:
                return _NUMBER_WORDS[word]
    return None


def choose_by_name(
    text: str,
    shown: ShownButtons | None,
    study_named: StudyNamer | None = None,
    *,
    by_title: bool = True,
) -> Choice | None:
    """The button a message names: a study by its name, alias or description
    words (``study_named``), else (``by_title``) the title most like the
    message. A follow-up question picks by study only: "kan ik daaraan
    meedoen?" is about the study just discussed, not the button "Meedoen aan
    onderzoek"."""
    if shown is None:
        return None
    choices = shown.choices()
    if not choices:
        return None
    slug = study_named(text) if study_named else None
    if slug:
        for _, choice in choices:
            if choice.study == slug:
                return choice
    if not by_title:
        return None
    folded = " ".join(fold(word) for word in _WORD.findall(text))
    best = max(
        choices,
        key=lambda item: fuzz.token_set_ratio(folded, fold(item[0])),
    )
    return best[1] if fuzz.token_set_ratio(folded, fold(best[0])) >= 60 else None


def answer_to_yes_no(intent: str, shown: ShownButtons | None) -> Choice | None:
    """ "ja" after "Bedoelt u A?" is A; "nee" after "Bedoelt u A of B?" is B."""
    if shown is None or not shown.is_clarification:
        return None
    options = shown.choices()
    if intent == AFFIRM and options:
        return options[0][1]
    if intent == DENY and len(options) >= 2:
        return options[1][1]
    return None


@dataclass(frozen=True)
class FollowUpBook:
    """Which follow-up aspects the sources answer, per topic (``followups.yml``)."""

    answered: Mapping[str, frozenset[str]]
    about_als_itself: frozenset[str] = frozenset()

    @classmethod
    def from_file(cls, path: Path = FOLLOWUPS_FILE) -> FollowUpBook:
        """Read ``content/followups.yml``."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(
            {
                str(topic): frozenset(str(a) for a in aspects or [])
                for topic, aspects in (data.get("answered") or {}).items()
            },
            frozenset(str(topic) for topic in data.get("about_als_itself") or []),
        )

    def is_about_a_thing(self, topic: Topic) -> bool:
        """Whether "dat" after this topic's answer means the thing it was about
        (riluzol, the MRI study), not ALS."""
        return topic.key not in self.about_als_itself

    def answers(self, topic: Topic, aspect: str) -> bool:
        """Whether the topic's answer (or study card) covers the aspect."""
        return aspect in self.answered.get(topic.key, frozenset())


def topic_title(topic: Topic, study_names: Mapping[str, str]) -> str:
    """How a not-in-sources reply names the topic."""
    if topic.study is not None:
        return study_names.get(topic.study, topic.study)
    return TOPIC_TITLES.get(topic.key, TOPIC_TITLES.get(f"faq_{topic.key}", topic.key))


_REFERRING_WORDS = frozenset(
    {
        "dat", "die", "daar", "daarvan", "daarvoor", "daaraan", "daarover",
        "daarmee", "daarbij", "da", "dit", "deze", "hij", "zij", "ze", "hem",
        "haar", "dan", "zo'n", "zon", "ervan", "erover", "ermee",
    }
)  # fmt: skip
FOLLOW_UP_MAX_WORDS = 14


def looks_like_follow_up(text: str) -> bool:
    """Whether a message is short and refers back ("hoe lang bewaren ze dat?")."""
    words = [fold(word) for word in _WORD.findall(text)]
    if not words or len(words) > FOLLOW_UP_MAX_WORDS:
        return False
    return any(word in _REFERRING_WORDS for word in words)


_GENERIC_WORDS = frozenset(
    {
        "echt", "precies", "eigenlijk", "gewoon", "allemaal", "lang", "hoeveel",
        "welke", "waarom", "wanneer", "ergens", "iemand", "iets", "ding", "dingen",
        "mensen", "ziekte", "zeker", "vraag", "vragen", "weten", "graag", "goed",
        "daarvoor", "daarna", "daaraan", "daarover", "daarmee", "bedankt",
    }
)  # fmt: skip
MIN_STEM = 4


def stems(text: str) -> set[str]:
    from spacy.lang.nl.stop_words import STOP_WORDS

    stems = set()
    for word in _WORD.findall(fold(text)):
        if len(word) < 4 or word in STOP_WORDS or word in _GENERIC_WORDS:
            continue
        if word in {"als", "a.l.s"} or (word.isdigit() and len(word) != 4):
            continue
        stems.add(word[:MIN_STEM])
    return stems


def covers(question: str, answer: str) -> bool:
    """Whether an answer speaks to a follow-up: they share a content word.

    "welke genen zijn dat dan?" is covered by the heredity answer, which names
    the genes; "kan het door voetballen komen?" is not covered by the answer
    about the cause. Words are compared by their first letters (a crude stem:
    "huilt" and "huilen"), without Dutch stop words and question words.
    """
    return bool(stems(question) & stems(answer))


def study_title(slug: str) -> str:
    """A study's button title, for replies made without the database."""
    for intent, study in INTENT_TO_STUDY.items():
        if study == slug:
            return TOPIC_TITLES.get(intent, slug)
    return slug


def not_in_sources(topic: Topic, title: str) -> str:
    """The honest reply when the sources do not answer a follow-up."""
    who = (
        "de onderzoekers van dit onderzoek (zie 'Contact'), of uw neuroloog of ALS-team"
        if topic.is_study
        else "uw neuroloog of uw ALS-team"
    )
    return (
        f"Daarover staat niets in mijn bronnen over {title}. "
        f"Ik wil u geen onjuiste informatie geven. Vraag het {who}."
    )
