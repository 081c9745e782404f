"""The reply when the assistant is not sure what the user means."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.base import DatabaseAction, Reply, latest_text, send
from actions.follow_up import honest_follow_up
from bot.clarify import (
    HUMAN_OFFER_AFTER,
    HUMAN_OFFER_BUTTONS,
    HUMAN_OFFER_TEXT,
    clarify,
)
from bot.context import looks_like_follow_up
from bot.db.session import SessionFactory, session_scope
from bot.formatting import SAFETY_LINE

logger = logging.getLogger(__name__)

MISUNDERSTOOD_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})


def count_misunderstood_in_a_row(events: list[dict[str, Any]]) -> int:
    """Count the latest user messages not understood or off-topic, newest first."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") not in MISUNDERSTOOD_INTENTS:
            break
        count += 1
    return count


class ActionClarify(Action):
    """Ask "Bedoelt u ...?" with the likeliest topics, or say honestly it is unclear."""

    def __init__(self, session_factory: SessionFactory | None = None) -> None:
        """Create the action (tests pass their own session factory)."""
        self._session_factory = session_factory

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_clarify"

    def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Send the clarification for the latest message (or, for a follow-up
        the sources do not answer, say so about the topic just discussed)."""
        honest = self._honest_follow_up(tracker)
        if honest is not None:
            send(dispatcher, honest)
            return honest.events
        latest = tracker.latest_message or {}
        result = clarify(
            text=latest.get("text") or "",
            intent_ranking=latest.get("intent_ranking") or [],
            misunderstood_in_a_row=count_misunderstood_in_a_row(tracker.events),
        )
        if result.offer_human:
            dispatcher.utter_message(text=HUMAN_OFFER_TEXT, buttons=HUMAN_OFFER_BUTTONS)
        elif result.response:
            dispatcher.utter_message(response=result.response)
        else:
            dispatcher.utter_message(text=result.text, buttons=result.buttons)
        dispatcher.utter_message(text=SAFETY_LINE)
        return []

    def _honest_follow_up(self, tracker: Tracker) -> Reply | None:
        """The follow-up reply, with the studies when the database answers (a
        study named from the last list), else without."""
        if not looks_like_follow_up(latest_text(tracker)):
            return None
        try:
            with session_scope(self._session_factory) as session:
                return honest_follow_up(tracker, session)
        except (SQLAlchemyError, OSError):
            logger.exception("Database error in %s", self.name())
            return honest_follow_up(tracker)


class ActionOfferHuman(Action):
    """After the off-topic reply, offer a person when nothing was understood thrice."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_offer_human"

    def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Offer a person after three misunderstood messages in a row."""
        if count_misunderstood_in_a_row(tracker.events) >= HUMAN_OFFER_AFTER:
            dispatcher.utter_message(text=HUMAN_OFFER_TEXT, buttons=HUMAN_OFFER_BUTTONS)
        return []


class ActionOutOfScope(DatabaseAction):
    """Off-topic: the honest "Sorry", unless a short message refers back to the
    topic just discussed (then it is answered about that topic)."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_out_of_scope"

    def build_reply(self, tracker: Tracker, session: Session) -> Reply:
        """The follow-up reply, or ``utter_out_of_scope``."""
        honest = honest_follow_up(tracker, session)
        return honest or Reply(None, response="utter_out_of_scope")
