"""The scale-out cluster with real processes: ``python -m ops.cluster up``.

One cluster (nginx, two Rasa processes, two action servers, PostgreSQL, Redis)
is started for this module on free loopback ports in a scratch folder. The
tests talk to it only through nginx's public port, as users do, and look into
the tracker store (PostgreSQL) to check what was kept.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from bench import loadtest
from bench.conversations import CONVERSATIONS
from ops.cluster import NGINX, PG_BIN, REDIS_SERVER, ClusterState, running_cluster
from ops.processes import free_port, port_is_open, stop_process
from tests.support.assistant import ROOT, conversation_id
from tests.support.tools import require
from tests.support.tracker import stored_user_texts
from tests.support.webchat import new_chat

LIVE_MODEL = ROOT / "var" / "live" / "model.tar.gz"
START_SECONDS = 300
SUMMARY = re.compile(
    r"^turns=(\d+) rps=([\d.]+) p50_ms=(\d+) p95_ms=(\d+) errors=(\d+) lost=(\d+)$"
)


@dataclass
class RunningCluster:
    """A started cluster: its folder and where its parts listen."""

    directory: Path
    state: ClusterState

    @property
    def public_url(self) -> str:
        """nginx, the only public entry point."""
        return self.state.public_url

    def current(self) -> ClusterState:
        """The state now (process ids change when the supervisor restarts one)."""
        state = ClusterState.load(self.directory / "state.json")
        assert state is not None
        return state


@pytest.fixture(scope="module")
def cluster() -> Iterator[RunningCluster]:
    """A running cluster; stopped (with all its processes) at the end."""
    require(PG_BIN / "pg_ctl", "PostgreSQL")
    require(REDIS_SERVER, "redis-server")
    require(NGINX, "nginx")
    require(LIVE_MODEL, "the published model (make publish)")
    directory = Path(tempfile.mkdtemp(prefix="als-cluster-"))
    log = (directory / "supervisor.log").open("wb")
    command = [sys.executable, "-m", "ops.cluster", "up", "--dir", str(directory)]
    command += ["--port", str(free_port())]
    unlimited = {
        "CLIENT_RATE_LIMIT_PER_MINUTE": "0",
        "CLIENT_NEW_CONVERSATIONS_PER_MINUTE": "0",
    }
    supervisor = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **unlimited}, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        state = None
        while state is None and time.monotonic() < deadline:
            if supervisor.poll() is not None:
                pytest.fail((directory / "supervisor.log").read_text())
            state = running_cluster(directory)
            time.sleep(1)
        assert state is not None, "the cluster did not start in time"
        yield RunningCluster(directory, state)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(timeout=120)
        except subprocess.TimeoutExpired:
            stop_process(supervisor)
        shutil.rmtree(directory, ignore_errors=True)


def _stored(cluster: RunningCluster, sender: str) -> list[str]:
    return stored_user_texts(cluster.state.tracker_db_url, sender)


def _say(cluster: RunningCluster, sender: str, message: str) -> list[str]:
    response = requests.post(
        f"{cluster.public_url}/webhooks/rest/webhook",
        json={"sender": conversation_id(sender), "message": message},
        headers={"Origin": cluster.public_url},
        timeout=60,
    )
    response.raise_for_status()
    return [str(reply.get("text", "")) for reply in response.json()]


def test_answers_come_through_the_public_entry_point(cluster: RunningCluster) -> None:
    faq = " ".join(_say(cluster, "cluster-faq", "wat is riluzol"))
    assert "Riluzol" in faq and "Bron:" in faq
    study = " ".join(_say(cluster, "cluster-db", "vertel over het MRI-onderzoek"))
    assert "MRI" in study and "Bron:" in study
    assert "niet om onderzoeken" not in study, "the action servers answered"


def test_only_the_chat_channels_are_reachable_from_outside(
    cluster: RunningCluster,
) -> None:
    for path in ("/model", "/status", "/conversations/cluster-faq/tracker", "/version"):
        assert requests.get(cluster.public_url + path, timeout=10).status_code == 404
    foreign = requests.post(
        f"{cluster.public_url}/webhooks/rest/webhook",
        json={"sender": "x", "message": "hoi"},
        headers={"Origin": "https://elders.example"},
        timeout=10,
    )
    assert foreign.status_code == 403
    for server in cluster.state.rasa:
        direct = requests.get(f"http://127.0.0.1:{server.port}/status", timeout=10)
        assert direct.status_code == 404, "Rasa's HTTP API is off"


def test_web_chat_works_through_the_entry_point(
    cluster: RunningCluster, browser: Any
) -> None:
    site = SimpleNamespace(base_url=cluster.public_url, tracker_db=Path("unused"))
    context, chat = new_chat(browser, site)
    try:
        chat.open()
        assert "Riluzol" in chat.ask("wat is riluzol")
        sockets = [url for url in chat.requests if "/socket.io/" in url]
        assert sockets and all("route=" in url for url in sockets)
        assert any(url.startswith("ws://") for url in sockets), "websocket upgrade"
        assert chat.errors == [] and chat.blocked == []
        session = chat.session_id()
        assert _stored(cluster, session) == [
            "/greet",
            "wat is riluzol",
        ]

        _restart_every_rasa_process(cluster)
        assert "Tofersen" in chat.ask("zijn er nieuwe medicijnen")
        assert chat.session_id() == session, "the page reconnected to its session"
        assert _stored(cluster, session) == [
            "/greet",
            "wat is riluzol",
            "zijn er nieuwe medicijnen",
        ]
    finally:
        context.close()


def _restart_every_rasa_process(cluster: RunningCluster) -> None:
    """Kill every Rasa process and wait until the supervisor has restarted all."""
    before = cluster.current().rasa
    for server in before:
        os.kill(server.pid, signal.SIGKILL)
    for server in before:
        _wait_until_closed(server.port)
    for server in before:
        _wait_until_restarted(cluster, server.name, server.pid)


def test_a_conversation_continues_when_its_process_is_killed(
    cluster: RunningCluster,
) -> None:
    sender = conversation_id("cluster-kill")
    assert _say(cluster, sender, "wat is ALS")
    names = [server.name for server in cluster.current().rasa]
    for name in names:
        victim = next(s for s in cluster.current().rasa if s.name == name)
        os.kill(victim.pid, signal.SIGKILL)
        _wait_until_closed(victim.port)
        replies = _say(cluster, sender, f"wat is riluzol {name}")
        assert any("Riluzol" in reply for reply in replies)
        _wait_until_restarted(cluster, name, victim.pid)
    stored = _stored(cluster, sender)
    assert stored == ["wat is ALS", *(f"wat is riluzol {name}" for name in names)]


def test_every_rasa_process_restarted_mid_conversation_loses_nothing(
    cluster: RunningCluster,
) -> None:
    sender = conversation_id("cluster-restart-all")
    for message in ("qwerty", "zxcvb"):
        _say(cluster, sender, message)
    _restart_every_rasa_process(cluster)
    response = requests.post(
        f"{cluster.public_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": "asdfgh"},
        timeout=60,
    )
    payloads = [
        button["payload"]
        for reply in response.json()
        for button in reply.get("buttons", [])
    ]
    assert "/ask_human" in payloads, "the third misunderstood message in a row"
    assert _stored(cluster, sender) == [
        "qwerty",
        "zxcvb",
        "asdfgh",
    ]


def _wait_until_closed(port: int) -> None:
    """Wait until a killed process's port refuses connections."""
    deadline = time.monotonic() + 10
    while port_is_open(port) and time.monotonic() < deadline:
        time.sleep(0.05)


