"""Actions for the action server tests, beside the project's own actions.

``python -m components.action_server --actions tests.support.probe_actions``
serves these and, because rasa-sdk registers every imported ``Action``, the
project's actions too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection

import actions.contacts
import actions.fallback
import actions.studies

PROJECT_ACTIONS = (actions.contacts, actions.fallback, actions.studies)
PROBE_FILE_VARIABLE = "PROBE_FILE"


class ActionProbe(Action):
    """Leaves a mark in ``$PROBE_FILE``, so a test can tell it ran."""

    def name(self) -> str:
        """Return the action's name."""
        return "action_probe"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[dict[str, Any]]:
        """Append a line to the probe file."""
        with Path(os.environ[PROBE_FILE_VARIABLE]).open("a", encoding="utf-8") as file:
            file.write("ran\n")
        dispatcher.utter_message(text="probe")
        return []


class ActionFailWithUserText(Action):
    """Fails with an error whose message quotes the user's text."""

    def name(self) -> str:
        """Return the action's name."""
        return "action_fail"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[dict[str, Any]]:
        """Raise an error that quotes the latest message."""
        text = (tracker.latest_message or {}).get("text")
        raise ValueError(f"cannot handle {text!r}")


class ActionReject(Action):
    """Rejects the call, as a form does when it cannot go on."""

    def name(self) -> str:
        """Return the action's name."""
        return "action_reject"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[dict[str, Any]]:
        """Reject with a message that quotes the latest message."""
        text = (tracker.latest_message or {}).get("text")
        raise ActionExecutionRejection(self.name(), f"rejected {text!r}")
