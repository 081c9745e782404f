"""The action server launcher, as a real process: token check and error replies."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from rasa.utils.endpoints import read_endpoint_config

from components.action_server import allowed_host, error_body, token_matches
from tests.support.assistant import (
    ROOT,
    action_server_command,
    free_port,
    stop_process,
    wait_until_up,
)
from tests.support.database import seeded_sqlite
from tests.support.probe_actions import PROBE_FILE_VARIABLE

SECRET = "mijn BSN is 123456782 en mijn nummer 0612345678"
SECRET_PARTS = ("123456782", "0612345678", "BSN")
PROBE_ACTIONS = ["--actions", "tests.support.probe_actions"]


@dataclass
class ActionServer:
    """A started launcher: its address, token, probe file and log."""

    url: str
    token: str
    probe: Path
    log: Path

    def auth(self) -> dict[str, str]:
        """The header Rasa sends."""
        return {"Authorization": f"Bearer {self.token}"}

    def call(
        self, action: str, text: str = SECRET, headers: dict[str, str] | None = None
    ) -> requests.Response:
        """Ask the server to run ``action`` for the message ``text``."""
        return requests.post(
            f"{self.url}/webhook",
            json=action_call(action, text),
            headers=self.auth() if headers is None else headers,
            timeout=10,
        )

    def probe_runs(self) -> int:
        """How often ``action_probe`` ran."""
        return len(self.probe.read_text().splitlines()) if self.probe.exists() else 0


def action_call(action: str, text: str, **latest: Any) -> dict[str, Any]:
    """A request as Rasa 3.6 sends it, with ``text`` as the latest message."""
    latest_message = {"text": text, "intent": {}, "entities": [], **latest}
    return {
        "next_action": action,
        "sender_id": "test",
        "version": "3.6.21",
        "tracker": {
            "sender_id": "test",
            "slots": {},
            "latest_message": latest_message,
            "events": [{"event": "user", "text": text, "parse_data": latest_message}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {},
    }


def _environment(workdir: Path, token: str) -> dict[str, str]:
    url = seeded_sqlite(workdir)
    return {
        **os.environ,
        "DATABASE_URL": url,
        "ACTION_SERVER_TOKEN": token,
        PROBE_FILE_VARIABLE: str(workdir / "probe.txt"),
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
    }


@contextmanager
def _launched(
    workdir: Path, token: str, *extra: str
) -> Iterator[tuple[ActionServer, subprocess.Popen[bytes]]]:
    port = free_port()
    log = workdir / "actions.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*action_server_command(port), *PROBE_ACTIONS, *extra],
            cwd=ROOT,
            env=_environment(workdir, token),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process, 60)
        yield (
            ActionServer(f"http://127.0.0.1:{port}", token, workdir / "probe.txt", log),
            process,
        )
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    """One launcher with a token, serving the probe and the project's actions."""
    workdir = tmp_path_factory.mktemp("action-server")
    with _launched(workdir, secrets.token_urlsafe(32)) as (running, _process):
        yield running


def _assert_generic(response: requests.Response, status: int) -> None:
    assert response.status_code == status
    assert response.json() == {"error": error_body(status)["error"]}
    for part in SECRET_PARTS:
        assert part not in response.text


def test_health_needs_no_token(server: ActionServer) -> None:
    response = requests.get(f"{server.url}/health", timeout=5)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_call_without_token_is_refused_and_runs_nothing(server: ActionServer) -> None:
    before = server.probe_runs()

    response = server.call("action_probe", headers={})

    _assert_generic(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert server.probe_runs() == before
    _assert_generic(requests.get(f"{server.url}/actions", timeout=5), 401)
    preflight = requests.options(
        f"{server.url}/webhook",
        headers={"Origin": "http://a.example", "Access-Control-Request-Method": "POST"},
        timeout=5,
    )
    _assert_generic(preflight, 401)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer wrong",
        "Bearer ",
        "bearer {token}",
        "Bearer {token}x",
        "Bearer {short}",
        "Basic {token}",
        "{token}",
    ],
)
def test_wrong_token_is_refused_and_runs_nothing(
    server: ActionServer, header: str
) -> None:
    before = server.probe_runs()
    value = header.format(token=server.token, short=server.token[:-1])

    response = server.call("action_probe", headers={"Authorization": value})

    _assert_generic(response, 403)
    assert server.probe_runs() == before


def test_right_token_runs_the_action(server: ActionServer) -> None:
    before = server.probe_runs()

    response = server.call("action_probe")

    assert response.status_code == 200
    assert response.json()["responses"][0]["text"] == "probe"
    assert server.probe_runs() == before + 1


