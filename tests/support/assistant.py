"""Start the real assistant (action server + Rasa server) on free loopback ports.

Used by the end-to-end tests and by the benchmarks in ``bench/``.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from components.rest_channel import SENDER
from ops.processes import free_port, stop_process, wait_for_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "als-assistent.tar.gz"
VENV_BIN = Path(sys.executable).parent
MAX_MESSAGE_CHARS = 1000
RATE_LIMIT_PER_MINUTE = 20


@dataclass
class RunningAssistant:
    """Addresses, files and processes of a started assistant."""

    base_url: str
    rest_url: str
    tracker_db: Path
    workdir: Path
    rasa: subprocess.Popen[bytes]
    actions: subprocess.Popen[bytes]
    startup_seconds: float
    action_port: int = 0
    env: dict[str, str] = field(default_factory=dict)

    def say(self, sender: str, message: object) -> list[dict[str, object]]:
        """Send one message over REST and return the bot's replies (``sender``:
        a conversation id, or a test's name for one, see ``conversation_id``)."""
        response = requests.post(
            self.rest_url,
            json={"sender": conversation_id(sender), "message": message},
            timeout=30,
        )
        response.raise_for_status()
        replies: list[dict[str, object]] = response.json()
        return replies


def conversation_id(name: str) -> str:
    """A valid REST sender for a test's conversation name: the name when it is
    one already, else the name's letters plus 32 hex digits derived from it
    (the same name gives the same conversation)."""
    if SENDER.fullmatch(name):
        return name
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", name)[:64]
    return f"{prefix}-{uuid.uuid5(uuid.NAMESPACE_URL, name).hex}"


def action_server_command(port: int) -> list[str]:
    """The command that starts the project's action server on ``port``."""
    python = str(VENV_BIN / "python")
    return [python, "-m", "components.action_server", "--port", str(port)]


def _serve_live_model(
    live: Path, workdir: Path, env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], Path]:
    """Start the model server for ``live``; return it and an endpoints file."""
    port = free_port()
    server = subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "bot.model_server"]
        + ["--file", str(live), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=(workdir / "logs" / "model-server.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        (ROOT / "endpoints.yml").read_text(encoding="utf-8")
        + f"\nmodels:\n  url: http://127.0.0.1:{port}/model.tar.gz\n"
        + "  wait_time_between_pulls: 2\n",
        encoding="utf-8",
    )
    wait_for_port(port, server, 30)
    return server, endpoints


@contextmanager
def start_assistant(
    workdir: Path,
    model: Path = MODEL,
    live_model: Path | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[RunningAssistant]:
    """Start both servers with their own databases in ``workdir``; stop on exit.

    With ``live_model``, Rasa pulls its model from the project's model server
    serving that file (as ``make run`` does), instead of loading ``model``.
    ``env`` adds or overrides environment variables of the started processes;
    by default the chat accepts the origins of its own address only, the
    limits are ``MAX_MESSAGE_CHARS`` and ``RATE_LIMIT_PER_MINUTE``, and the
    limits per client address are off (every test client is 127.0.0.1).
    """
    if not model.exists():
        raise FileNotFoundError(f"{model} is missing: run `make model`")
    rasa_port, action_port = free_port(), free_port()
    base_url = f"http://127.0.0.1:{rasa_port}"
    env = {
        **os.environ,
        "RASA_PORT": str(rasa_port),
        "ALLOWED_ORIGINS": f"{base_url},http://localhost:{rasa_port}",
        "MAX_MESSAGE_CHARS": str(MAX_MESSAGE_CHARS),
        "RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT_PER_MINUTE),
        "CLIENT_RATE_LIMIT_PER_MINUTE": "0",
        "CLIENT_NEW_CONVERSATIONS_PER_MINUTE": "0",
        "DATABASE_URL": f"sqlite:///{workdir / 'bot.db'}",
        "TRACKER_DB_URL": f"sqlite:///{workdir / 'tracker.db'}",
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "SANIC_HOST": "127.0.0.1",
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),
        **(env or {}),
    }
    python = str(VENV_BIN / "python")
    for command in (["db", "upgrade"], ["db", "seed"]):
        subprocess.run(
            [python, "-m", "bot", *command],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    started = time.monotonic()
    actions = subprocess.Popen(
        action_server_command(action_port),
        cwd=ROOT,
        env=env,
        stdout=(logs / "actions.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    model_server = None
    model_args = ["--model", str(model), "--endpoints", "endpoints.yml"]
    if live_model is not None:
        model_server, endpoints = _serve_live_model(live_model, workdir, env)
        model_args = ["--endpoints", str(endpoints)]
    rasa = subprocess.Popen(
        [str(VENV_BIN / "rasa"), "run", *model_args]
        + ["--credentials", "credentials.yml", "--interface", "127.0.0.1"]
        + ["--port", str(rasa_port)],
        cwd=ROOT,
        env=env,
        stdout=(logs / "rasa.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{action_port}/health", actions, 60)
        wait_until_up(f"http://127.0.0.1:{rasa_port}/", rasa, 180)
        yield RunningAssistant(
            base_url=base_url,
            rest_url=f"{base_url}/webhooks/rest/webhook",
            tracker_db=workdir / "tracker.db",
            workdir=workdir,
            rasa=rasa,
            actions=actions,
            startup_seconds=time.monotonic() - started,
            action_port=action_port,
            env=env,
        )
    finally:
        stop_process(rasa)
        stop_process(actions)
        if model_server is not None:
            stop_process(model_server)
