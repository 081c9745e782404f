"""Answer a question about another illness honestly: only ALS is covered."""

from __future__ import annotations

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from actions.base import DatabaseAction, Reply, latest_entity_values
from actions.follow_up import honest_follow_up
from bot.formatting import other_illness_reply


class ActionOtherIllness(DatabaseAction):
    """Name the limit ("Over diabetes kan ik u niets vertellen") and the topics.

    A short message that refers back to the topic just discussed ("hij heeft
    corona gehad, maakt dat uit?" after brain donation) is about that topic.
    """

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_other_illness"

    def build_reply(self, tracker: Tracker, session: Session) -> Reply:
        """The follow-up reply, or the limit naming the illness."""
        honest = honest_follow_up(tracker, session)
        if honest is not None:
            return honest
        names = latest_entity_values(tracker, "condition")
        return Reply(other_illness_reply(names[0] if names else None))
