"""Answer follow-ups, choices from the last list, and yes or no after "Bedoelt u"."""

from __future__ import annotations

from functools import lru_cache

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

from actions.base import DatabaseAction, Reply, latest_intent, latest_text
from actions.contacts import ActionFindContact
from bot.constants import INTENT_CONTACT, INTENT_ONDERZOEK_MEEDOEN, SLOT_STUDY
from bot.context import (
    AFFIRM,
    CHOOSE_OPTION,
    DENY,
    STUDY_PREFIX,
    Choice,
    FollowUpBook,
    Topic,
    answer_to_yes_no,
    aspect_of,
    choose,
    last_buttons,
    last_topic,
    looks_like_follow_up,
    not_in_sources,
    study_title,
    topic_title,
)
from bot.db.repositories import StudyRepository
from bot.formatting import Message, study_card, study_list

SLOT_TOPIC = "topic"
TOPIC_BUTTONS = [
    {"title": "Alle onderwerpen", "payload": "/show_topics"},
    {"title": "Contact", "payload": "/contact"},
]
ASK_WHICH_TOPIC = (
    "Waar gaat uw vraag over? Stel de hele vraag opnieuw, of kies een onderwerp."
)
ASPECTS_ABOUT_TAKING_PART = frozenset({"signup", "eligibility", "where"})
RESPONSES_BY_INTENT = {
    "show_topics": "utter_show_topics",
    "something_else": "utter_something_else",
    "greet": "utter_greet",
    "ask_human": None,
}


def honest_follow_up(tracker: Tracker) -> Message | None:
    """For a short message that refers back and was not understood: say the
    sources do not answer it about the topic just discussed (never "Sorry")."""
    if not looks_like_follow_up(latest_text(tracker)):
        return None
    topic = last_topic(tracker.events)
    if topic is None:
        return None
    title = study_title(topic.study) if topic.study else topic_title(topic, {})
    return Message(not_in_sources(topic, title), TOPIC_BUTTONS)


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
        choice: Choice | None = None
        if intent == CHOOSE_OPTION:
            choice = choose(latest_text(tracker), shown)
        elif intent in (AFFIRM, DENY):
            choice = answer_to_yes_no(intent, shown)
            if choice is None:
                return Reply(None, response="utter_something_else")
        if choice is not None:
            return self._answer_choice(choice, tracker, session)
        topic = last_topic(events)
        aspect = aspect_of(intent)
        if topic is None or aspect is None:
            return Reply(Message(ASK_WHICH_TOPIC, TOPIC_BUTTONS))
        if follow_up_book().answers(topic, aspect):
            return self._answer_topic(topic, aspect, session)
        studies = {s.slug: s.name for s in StudyRepository(session).list_all()}
        title = topic_title(topic, studies)
        return Reply(Message(not_in_sources(topic, title), TOPIC_BUTTONS))

    def _answer_topic(self, topic: Topic, aspect: str, session: Session) -> Reply:
        if topic.study is not None:
            return self._study_reply(
                topic.study, session, aspect in ASPECTS_ABOUT_TAKING_PART
            )
        if topic.key == INTENT_ONDERZOEK_MEEDOEN:
            return Reply(study_list(StudyRepository(session).list_all()))
        return Reply(None, response=f"utter_{topic.key}")

    def _answer_choice(
        self, choice: Choice, tracker: Tracker, session: Session
    ) -> Reply:
        if choice.study is not None:
            return self._study_reply(choice.study, session, False)
        if choice.intent == INTENT_ONDERZOEK_MEEDOEN:
            return Reply(
                study_list(StudyRepository(session).list_all()),
                [SlotSet(SLOT_TOPIC, INTENT_ONDERZOEK_MEEDOEN)],
            )
        if choice.intent == INTENT_CONTACT or choice.intent == "ask_human":
            return ActionFindContact().build_reply(tracker, session)
        response = RESPONSES_BY_INTENT.get(choice.intent, f"utter_{choice.intent}")
        if response is None:
            return ActionFindContact().build_reply(tracker, session)
        return Reply(None, response=response)

    def _study_reply(self, slug: str, session: Session, take_part_first: bool) -> Reply:
        studies = StudyRepository(session).list_all()
        study = next((s for s in studies if s.slug == slug), None)
        if study is None:
            return Reply(study_list(studies))
        return Reply(
            study_card(study, take_part_first=take_part_first),
            [SlotSet(SLOT_STUDY, study.slug), SlotSet(SLOT_TOPIC, STUDY_PREFIX + slug)],
        )