def _wait_until_restarted(cluster: RunningCluster, name: str, old_pid: int) -> None:
    """The supervisor starts a killed Rasa process again; wait until it answers."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        server = next(s for s in cluster.current().rasa if s.name == name)
        if server.pid != old_pid:
            try:
                if requests.get(f"http://127.0.0.1:{server.port}/", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
        time.sleep(1)
    pytest.fail(f"{name} was not started again")


def test_load_test_loses_nothing_when_a_process_is_killed(
    cluster: RunningCluster,
) -> None:
    output = io.StringIO()
    with redirect_stdout(output):
        code = loadtest.main(
            ["--users", "12", "--seconds", "20", "--dir", str(cluster.directory)]
            + ["--no-record"]
        )
    lines = output.getvalue().strip().splitlines()
    summary = SUMMARY.match(lines[-1])
    assert summary, lines
    turns, _rps, _p50, _p95, _errors, lost = summary.groups()
    assert int(turns) > 50
    assert int(lost) == 0
    assert code == 0
    assert any(
        line.startswith("kill-one:") and "killed rasa-1" in line for line in lines
    )


def test_no_log_of_any_part_holds_a_message_text(cluster: RunningCluster) -> None:
    """Runs last: by now the cluster has served every kind of turn."""
    secret = "mijn buurman Jansen vraagt naar riluzol"
    _say(cluster, "cluster-log-check", secret)
    logs = [p for p in cluster.directory.rglob("*.log") if p.is_file()]
    assert {p.name for p in logs} >= {"rasa-1.log", "actions-1.log", "access.log"}
    conversations = list(locustfile_messages()) + [secret, "wat is riluzol"]
    for log in logs:
        content = log.read_text(encoding="utf-8", errors="replace")
        leaked = [text for text in conversations if text in content]
        assert leaked == [], f"{log.name} holds message texts"


def locustfile_messages() -> set[str]:
    """Every message the simulated patients send."""
    return {message for conversation in CONVERSATIONS for message in conversation}
