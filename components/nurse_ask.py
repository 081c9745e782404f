"""``python -m bot ask``: ask the trained assistant in-process, for nurses.

Loads the model with Rasa's :class:`~rasa.core.agent.Agent`, sends each
question as a new conversation, and shows the recognised topic, its
confidence, the next candidates, the answers with their buttons and the
source line. Custom actions go to the action server from ``endpoints.yml``;
when it does not answer, the NLU result is still shown, with a note.
Conversations stay in memory: nothing is written to the tracker database.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import re
import sys
import uuid
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from bot.formatting import DANGER_LINE, SAFETY_LINE, split_source
from bot.review import intent_title
from bot.settings import PROJECT_ROOT, get_settings
from components import action_fallback

ACTION_ENDPOINT_VARIABLE = "ACTION_ENDPOINT_URL"
ACTION_TOKEN_VARIABLE = "ACTION_SERVER_TOKEN"
ACTION_SERVER_HINT = "start the action server with `make actions`"
CANDIDATES = 2
"""How many intents after the recognised one are shown."""
NOISY_LOGGERS = (
    "rasa",
    "rasa_sdk",
    "tensorflow",
    "absl",
    "h5py",
    "jax",
    "matplotlib",
    "urllib3",
    "asyncio",
    "aiohttp",
    "apscheduler",
    "sanic",
    "spacy",
    "py.warnings",
)
PROCESSOR_LOGGER = "rasa.core.processor"
"""Rasa logs, and then swallows, the exception of an action that failed here."""
_FAILED_ACTION = re.compile(r"action '([^']+)'")
_RULE = "-" * 72


@dataclass(frozen=True)
class IntentScore:
    """An intent with its title (if it has one) and confidence."""

    name: str
    title: str | None
    confidence: float


@dataclass(frozen=True)
class Reply:
    """One message of the assistant: text, source line and buttons."""

    text: str
    body: str
    source: str | None
    buttons: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class AskResult:
    """What the assistant understood and answered for one question."""

    question: str
    intent: IntentScore | None
    candidates: list[IntentScore]
    entities: list[dict[str, Any]]
    actions: list[str]
    answers: list[Reply]
    note: str | None = None
    safety: dict[str, Any] | None = None
    """The safety layer's decision and its trigger (``components.safety_gate``)."""


def default_action_endpoint() -> str:
    """The action server the Makefile starts: ``127.0.0.1:ACTION_PORT``."""
    return f"http://127.0.0.1:{get_settings().action_port}/webhook"


@contextlib.contextmanager
def _environment_default(name: str, value: str) -> Iterator[None]:
    """Set an environment variable for the block when it is not set."""
    previous = os.environ.get(name)
    if previous:
        yield
        return
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def read_action_endpoint(endpoints: Path) -> EndpointConfig | None:
    """Read the action endpoint from ``endpoints``.

    ``${ACTION_ENDPOINT_URL}`` in the file falls back to
    :func:`default_action_endpoint` when the variable is not set, and
    ``${ACTION_SERVER_TOKEN}`` to the token from the settings.

    Args:
        endpoints: The endpoints file.

    Returns:
        The endpoint, or ``None`` when the file names none.

    Raises:
        FileNotFoundError: When the file does not exist.
    """
    if not endpoints.is_file():
        raise FileNotFoundError(f"endpoints file not found: {endpoints}")
    token = get_settings().action_server_token
    with (
        _environment_default(ACTION_ENDPOINT_VARIABLE, default_action_endpoint()),
        _environment_default(ACTION_TOKEN_VARIABLE, token),
    ):
        return read_endpoint_config(str(endpoints), "action_endpoint")


def _drop_warning(*_args: object, **_kwargs: object) -> None:
    """Show no warning: libraries add filters of their own while rasa loads."""


@contextlib.contextmanager
def quiet_rasa(verbose: bool = False) -> Iterator[None]:
    """Keep all log records (root logger included) and warnings out of the output.

    Args:
        verbose: Leave log levels alone and send Rasa's structured log to
            stderr, for debugging.

    Yields:
        Nothing; levels and settings are restored afterwards.
    """
    names = ("", *NOISY_LOGGERS)
    saved_levels = {name: logging.getLogger(name).level for name in names}
    saved_structlog = structlog.get_config()
    level = logging.getLogger().getEffectiveLevel() if verbose else logging.CRITICAL
    with warnings.catch_warnings():
        if not verbose:
            warnings.simplefilter("ignore")
            warnings.showwarning = _drop_warning
            for name in names:
                logging.getLogger(name).setLevel(logging.CRITICAL)
        structlog.configure(
            wrapper_class=structlog.make_filtering_bound_logger(level),
            logger_factory=structlog.PrintLoggerFactory(sys.stderr),
            cache_logger_on_first_use=False,
        )
        try:
            yield
        finally:
            structlog.configure(**saved_structlog)
            for name, saved in saved_levels.items():
                logging.getLogger(name).setLevel(saved)


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def load_agent(model: Path, action_endpoint: EndpointConfig | None) -> Agent:
    """Load the trained model with an in-memory tracker store.

    The model refers to the project's spaCy pipeline by a path relative to the
    project root, so loading happens from there.

    Args:
        model: The trained model archive.
        action_endpoint: Where custom actions run.

    Returns:
        The ready agent.

    Raises:
        FileNotFoundError: When the model does not exist.
    """
    model = model.resolve()
    if not model.is_file():
        raise FileNotFoundError(
            f"model not found: {model} (train it with `make train`)"
        )
    with _working_directory(PROJECT_ROOT):
        return Agent.load(model, action_endpoint=action_endpoint)


