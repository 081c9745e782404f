"""Shared base for actions that read the studies and contacts database."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.db.session import SessionFactory, session_scope
from bot.formatting import Message, database_unavailable
from bot.settings import get_settings

logger = logging.getLogger(__name__)

DATABASE_THREADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="database")
"""Database work runs here, so a hung database never blocks the action server."""


def database_deadline() -> float:
    """Seconds an action's database work may take: 1 s under Rasa's action limit."""
    return max(1.0, get_settings().action_timeout_seconds - 1.0)


@dataclass(frozen=True)
class Reply:
    """What an action says and which events it returns.

    ``response`` names a response of the domain to send instead of ``message``
    (a follow-up that repeats a topic's answer).
    """

    message: Message | None
    events: list[dict[str, Any]] = field(default_factory=list)
    response: str | None = None


def latest_text(tracker: Tracker) -> str:
    """Return the text of the latest user message, or ``""``."""
    text = (tracker.latest_message or {}).get("text")
    return text if isinstance(text, str) else ""


def latest_intent(tracker: Tracker) -> str | None:
    """Return the intent name of the latest user message."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, dict) else None
    return name if isinstance(name, str) else None


def latest_entity_values(tracker: Tracker, entity: str) -> list[str]:
    """Return the text values of ``entity`` in the latest user message."""
    return [
        value
        for value in tracker.get_latest_entity_values(entity)
        if isinstance(value, str) and value.strip()
    ]


def _say_unavailable(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """Send the general contact route; the reply has no events."""
    dispatcher.utter_message(text=database_unavailable().text)
    return []


class DatabaseAction(Action, ABC):
    """Run one unit of database work, then send the reply.

    Subclasses build a :class:`Reply` from the tracker and an open session.
    The work runs in a worker thread with a deadline (:func:`database_deadline`)
    that ends before Rasa gives up on the action. Any database error, and a
    database that does not answer in time, is logged (without the user's
    message) and answered with the general contact route, so the action server
    keeps running. Never registered itself: the SDK skips abstract classes.
    """

    def __init__(self, session_factory: SessionFactory | None = None) -> None:
        """Create the action.

        Args:
            session_factory: Creates sessions; defaults to ``DATABASE_URL``.
                Tests pass their own.
        """
        self._session_factory = session_factory

    @abstractmethod
    def build_reply(self, tracker: Tracker, session: Session) -> Reply:
        """Build the reply from the tracker and the database.

        Args:
            tracker: The conversation so far.
            session: An open session for this turn.

        Returns:
            The message to send and the events to return.
        """

    def _reply(self, tracker: Tracker) -> Reply:
        """Do the unit of database work (in a worker thread)."""
        with session_scope(self._session_factory) as session:
            return self.build_reply(tracker, session)

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """Answer from the database, or honestly say it cannot be reached.

        Args:
            dispatcher: Sends messages to the user.
            tracker: The conversation so far.
            domain: The bot's domain.

        Returns:
            The events of the reply; none when the database failed.
        """
        deadline = database_deadline()
        work = asyncio.get_running_loop().run_in_executor(
            DATABASE_THREADS, self._reply, tracker
        )
        try:
            reply = await asyncio.wait_for(work, deadline)
        except asyncio.TimeoutError:
            logger.error("Database gave no answer in %g s in %s", deadline, self.name())
            return _say_unavailable(dispatcher)
        except (SQLAlchemyError, OSError):
            logger.exception("Database error in %s", self.name())
            return _say_unavailable(dispatcher)
        send(dispatcher, reply)
        return reply.events


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send a reply: the named response, then the message."""
    if reply.response is not None:
        dispatcher.utter_message(response=reply.response)
    if reply.message is not None:
        dispatcher.utter_message(text=reply.message.text, buttons=reply.message.buttons)
