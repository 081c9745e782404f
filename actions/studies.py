"""Actions about studies: list them, or describe the one the user asks about."""

from __future__ import annotations

from collections.abc import Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

from actions.base import (
    DatabaseAction,
    Reply,
    latest_entity_values,
    latest_intent,
    latest_text,
)
from bot.constants import (
    ACTION_LIST_STUDIES,
    ACTION_SHOW_STUDY,
    ENTITY_STUDY,
    INTENT_TO_STUDY,
    SLOT_STUDY,
)
from bot.db.models import Study
from bot.db.repositories import StudyRepository
from bot.formatting import study_card, study_list, study_not_found
from bot.matching import asks_how_to_take_part, find_study


def study_from_tracker(tracker: Tracker, studies: Sequence[Study]) -> Study | None:
    """Find the study the latest message is about.

    Looks at the ``study`` entity first, then at the text itself (names,
    aliases and misspellings), then at the intent (e.g. ``onderzoek_mri``).

    Args:
        tracker: The conversation so far.
        studies: The known studies.

    Returns:
        The study, or ``None`` when the message names none.
    """
    for value in latest_entity_values(tracker, ENTITY_STUDY):
        study = find_study(value, studies)
        if study is not None:
            return study
    study = find_study(latest_text(tracker), studies)
    if study is not None:
        return study
    slug = INTENT_TO_STUDY.get(latest_intent(tracker) or "")
    return next((study for study in studies if study.slug == slug), None)


class ActionListStudies(DatabaseAction):
    """List the studies a patient can ask about, one button each."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return ACTION_LIST_STUDIES

    def build_reply(self, tracker: Tracker, session: Session) -> Reply:
        """List every study in the database."""
        return Reply(study_list(StudyRepository(session).list_all()))


class ActionShowStudy(DatabaseAction):
    """Describe one study: what it is, who can join, how, and whom to contact."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return ACTION_SHOW_STUDY

    def build_reply(self, tracker: Tracker, session: Session) -> Reply:
        """Show the study the user means, or say it is unknown and list all."""
        studies = StudyRepository(session).list_all()
        study = study_from_tracker(tracker, studies)
        if study is None:
            return Reply(study_not_found(studies), [SlotSet(SLOT_STUDY, None)])
        take_part_first = asks_how_to_take_part(latest_text(tracker))
        return Reply(
            study_card(study, take_part_first=take_part_first),
            [SlotSet(SLOT_STUDY, study.slug)],
        )