def _score(entry: Mapping[str, Any]) -> IntentScore:
    name = str(entry.get("name"))
    return IntentScore(name, intent_title(name), float(entry.get("confidence") or 0))


def _reply(message: Mapping[str, Any]) -> Reply:
    text = str(message.get("text") or "")
    body, source = split_source(text)
    buttons = [
        {"title": str(button.get("title")), "payload": str(button.get("payload"))}
        for button in message.get("buttons") or []
    ]
    return Reply(text=text, body=body, source=source, buttons=buttons)


class _FailedActions(logging.Handler):
    """Collects the actions Rasa reports as failed, with their exceptions."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.failures: list[tuple[str, BaseException | str | None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Remember the action and the exception (or reason) of a record."""
        found = _FAILED_ACTION.search(record.getMessage())
        if found:
            reason = getattr(record, action_fallback.FAILURE_RECORD_KEY, None)
            error = record.exc_info[1] if record.exc_info else None
            self.failures.append((found.group(1), error or reason))


@contextlib.contextmanager
def _failed_actions(verbose: bool) -> Iterator[_FailedActions]:
    """Catch what Rasa logs when an action fails.

    Rasa's processor logs the exception of a failed custom action (for example
    an unreachable action server) and carries on without the action's answer;
    with the project's fallback (``components.action_fallback``) the user gets
    an honest reply and the failure is logged there.

    Args:
        verbose: Also pass the records on to the other log handlers.

    Yields:
        The handler that collects the failures.
    """
    loggers = [logging.getLogger(PROCESSOR_LOGGER), action_fallback.logger]
    handler = _FailedActions()
    saved = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(min(logger.getEffectiveLevel(), logging.ERROR))
        logger.propagate = verbose
    try:
        yield handler
    finally:
        for logger, (level, propagate) in zip(loggers, saved, strict=True):
            logger.removeHandler(handler)
            logger.level, logger.propagate = level, propagate


def _action_note(
    action: str, error: BaseException | str | None, endpoint: EndpointConfig | None
) -> str:
    url = endpoint.url if endpoint else "(none in endpoints.yml)"
    if endpoint is None or "connect" in str(error).lower():
        return (
            f"This answer needs the custom action {action}, but the action server "
            f"at {url} is not reachable: {ACTION_SERVER_HINT}, then ask again."
        )
    return f"The custom action {action} failed at the action server {url}: {error}"


def _actions_after_question(events: Sequence[Any]) -> list[str]:
    actions: list[str] = []
    for event in events:
        if isinstance(event, UserUttered):
            actions = []
        elif isinstance(event, ActionExecuted) and event.action_name not in (
            None,
            "action_listen",
        ):
            actions.append(str(event.action_name))
    return actions


async def ask(
    agent: Agent,
    question: str,
    action_endpoint: EndpointConfig | None = None,
    *,
    verbose: bool = False,
) -> AskResult:
    """Ask one question in a new conversation.

    Args:
        agent: The loaded agent.
        question: The user's message.
        action_endpoint: The action server, named in the note when it fails.
        verbose: Let Rasa's error records through to the log as well.

    Returns:
        The NLU result and the answers; with a note when a custom action could
        not run.
    """
    parse = await agent.parse_message(question)
    ranking = [_score(entry) for entry in parse.get("intent_ranking") or []]
    top = parse.get("intent") or {}
    intent = _score(top) if top.get("name") else None
    candidates = [score for score in ranking if not intent or score.name != intent.name]
    entities = [
        {"entity": entity.get("entity"), "value": entity.get("value")}
        for entity in parse.get("entities") or []
    ]
    sender = f"nurse-ask-{uuid.uuid4().hex}"
    channel = CollectingOutputChannel()
    with _failed_actions(verbose) as failed:
        await agent.handle_message(UserMessage(question, channel, sender))
    tracker = await agent.tracker_store.retrieve(sender)
    actions = _actions_after_question(tracker.events if tracker else [])
    notes = [
        _action_note(name, error, action_endpoint) for name, error in failed.failures
    ]
    return AskResult(
        question=question,
        intent=intent,
        candidates=candidates[:CANDIDATES],
        entities=entities,
        actions=actions,
        answers=[_reply(message) for message in channel.messages],
        note=" ".join(dict.fromkeys(notes)) or None,
        safety=parse.get("safety"),
    )


