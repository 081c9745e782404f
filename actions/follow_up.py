"""Answer follow-ups, choices from the last list, and yes or no after "Bedoelt u"."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

from actions.base import DatabaseAction, Reply, latest_intent, latest_text
from actions.contacts import ActionFindContact
from bot.constants import INTENT_CONTACT, INTENT_ONDERZOEK_MEEDOEN, SLOT_STUDY
from bot.context import (
    AFFIRM,
    CHOOSE_OPTION,
    CLARIFY_OPENING,
    DENY,
    STUDY_PREFIX,
    Choice,
    FollowUpBook,
    StudyNamer,
    Topic,
    answer_to_yes_no,
    aspect_of,
    choose,
    choose_by_name,
    covers,
    last_buttons,
    last_reply_was_a_general_response,
    last_topic,
    looks_like_follow_up,
    not_in_sources,
    runner_up,
    stems,
    study_title,
    topic_title,
)
from bot.db.models import Study
from bot.db.repositories import StudyRepository
from bot.formatting import Message, study_card, study_list
from bot.matching import find_study
from bot.scope import AnswerScope
from bot.settings import PROJECT_ROOT
from bot.topics import TOPIC_TITLES

SLOT_TOPIC = "topic"
TOPIC_BUTTONS = [
    {"title": "Alle onderwerpen", "payload": "/show_topics"},
    {"title": "Contact", "payload": "/contact"},
]
ASK_WHICH_TOPIC = (
    "Waar gaat uw vraag over? Stel de hele vraag opnieuw, of kies een onderwerp."
)
ASPECTS_ABOUT_TAKING_PART = frozenset({"signup", "eligibility", "where"})
ASPECT_MORE = "more"
RESPONSES_BY_INTENT = {
    "show_topics": "utter_show_topics",
    "something_else": "utter_something_else",
    "greet": "utter_greet",
    "ask_human": None,
}


def honest_follow_up(tracker: Tracker, session: Session | None = None) -> Reply | None:
    """A short message that refers back and was not understood, answered about
    the topic just discussed (never "Sorry"): the button it names ("die met de
    scans" under the list of studies), the topic's answer again when it speaks
    to the question, else "Daarover staat niets in mijn bronnen".
    Without a ``session`` a study is never looked up."""
    text = latest_text(tracker)
    if not looks_like_follow_up(text):
        return None
    studies = StudyRepository(session).list_all() if session is not None else []
    if session is not None:
        shown = last_buttons(tracker.events)
        choice = choose_by_name(
            text, shown, study_named_or_described(studies), by_title=False
        )
        if choice is not None:
            return answer_choice(choice, tracker, session, studies)
    topic = last_topic(tracker.events, study_named(studies))
    if topic is None:
        return None
    return answer_about(topic, text, None, session)


def study_named(studies: Sequence[Study]) -> StudyNamer:
    """The study a text names by name, alias or a misspelling of one."""

    def named(text: str) -> str | None:
        study = find_study(text, studies)
        return study.slug if study is not None else None

    return named


def study_named_or_described(studies: Sequence[Study]) -> StudyNamer:
    """The study a text names, or else the one study whose description shares
    the most words with it ("die met de scans": the MRI study)."""
    named = study_named(studies)

    def chosen(text: str) -> str | None:
        slug = named(text)
        if slug is not None:
            return slug
        shared = {s.slug: len(stems(text) & stems(s.description)) for s in studies}
        best = max(shared.values(), default=0)
        winners = [slug for slug, count in shared.items() if count == best]
        return winners[0] if best > 0 and len(winners) == 1 else None

    return chosen


@lru_cache(maxsize=1)
def _answer_texts() -> dict[str, str]:
    """Response name -> text of the domain's answers (to see what they cover)."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {
        str(name): str(variants[0].get("text") or "")
        for name, variants in (domain.get("responses") or {}).items()
        if variants
    }


def answer_about(
    topic: Topic, text: str, aspect: str | None, session: Session | None
) -> Reply:
    """The topic's answer (or study card) when it covers the follow-up, else
    the honest "not in my sources" reply naming who can answer.

    "vertel eens meer" always gets the answer again. Any other follow-up is
    covered when it is most like the follow-ups the answer answers
    (``bot.scope``, ``content/answered_questions.yml``); for a topic without
    such examples, when ``content/followups.yml`` lists its aspect ("doet dat
    pijn?") for the topic, or, of no known aspect, when the answer shares a
    content word with it (``bot.context.covers``).
    """

    def covered(answer: str) -> bool:
        if aspect == ASPECT_MORE:
            return True
        holds = answer_scope().holds(topic.key, text)
        if holds is not None:
            return holds
        if aspect is not None:
            return follow_up_book().answers(topic, aspect)
        return covers(text, answer)

    if topic.study is not None:
        study = None
        if session is not None:
            studies = StudyRepository(session).list_all()
            study = next((s for s in studies if s.slug == topic.study), None)
        if study is not None:
            card = study_card(
                study, take_part_first=aspect in ASPECTS_ABOUT_TAKING_PART
            )
            if covered(card.text):
                return Reply(card, [SlotSet(SLOT_STUDY, study.slug)])
            title = study.name
        else:
            title = study_title(topic.study)
        return Reply(Message(not_in_sources(topic, title), TOPIC_BUTTONS))
    if topic.key == INTENT_ONDERZOEK_MEEDOEN:
        if session is not None and covered(""):
            return Reply(study_list(StudyRepository(session).list_all()))
        return Reply(
            Message(not_in_sources(topic, topic_title(topic, {})), TOPIC_BUTTONS)
        )
    response = f"utter_{topic.key}"
    answer = _answer_texts().get(response, "")
    if answer and covered(answer):
        return Reply(None, response=response)
    return Reply(Message(not_in_sources(topic, topic_title(topic, {})), TOPIC_BUTTONS))


