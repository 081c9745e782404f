"""A time limit and an honest reply for custom actions, on the Rasa side.

The problem (Rasa 3.6.21): ``RemoteAction.run`` waits up to 300 s for the
action server (``DEFAULT_REQUEST_TIMEOUT``), longer than the 60 s conversation
lock. When the call fails (server down, hung, an error reply, a reply Rasa
cannot read) it raises, and the processor logs "Bot will continue, but the
actions events are lost": the user gets no reply at all.

What this module does: it wraps ``RemoteAction.run`` so that a custom action
that has not answered within ``ACTION_TIMEOUT_SECONDS`` (default 5, at most
half the lock lifetime), or that failed, is replaced by a short Dutch reply
defined here, which needs nothing from the action server:

- the studies and contacts actions say that looking up studies and contacts
  does not work right now, and give the general contact route;
- ``action_clarify`` asks the user to rephrase or pick a topic;
- ``action_offer_human`` (an extra offer after the off-topic answer) stays
  silent.

The reply is recorded in the conversation like any other. The failure is
logged with the action's name and a short reason, never with user text nor
with the action server's reply (a stock rasa-sdk server echoes the request
there). Rejections (``ActionExecutionRejection``, HTTP 400) pass through
unchanged: Rasa handles them itself.

Why a wrapper, installed this way: Rasa 3.6 offers no hook here. The
``action_endpoint`` in ``endpoints.yml`` is always a plain ``EndpointConfig``
(no ``type:`` for an own class); its plugin hooks only rename actions and do
not see failures; a custom channel would not cover ``rasa shell``. Wrapping
the one method that calls the action server covers every cause of failure
in one place and leaves Rasa's request, response checks and rejections as
they are. The wrapper is installed when this module is imported, and the
model's pipeline (``config.yml``) lists :class:`CustomActionGuard`, a no-op
component of this module: every process that loads the model, and so can
run custom actions (``rasa run``, ``rasa shell``, ``python -m bot ask``), has
the wrapper before its first action, whatever channel, tracker store or
endpoints file it uses. Installing is idempotent. The tests in
``tests/e2e/test_action_faults.py`` stop and pause a real action server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

import aiohttp
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import (
    ActionExecutionRejection,
    RemoteAction,
    create_bot_utterance,
)
from rasa.core.constants import DEFAULT_LOCK_LIFETIME
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.events import Event
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.endpoints import ClientResponseError

from bot.formatting import GENERAL_ROUTE, SAFETY_LINE, source_line
from bot.settings import get_settings

logger = logging.getLogger(__name__)

LOOKUP_UNAVAILABLE_TEXT = "\n".join(
    [
        "Het lukt mij nu niet om onderzoeken en contactgegevens op te zoeken. "
        "Excuses daarvoor. Probeer het later nog eens.",
        GENERAL_ROUTE,
        source_line([]),
    ]
)
"""Reply when a studies or contacts action fails: honest, plus the general route."""
LOOKUP_UNAVAILABLE_BUTTONS = [
    {"title": "Het ALS-team", "payload": "/faq_zorgteam"},
    {"title": "Alle onderwerpen", "payload": "/show_topics"},
]
CLARIFY_ACTION = "action_clarify"
CLARIFY_UNAVAILABLE_TEXT = (
    "Ik begrijp uw vraag niet goed. Wilt u het op een andere manier vragen? "
    "U kunt ook een onderwerp kiezen.\n" + SAFETY_LINE
)
CLARIFY_UNAVAILABLE_BUTTONS = [{"title": "Alle onderwerpen", "payload": "/show_topics"}]
SILENT_ACTIONS = frozenset({"action_offer_human"})
"""Actions that only add something to another answer: no reply when they fail."""
MAX_TIMEOUT_SECONDS = DEFAULT_LOCK_LIFETIME / 2
"""The action time limit stays well under the conversation lock's lifetime."""

FAILURE_RECORD_KEY = "action_failure"
"""Log records about a failed action carry the short reason under this key."""

RunMethod = Callable[..., Awaitable[list[Event]]]
_INSTALLED_MARK = "_als_action_fallback"


def action_timeout() -> float:
    """Seconds a custom action may take: ``ACTION_TIMEOUT_SECONDS``, capped."""
    return min(get_settings().action_timeout_seconds, MAX_TIMEOUT_SECONDS)


def fallback_events(action_name: str) -> list[Event]:
    """The reply sent instead of a failed custom action (empty: say nothing)."""
    if action_name in SILENT_ACTIONS:
        return []
    if action_name == CLARIFY_ACTION:
        text, buttons = CLARIFY_UNAVAILABLE_TEXT, CLARIFY_UNAVAILABLE_BUTTONS
    else:
        text, buttons = LOOKUP_UNAVAILABLE_TEXT, LOOKUP_UNAVAILABLE_BUTTONS
    message = {"text": text, "buttons": [dict(button) for button in buttons]}
    return [create_bot_utterance(message)]


def _chain(error: BaseException) -> list[BaseException]:
    """The error and the errors it was raised from, oldest last."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def failure_reason(error: BaseException, timeout: float) -> str:
    """Describe a failure briefly, without any message text of the error."""
    if isinstance(error, asyncio.TimeoutError):
        return f"no answer within {timeout:g} s"
    for cause in _chain(error):
        if isinstance(cause, ClientResponseError):
            return f"the action server answered HTTP {cause.status}"
        if isinstance(cause, aiohttp.ClientConnectionError):
            return "could not connect to the action server"
    return f"{type(error).__name__} (details not logged)"


def guard(run: RunMethod) -> RunMethod:
    """Wrap ``RemoteAction.run`` with the time limit and the fallback reply."""

    async def guarded_run(
        self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
    ) -> list[Event]:
        timeout = action_timeout()
        try:
            return await asyncio.wait_for(
                run(self, output_channel, nlg, tracker, domain), timeout
            )
        except ActionExecutionRejection:
            raise
        except Exception as error:  # every other failure gets the fallback reply
            reason = failure_reason(error, timeout)
            logger.error(
                "Custom action '%s' failed: %s. Sent the fallback reply instead.",
                self.name(),
                reason,
                extra={FAILURE_RECORD_KEY: reason},
            )
            return fallback_events(self.name())

    setattr(guarded_run, _INSTALLED_MARK, True)
    guarded_run.__doc__ = run.__doc__
    return guarded_run


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Check an action server reply against Rasa's schema, with one validator.

    Rasa's own check calls ``jsonschema.validate``, which checks the schema
    itself again on every call: a profile of 20 concurrent conversations showed
    half of Rasa's CPU time there. The result is the same, an error too.
    """
    error = best_match(_response_validator().iter_errors(result))
    if error is not None:
        error.message += ". Failed to validate Action server response from API."
        raise error
    return True


def install() -> None:
    """Wrap ``RemoteAction.run`` once per process; validate replies faster."""
    if getattr(RemoteAction.run, _INSTALLED_MARK, False):
        return
    setattr(RemoteAction, "run", guard(RemoteAction.run))  # noqa: B010
    setattr(RemoteAction, "_validate_action_result", validate_action_result)  # noqa: B010


install()


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class CustomActionGuard(GraphComponent):
    """Does nothing to messages; listing it in the pipeline installs the wrapper.

    Loading the model imports this module, which wraps ``RemoteAction.run``
    (see the module docstring).
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CustomActionGuard:
        """Create the component, making sure the wrapper is installed."""
        install()
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Return the messages unchanged."""
        return messages
