"""The real assistant while its action server is killed, paused or refuses Rasa.

These tests stop and start processes, so they use an assistant of their own,
not the shared one. In order: kill the action server (FAQ answers go on,
studies get the honest reply at once), start it again (studies are answered
again), pause it with SIGSTOP (the honest reply within the action time limit,
the next FAQ turn fast), resume it, and run it with another token than Rasa
sends (an error reply: the honest reply again). Measured times are printed
(``pytest -s``).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest

from components.action_fallback import LOOKUP_UNAVAILABLE_TEXT
from tests.support.assistant import (
    MODEL,
    ROOT,
    RunningAssistant,
    action_server_command,
    start_assistant,
    stop_process,
    wait_until_up,
)

ACTION_TIMEOUT_SECONDS = 5.0
"""The default ``ACTION_TIMEOUT_SECONDS``, which this assistant runs with."""
FAST_SECONDS = 3.0
"""A turn that needs no waiting for the action server answers within this."""
STUDIES = "welke onderzoeken zijn er"
RILUZOL = "wat is riluzol"


def _text(replies: list[dict[str, object]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def _timed(assistant: RunningAssistant, sender: str, message: str) -> tuple[str, float]:
    started = time.monotonic()
    text = _text(assistant.say(sender, message))
    return text, time.monotonic() - started


def _report(what: str, seconds: float) -> None:
    sys.stdout.write(f"\n[action faults] {what}: {seconds:.2f} s\n")


def _start_actions(assistant: RunningAssistant, **env: str) -> None:
    """Start a new action server on the assistant's action port."""
    log = assistant.workdir / "logs" / f"actions-{uuid.uuid4().hex[:6]}.log"
    with log.open("wb") as output:
        assistant.actions = subprocess.Popen(
            action_server_command(assistant.action_port),
            cwd=ROOT,
            env={**assistant.env, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    wait_until_up(
        f"http://127.0.0.1:{assistant.action_port}/health", assistant.actions, 60
    )


def _kill_actions(assistant: RunningAssistant) -> None:
    assistant.actions.kill()
    assistant.actions.wait(timeout=10)


@pytest.fixture(scope="module")
def assistant_to_break(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningAssistant]:
    """An assistant of its own, with the default action time limit."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does it)")
    workdir = tmp_path_factory.mktemp("action-faults")
    env = {"ACTION_TIMEOUT_SECONDS": str(ACTION_TIMEOUT_SECONDS)}
    with start_assistant(workdir, env=env) as running:
        first = running.actions
        try:
            yield running
        finally:
            if running.actions is not first:
                if running.actions.poll() is None:
                    os.kill(running.actions.pid, signal.SIGCONT)
                stop_process(running.actions)


@pytest.fixture
def sender() -> str:
    """A new conversation."""
    return f"test-faults-{uuid.uuid4().hex}"


def test_killed_action_server_faq_goes_on_and_studies_get_the_honest_reply(
    assistant_to_break: RunningAssistant, sender: str
) -> None:
    assistant = assistant_to_break
    assert "MRI-onderzoek" in _text(assistant.say(sender, STUDIES))

    _kill_actions(assistant)
    riluzol, riluzol_seconds = _timed(assistant, sender, RILUZOL)
    studies, studies_seconds = _timed(assistant, sender, STUDIES)

    _report("killed: FAQ turn", riluzol_seconds)
    _report("killed: studies turn (honest reply)", studies_seconds)
    assert "Rilutek" in riluzol
    assert riluzol_seconds < FAST_SECONDS
    assert studies == LOOKUP_UNAVAILABLE_TEXT
    assert "www.als-centrum.nl" in studies and "eigen arts" in studies
    assert studies_seconds < FAST_SECONDS


def test_restarted_action_server_answers_studies_again(
    assistant_to_break: RunningAssistant, sender: str
) -> None:
    assistant = assistant_to_break
    if assistant.actions.poll() is None:
        _kill_actions(assistant)
    assert _text(assistant.say(sender, STUDIES)) == LOOKUP_UNAVAILABLE_TEXT

    _start_actions(assistant)
    studies, seconds = _timed(assistant, sender, STUDIES)

    _report("restarted: studies turn", seconds)
    assert "MRI-onderzoek" in studies
    assert "Bron:" in studies


def test_paused_action_server_honest_reply_within_the_time_limit(
    assistant_to_break: RunningAssistant, sender: str
) -> None:
    assistant = assistant_to_break
    if assistant.actions.poll() is not None:
        _start_actions(assistant)
    assert "MRI-onderzoek" in _text(assistant.say(sender, STUDIES))

    os.kill(assistant.actions.pid, signal.SIGSTOP)
    try:
        studies, studies_seconds = _timed(assistant, sender, STUDIES)
        riluzol, riluzol_seconds = _timed(assistant, sender, RILUZOL)
    finally:
        os.kill(assistant.actions.pid, signal.SIGCONT)

    _report("paused: studies turn (honest reply)", studies_seconds)
    _report("paused: next FAQ turn", riluzol_seconds)
    assert studies == LOOKUP_UNAVAILABLE_TEXT
    assert ACTION_TIMEOUT_SECONDS - 0.5 < studies_seconds
    assert studies_seconds < ACTION_TIMEOUT_SECONDS + 2
    assert "Rilutek" in riluzol
    assert riluzol_seconds < FAST_SECONDS

    resumed, resumed_seconds = _timed(assistant, sender, STUDIES)
    _report("resumed: studies turn", resumed_seconds)
    assert "MRI-onderzoek" in resumed


def test_action_server_refusing_rasa_gets_the_honest_reply(
    assistant_to_break: RunningAssistant, sender: str
) -> None:
    assistant = assistant_to_break
    _kill_actions(assistant)
    _start_actions(assistant, ACTION_SERVER_TOKEN="not-the-token-rasa-sends")

    studies, seconds = _timed(assistant, sender, STUDIES)

    _report("wrong token (HTTP 403): studies turn", seconds)
    assert studies == LOOKUP_UNAVAILABLE_TEXT
    assert seconds < FAST_SECONDS
    rasa_log = (assistant.workdir / "logs" / "rasa.log").read_text(errors="replace")
    assert "answered HTTP 403" in rasa_log

    _kill_actions(assistant)
    _start_actions(assistant)
    assert "MRI-onderzoek" in _text(assistant.say(sender, STUDIES))


def test_failed_turns_are_stored_in_the_conversation(
    assistant_to_break: RunningAssistant, sender: str
) -> None:
    """The honest reply is part of the conversation like any other answer."""
    assistant = assistant_to_break
    _kill_actions(assistant)
    try:
        studies = _text(assistant.say(sender, STUDIES))
        riluzol = _text(assistant.say(sender, RILUZOL))
    finally:
        _start_actions(assistant)

    assert studies == LOOKUP_UNAVAILABLE_TEXT and "Rilutek" in riluzol
    with sqlite3.connect(assistant.tracker_db) as connection:
        rows = connection.execute(
            "SELECT type_name, action_name FROM events WHERE sender_id = ? ORDER BY id",
            (sender,),
        ).fetchall()
    kinds = [kind for kind, _ in rows]
    assert kinds.count("user") == 2 and kinds.count("bot") == 2
    assert ("action", "action_list_studies") in rows
