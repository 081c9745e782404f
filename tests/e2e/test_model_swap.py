"""A newly published model goes live without a restart; a broken one is refused."""

from __future__ import annotations

import io
import json
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.model_server import publish
from tests.support.assistant import MODEL, RunningAssistant, start_assistant

QUESTION = "wat is de oorzaak van als"
MARK = "NIEUWE VERSIE. "
ORIGINAL = "De oorzaak van ALS"
MAX_WAIT_DURING_SWAP_SECONDS = 1.5
"""Loading a model takes about 3 s on 2 cores; no turn may wait for all of it.

Measured, longest wait of a turn during a swap: 2.70 s when Rasa loaded the
model in its event loop, 0.78 s with ``components.model_loading`` (the loading
thread still holds Python's interpreter lock now and then)."""


def _variant_with_new_answer(model: Path, target: Path) -> Path:
    """Copy ``model`` with the cause answer reworded: an answer-only change."""
    with tarfile.open(model, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            content = source.extractfile(member) if member.isfile() else None
            data = content.read() if content else b""
            if member.name.endswith("metadata.json"):
                metadata = json.loads(data)
                answer = metadata["domain"]["responses"]["utter_faq_oorzaak"][0]
                answer["text"] = MARK + answer["text"]
                data = json.dumps(metadata).encode("utf-8")
                member.size = len(data)
            out.addfile(member, io.BytesIO(data) if member.isfile() else None)
    return target


@pytest.fixture(scope="module")
def live_assistant(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningAssistant]:
    """An assistant that pulls its model from the model server, as `make run`."""
    workdir = tmp_path_factory.mktemp("live")
    live = publish(MODEL, workdir / "live" / "model.tar.gz")
    with start_assistant(workdir, live_model=live) as running:
        yield running


def _answer(assistant: RunningAssistant, sender: str) -> str:
    replies = assistant.say(sender, QUESTION)
    return str(replies[0].get("text", "")) if replies else ""


def _wait_for(assistant: RunningAssistant, sender: str, prefix: str) -> str:
    deadline = time.monotonic() + 60
    answer = ""
    while time.monotonic() < deadline:
        answer = _answer(assistant, sender)
        if answer.startswith(prefix):
            return answer
        time.sleep(1)
    return answer


def test_new_model_goes_live_and_conversation_continues(
    live_assistant: RunningAssistant, tmp_path: Path
) -> None:
    sender = "swap-conversation"
    assert _answer(live_assistant, sender).startswith("De oorzaak van ALS")
    variant = _variant_with_new_answer(MODEL, tmp_path / "variant.tar.gz")
    publish(variant, live_assistant.workdir / "live" / "model.tar.gz")
    assert _wait_for(live_assistant, sender, MARK).startswith(MARK)
    assert live_assistant.rasa.poll() is None, "no restart"
    history = live_assistant.say(sender, "/faq_erfelijkheid")
    assert "C9orf72" in str(history[0].get("text"))


def test_turns_are_answered_while_a_new_model_loads(
    live_assistant: RunningAssistant, tmp_path: Path
) -> None:
    """Loading takes seconds; it must not hold up the turns arriving meanwhile.

    Every poll is a new conversation, so the per-conversation rate limit never
    answers instead of the model.
    """
    current = _answer(live_assistant, "swap-waiting-start")
    if current.startswith(MARK):
        publish(MODEL, live_assistant.workdir / "live" / "model.tar.gz")
        expected = ORIGINAL
    else:
        variant = _variant_with_new_answer(MODEL, tmp_path / "variant.tar.gz")
        publish(variant, live_assistant.workdir / "live" / "model.tar.gz")
        expected = MARK
    waits: list[float] = []
    answers: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not answers[-1:] == [expected]:
        started = time.monotonic()
        answer = _answer(live_assistant, f"swap-waiting-{len(waits)}")
        waits.append(time.monotonic() - started)
        answers.append(expected if answer.startswith(expected) else answer[:20])
        time.sleep(0.05)
    assert answers[-1] == expected, "the new model went live"
    assert set(answers) <= {expected, current[:20]}, "every turn was answered"
    longest = max(waits)
    sys.stdout.write(
        f"\n[model swap] {len(waits)} turns, longest wait {longest:.2f} s\n"
    )
    assert longest < MAX_WAIT_DURING_SWAP_SECONDS


def test_broken_model_is_refused_and_the_old_one_keeps_serving(
    live_assistant: RunningAssistant,
) -> None:
    sender = "swap-broken"
    before = _answer(live_assistant, sender)
    live = live_assistant.workdir / "live" / "model.tar.gz"
    broken = live.parent / "broken.tar.gz"
    broken.write_bytes(b"this is not a model" * 100)
    publish(broken, live)
    time.sleep(7)
    assert _answer(live_assistant, sender) == before
    assert live_assistant.rasa.poll() is None
    log = (live_assistant.workdir / "logs" / "rasa.log").read_text(errors="replace")
    assert "Failed to update model" in log
