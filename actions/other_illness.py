"""Answer a question about another illness honestly: only ALS is covered."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import latest_entity_values
from actions.follow_up import honest_follow_up
from bot.formatting import other_illness_reply


class ActionOtherIllness(Action):
    """Name the limit ("Over diabetes kan ik u niets vertellen") and the topics."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_other_illness"

    def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Send the reply, naming the illness when the message names one."""
        names = latest_entity_values(tracker, "condition")
        honest = None if names else honest_follow_up(tracker)
        if honest is not None:
            dispatcher.utter_message(text=honest.text, buttons=honest.buttons)
            return []
        message = other_illness_reply(names[0] if names else None)
        dispatcher.utter_message(text=message.text, buttons=message.buttons)
        return []
