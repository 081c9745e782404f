"""A really started assistant: action server + Rasa server on free loopback ports."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from tests.support.assistant import (
    MODEL,
    ROOT,
    VENV_BIN,
    RunningAssistant,
    free_port,
    stop_process,
    wait_until_up,
)


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    """Start the trained assistant with its own databases; stop it afterwards."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it)")
    workdir = tmp_path_factory.mktemp("assistant")
    rasa_port, action_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bot.db'}",
        "TRACKER_DB_URL": f"sqlite:///{workdir / 'tracker.db'}",
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "SANIC_HOST": "127.0.0.1",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    python = str(VENV_BIN / "python")
    for command in (["db", "upgrade"], ["db", "seed"]):
        subprocess.run([python, "-m", "bot", *command], env=env, cwd=ROOT, check=True)
    logs = workdir / "logs"
    logs.mkdir()
    actions = subprocess.Popen(
        [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
        cwd=ROOT,
        env=env,
        stdout=(logs / "actions.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [
            str(VENV_BIN / "rasa"),
            "run",
            "--model",
            str(MODEL),
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
            "--interface",
            "127.0.0.1",
            "--port",
            str(rasa_port),
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=(logs / "rasa.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{action_port}/health", actions, 60)
        wait_until_up(f"http://127.0.0.1:{rasa_port}/", rasa, 180)
        yield RunningAssistant(
            rest_url=f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            tracker_db=workdir / "tracker.db",
            rasa=rasa,
            actions=actions,
        )
    finally:
        stop_process(rasa)
        stop_process(actions)