def test_project_action_answers_with_the_token(server: ActionServer) -> None:
    response = server.call("action_list_studies", "welke onderzoeken zijn er")

    assert response.status_code == 200
    assert "MRI-onderzoek" in response.json()["responses"][0]["text"]


def test_failing_action_reply_and_log_have_no_user_text(server: ActionServer) -> None:
    response = server.call("action_fail")

    _assert_generic(response, 500)
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert "ValueError" in log
    for part in SECRET_PARTS:
        assert part not in log


def test_broken_request_to_a_project_action_echoes_nothing(
    server: ActionServer,
) -> None:
    body = action_call("action_show_study", SECRET, entities=SECRET)

    response = requests.post(
        f"{server.url}/webhook", json=body, headers=server.auth(), timeout=10
    )

    _assert_generic(response, 500)


@pytest.mark.parametrize(
    ("data", "status"),
    [(SECRET.encode(), 400), (b"", 400), (b"[" * 5000 + SECRET.encode(), 400)],
    ids=["not-json", "empty", "deep"],
)
def test_unreadable_request_gets_a_generic_reply(
    server: ActionServer, data: bytes, status: int
) -> None:
    response = requests.post(
        f"{server.url}/webhook",
        data=data,
        headers={**server.auth(), "Content-Type": "application/json"},
        timeout=10,
    )

    _assert_generic(response, status)


def test_unknown_action_is_not_echoed(server: ActionServer) -> None:
    response = server.call("action_that_does_not_exist")

    _assert_generic(response, 404)
    assert "action_that_does_not_exist" not in response.text


def test_rejection_keeps_only_the_action_name(server: ActionServer) -> None:
    response = server.call("action_reject")

    assert response.status_code == 400
    assert response.json() == {"error": "Bad Request", "action_name": "action_reject"}


def test_unknown_path_gets_a_generic_reply(server: ActionServer) -> None:
    response = requests.get(f"{server.url}/{SECRET}", headers=server.auth(), timeout=5)

    _assert_generic(response, 404)
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert "NotFound" in log
    for part in SECRET_PARTS:
        assert part not in log


def _exit(argv: list[str], token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*action_server_command(free_port()), *argv],
        cwd=ROOT,
        env={**os.environ, "ACTION_SERVER_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_refuses_to_start_without_a_token() -> None:
    result = _exit([], "")

    assert result.returncode == 2
    assert "ACTION_SERVER_TOKEN is empty" in result.stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "8.8.8.8", "example.com"])
def test_refuses_to_listen_on_a_public_address(host: str) -> None:
    result = _exit(["--host", host], "some-token")

    assert result.returncode == 2
    assert "loopback or private" in result.stderr


def test_insecure_no_token_runs_without_a_check(tmp_path: Path) -> None:
    with _launched(tmp_path, "", "--insecure-no-token") as (running, _process):
        response = running.call("action_probe", headers={})

    assert response.status_code == 200
    assert running.probe_runs() == 1
    assert "WITHOUT a token" in running.log.read_text()


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("10.1.2.3", True),
        ("192.168.1.5", True),
        ("0.0.0.0", False),
        ("::", False),
        ("145.100.1.1", False),
        ("localhost", False),
    ],
)
def test_allowed_hosts(host: str, allowed: bool) -> None:
    assert allowed_host(host) is allowed


def test_token_comparison() -> None:
    assert token_matches("Bearer abc", "abc")
    assert not token_matches("Bearer abd", "abc")
    assert not token_matches(None, "abc")
    assert not token_matches("Bearer äbc", "abc")


def test_endpoints_file_sends_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "t0k-en_1")

    endpoint = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")

    assert endpoint is not None
    assert endpoint.url == "http://127.0.0.1:5055/webhook"
    assert endpoint.headers == {"Authorization": "Bearer t0k-en_1"}


def test_quoted_header_would_not_be_expanded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Why endpoints.yml leaves the header unquoted: Rasa skips quoted values."""
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "t0k-en_1")
    quoted = tmp_path / "endpoints.yml"
    quoted.write_text(
        'action_endpoint:\n  url: "http://x"\n  headers:\n'
        '    Authorization: "Bearer ${ACTION_SERVER_TOKEN}"\n'
    )

    endpoint = read_endpoint_config(str(quoted), "action_endpoint")

    assert endpoint is not None
    assert endpoint.headers == {"Authorization": "Bearer ${ACTION_SERVER_TOKEN}"}