def _intent_line(score: IntentScore) -> str:
    title = f"{score.title}  " if score.title else ""
    return f"{title}[intent {score.name}, confidence {score.confidence:.3f}]"


STANDING_LINES = frozenset({SAFETY_LINE, DANGER_LINE})
"""Short safety lines after an answer: they need no source of their own."""
SAFETY_MEANING = {
    "emergency": "EMERGENCY, 112 first",
    "crisis": "CRISIS, 113 first",
    "none": "none",
}


def safety_line(safety: dict[str, Any] | None) -> str:
    """The safety decision and what triggered it, on one line."""
    if not safety:
        return "(not assessed: unreadable message)"
    meaning = SAFETY_MEANING.get(
        str(safety.get("decision")), str(safety.get("decision"))
    )
    scores = safety.get("scores") or {}
    classifier = ", ".join(f"{k} {v:.2f}" for k, v in scores.items())
    return f"{meaning}  [trigger: {safety.get('trigger')}; classifier: {classifier}]"


def render_text(result: AskResult) -> str:
    """Lay out one result for the terminal.

    Args:
        result: The result of :func:`ask`.

    Returns:
        The text, ending with a newline.
    """
    lines = [f"Question:    {result.question}"]
    lines.append(f"Safety:      {safety_line(result.safety)}")
    lines.append(
        f"Topic:       {_intent_line(result.intent)}"
        if result.intent
        else "Topic:       (none recognised)"
    )
    for index, candidate in enumerate(result.candidates):
        label = "Next:" if index == 0 else ""
        lines.append(f"{label:<13}{_intent_line(candidate)}")
    if result.entities:
        found = ", ".join(
            f"{item['entity']}={item['value']}" for item in result.entities
        )
        lines.append(f"Entities:    {found}")
    lines.append(f"Answered by: {', '.join(result.actions) or '(no action)'}")
    for reply in result.answers:
        lines.append("")
        lines.append(reply.body)
        lines.extend(
            f"  {number}. {button['title']} -> {button['payload']}"
            for number, button in enumerate(reply.buttons, start=1)
        )
        if reply.body not in STANDING_LINES:
            lines.append(
                reply.source or "Source: none (this answer has no 'Bron:' line)"
            )
    if result.note:
        lines.extend(["", f"Note: {result.note}"])
    elif not result.answers:
        lines.extend(["", "(The assistant sent no answer.)"])
    return "\n".join(lines) + "\n"


def render_json(
    results: Sequence[AskResult], model: Path, action_endpoint: EndpointConfig | None
) -> str:
    """Render the results as one JSON document.

    Args:
        results: The results of :func:`ask`.
        model: The model that answered.
        action_endpoint: The action server used.

    Returns:
        Indented JSON with a trailing newline.
    """
    document = {
        "model": str(model),
        "action_endpoint": action_endpoint.url if action_endpoint else None,
        "results": [dataclasses.asdict(result) for result in results],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


async def ask_all(
    agent: Agent,
    questions: Sequence[str],
    action_endpoint: EndpointConfig | None,
    *,
    verbose: bool = False,
) -> list[AskResult]:
    """Ask each question in its own conversation, in order."""
    return [
        await ask(agent, question, action_endpoint, verbose=verbose)
        for question in questions
    ]


def run(
    questions: Sequence[str],
    *,
    model: Path,
    endpoints: Path,
    as_json: bool = False,
    verbose: bool = False,
) -> int:
    """Load the model once, ask every question and write the answers to stdout.

    Args:
        questions: The questions, each asked in a new conversation.
        model: The trained model archive.
        endpoints: The endpoints file with the action server.
        as_json: Write JSON instead of text.
        verbose: Show Rasa's log messages on stderr.

    Returns:
        0 when the questions were asked (also when the action server was not
        reachable), 1 when the model or the endpoints file is missing.
    """
    try:
        with quiet_rasa(verbose):
            endpoint = read_action_endpoint(endpoints)
            agent = load_agent(model, endpoint)
            results = asyncio.run(ask_all(agent, questions, endpoint, verbose=verbose))
    except FileNotFoundError as error:
        sys.stderr.write(f"Error: {error}\n")
        return 1
    if as_json:
        sys.stdout.write(render_json(results, model.resolve(), endpoint))
    else:
        sys.stdout.write(f"\n{_RULE}\n".join(render_text(item) for item in results))
    return 0
