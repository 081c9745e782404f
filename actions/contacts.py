"""Action that tells the user whom to contact for their need."""

from __future__ import annotations

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from actions.base import DatabaseAction, Reply, latest_text
from actions.studies import study_from_tracker
from bot.constants import ACTION_FIND_CONTACT, SLOT_STUDY
from bot.db.models import Study
from bot.db.repositories import ContactRepository, StudyRepository
from bot.formatting import contact_list
from bot.matching import find_contacts, find_study


def _contact_of(study: Study) -> Reply:
    return Reply(
        contact_list([study.contact], topic=study.name, person=study.contact_person)
    )


class ActionFindContact(DatabaseAction):
    """Give the right contact for a need or a study, else the general route."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return ACTION_FIND_CONTACT

    def build_reply(self, tracker: Tracker, session: Session) -> Reply:
        """Pick the contacts, first match wins.

        1. The contact of the study the latest message is about.
        2. The contacts whose keywords match the need in the latest message.
        3. The contact of the study remembered in the ``study`` slot.
        4. The general route: own doctor or ALS team, ALS Centrum Nederland.
        """
        studies = StudyRepository(session).list_all()
        repository = ContactRepository(session)
        study = study_from_tracker(tracker, studies)
        if study is not None and study.contact is not None:
            return _contact_of(study)
        matched = find_contacts(latest_text(tracker), repository.list_all())
        if matched:
            return Reply(contact_list(matched))
        slot = tracker.get_slot(SLOT_STUDY)
        remembered = find_study(slot, studies) if isinstance(slot, str) else None
        if remembered is not None and remembered.contact is not None:
            return _contact_of(remembered)
        return Reply(contact_list(repository.list_general()))
