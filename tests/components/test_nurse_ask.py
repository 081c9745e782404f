"""``python -m bot ask`` on the real trained model.

The model is loaded once for the in-process tests; one test runs the command
as a real process against a real action server.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.assistant import (
    MODEL,
    ROOT,
    VENV_BIN,
    free_port,
    stop_process,
    wait_until_up,
)
from tests.support.database import seeded_sqlite
from tests.support.tools import require

RILUZOL = "wat is riluzol"
STUDIES = "welke onderzoeken zijn er"
QUIET = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "RASA_TELEMETRY_ENABLED": "false",
}


def _require_model() -> None:
    require(MODEL, "the trained model")


@pytest.fixture(scope="module")
def unreachable_endpoint() -> str:
    """An action endpoint on a port nothing listens on."""
    return f"http://127.0.0.1:{free_port()}/webhook"


@pytest.fixture(scope="module")
def agent(unreachable_endpoint: str) -> object:
    """The trained model, loaded once, with an unreachable action server."""
    _require_model()
    for name, value in QUIET.items():
        os.environ.setdefault(name, value)
    from rasa.utils.endpoints import EndpointConfig

    from components import nurse_ask

    with nurse_ask.quiet_rasa():
        return nurse_ask.load_agent(MODEL, EndpointConfig(unreachable_endpoint))


@pytest.fixture
def ask_in_process(
    agent: object, unreachable_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> list[Path]:
    """Let ``bot.cli.main(["ask", ...])`` reuse the loaded model.

    Returns:
        The model paths the command asked to load, one per load.
    """
    from components import nurse_ask

    loads: list[Path] = []

    def load_agent(model: Path, _endpoint: object) -> object:
        loads.append(model)
        return agent

    monkeypatch.setattr(nurse_ask, "load_agent", load_agent)
    monkeypatch.setenv("ACTION_ENDPOINT_URL", unreachable_endpoint)
    for name, value in QUIET.items():
        monkeypatch.setenv(name, value)
    return loads


def test_ask_prints_topic_confidence_answer_and_source(
    ask_in_process: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", RILUZOL]) == 0

    out = capsys.readouterr().out
    assert "Question:    wat is riluzol" in out
    shown = re.search(
        r"Riluzol \(Rilutek\)  \[intent faq_riluzol, confidence (\d\.\d+)\]", out
    )
    assert shown is not None and float(shown.group(1)) >= 0.9
    assert out.count("[intent ") == 3, "the intent and the next two candidates"
    assert "Answered by: utter_faq_riluzol" in out
    assert "Rilutek" in out and "2 keer per dag 50 mg" in out
    assert "  1. Andere behandelingen -> /faq_behandeling" in out
    assert "\nBron: patiëntenfolder ALS" in out
    assert "Laatst nagekeken: " in out
    assert "Note:" not in out


def test_unreachable_action_server_gives_nlu_result_and_a_note(
    ask_in_process: list[Path],
    unreachable_endpoint: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ask", STUDIES]) == 0

    captured = capsys.readouterr()
    assert "[intent onderzoek_meedoen, confidence " in captured.out
    assert "Answered by: action_list_studies" in captured.out
    assert "Note: " in captured.out
    assert unreachable_endpoint in captured.out
    assert "start the action server with `make actions`" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_several_questions_load_the_model_once(
    ask_in_process: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--model", str(MODEL), RILUZOL, STUDIES, "hallo"]) == 0

    out = capsys.readouterr().out
    assert ask_in_process == [MODEL]
    for intent in ("faq_riluzol", "onderzoek_meedoen", "greet"):
        assert f"[intent {intent}, " in out


def test_json_output_parses(
    ask_in_process: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--json", RILUZOL, STUDIES]) == 0

    document = json.loads(capsys.readouterr().out)
    riluzol, studies = document["results"]
    assert riluzol["intent"]["name"] == "faq_riluzol"
    assert riluzol["intent"]["title"] == "Riluzol (Rilutek)"
    assert riluzol["intent"]["confidence"] > 0.5
    assert len(riluzol["candidates"]) == 2
    (answer,) = riluzol["answers"]
    assert "Rilutek" in answer["body"]
    assert answer["source"].startswith("Bron: ")
    assert answer["text"].endswith(answer["source"])
    assert answer["buttons"][0] == {
        "title": "Andere behandelingen",
        "payload": "/faq_behandeling",
    }
    assert riluzol["note"] is None
    assert studies["intent"]["name"] == "onderzoek_meedoen"
    assert "make actions" in studies["note"]


def test_missing_model_fails_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in QUIET.items():
        monkeypatch.setenv(name, value)

    code = main(["ask", "--model", str(tmp_path / "none.tar.gz"), RILUZOL])

    assert code == 1
    assert "model not found" in capsys.readouterr().err


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real action server on a seeded SQLite database; yields its endpoint."""
    _require_model()
    workdir = tmp_path_factory.mktemp("actions")
    url = seeded_sqlite(workdir)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SANIC_HOST": "127.0.0.1"}
    with (workdir / "actions.log").open("wb") as log:
        process = subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions"]
            + ["--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process, 60)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        stop_process(process)


def test_command_answers_with_custom_actions_and_stays_quiet(
    action_server: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "ACTION_ENDPOINT_URL": action_server,
        "LOG_LEVEL": "DEBUG",
    }
    # As in a nurse's shell: the command must quiet TensorFlow itself (importing
    # rasa in this process, as other tests do, sets the variable through jax).
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "bot", "ask", "--json", RILUZOL, STUDIES],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert document["action_endpoint"] == action_server
    riluzol, studies = document["results"]
    assert riluzol["intent"]["name"] == "faq_riluzol"
    assert studies["intent"]["name"] == "onderzoek_meedoen"
    assert studies["actions"] == ["action_list_studies"]
    assert studies["note"] is None
    (answer,) = studies["answers"]
    assert "MRI-onderzoek" in answer["body"]
    assert answer["source"].startswith("Bron: ")
    assert any(
        button["payload"] == '/onderzoek_info{"study": "mri"}'
        for button in answer["buttons"]
    )