@lru_cache(maxsize=1)
def answer_scope() -> AnswerScope:
    """``content/answered_questions.yml``, read once per process."""
    return AnswerScope.from_file()


@lru_cache(maxsize=1)
def follow_up_book() -> FollowUpBook:
    """``content/followups.yml``, read once per process."""
    return FollowUpBook.from_file()


class ActionFollowUp(DatabaseAction):
    """Answer a message that refers to the previous reply."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_follow_up"

    def build_reply(self, tracker: Tracker, session: Session) -> Reply:
        """A choice or yes/no picks a button; a follow-up stays on the topic."""
        intent = latest_intent(tracker) or ""
        events = tracker.events
        shown = last_buttons(events)
        studies = StudyRepository(session).list_all()
        text = latest_text(tracker)
        choice: Choice | None = None
        if intent == CHOOSE_OPTION:
            choice = choose(text, shown, study_named_or_described(studies))
            named = study_named(studies)(text)
            if choice is None and named is not None:
                return _study_reply(named, studies)
        elif intent in (AFFIRM, DENY):
            if shown is None or not shown.is_clarification:
                return yes_or_no_after_an_answer(intent, tracker, session, studies)
            choice = answer_to_yes_no(intent, shown)
            if choice is None:
                return Reply(None, response="utter_something_else")
        else:
            choice = choose_by_name(
                text, shown, study_named_or_described(studies), by_title=False
            )
        if choice is not None:
            return answer_choice(choice, tracker, session, studies)
        topic = last_topic(events, study_named(studies))
        aspect = aspect_of(intent)
        if topic is None or aspect is None:
            return Reply(Message(ASK_WHICH_TOPIC, TOPIC_BUTTONS))
        return answer_about(topic, text, aspect, session)


def yes_or_no_after_an_answer(
    intent: str, tracker: Tracker, session: Session, studies: Sequence[Study]
) -> Reply:
    """ "ja" after a direct answer confirms its topic: the answer again. "nee"
    says it was not what the patient meant: offer the question's second
    likeliest topic ("Bedoelt u dan ...?"), or ask again."""
    topic = None
    if not last_reply_was_a_general_response(tracker.events):
        topic = last_topic(tracker.events, study_named(studies))
    if topic is None:
        if intent == AFFIRM:
            return Reply(Message(ASK_WHICH_TOPIC, TOPIC_BUTTONS))
        return Reply(None, response="utter_something_else")
    if intent == AFFIRM:
        return answer_choice(topic_choice(topic), tracker, session, studies)
    second = runner_up(tracker.events, topic)
    if second is None:
        return Reply(None, response="utter_something_else")
    title = TOPIC_TITLES[second]
    return Reply(
        Message(
            f"{CLARIFY_OPENING} Bedoelt u dan '{title}'?",
            [
                {"title": title, "payload": f"/{second}"},
                {"title": "Iets anders", "payload": "/something_else"},
            ],
        )
    )


def topic_choice(topic: Topic) -> Choice:
    """The button that asks for a topic's answer again."""
    if topic.study is not None:
        return Choice("onderzoek_info", {"study": topic.study})
    return Choice(topic.key, {})


def answer_choice(
    choice: Choice, tracker: Tracker, session: Session, studies: Sequence[Study]
) -> Reply:
    """The reply to a button picked by position, name or "ja"."""
    if choice.study is not None:
        return _study_reply(choice.study, studies)
    if choice.intent == INTENT_ONDERZOEK_MEEDOEN:
        return Reply(
            study_list(studies), [SlotSet(SLOT_TOPIC, INTENT_ONDERZOEK_MEEDOEN)]
        )
    if choice.intent == INTENT_CONTACT or choice.intent == "ask_human":
        return ActionFindContact().build_reply(tracker, session)
    response = RESPONSES_BY_INTENT.get(choice.intent, f"utter_{choice.intent}")
    if response is None:
        return ActionFindContact().build_reply(tracker, session)
    return Reply(None, response=response)


def _study_reply(slug: str, studies: Sequence[Study]) -> Reply:
    study = next((s for s in studies if s.slug == slug), None)
    if study is None:
        return Reply(study_list(studies))
    return Reply(
        study_card(study, take_part_first=False),
        [SlotSet(SLOT_STUDY, study.slug), SlotSet(SLOT_TOPIC, STUDY_PREFIX + slug)],
    )
