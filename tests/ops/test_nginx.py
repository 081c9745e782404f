"""The cluster's nginx rules, with the real nginx in front of stand-in servers.

The stand-ins answer with their own name, so each test can see which "Rasa
process" or "action server" a request reached. The full cluster with real Rasa
processes is tested in ``tests/e2e/test_cluster.py``.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from ops.cluster import NGINX
from ops.nginx import NginxLayout, render_nginx_conf
from ops.processes import free_port, stop_process, wait_for_port
from tests.support.tools import require


@dataclass
class StandIn:
    """A stand-in server: answers with its name, or drops the connection."""

    name: str
    port: int
    drop_connections: bool = False
    seen: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        """Listen on ``port``."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                owner.seen.append(self.path)
                if owner.drop_connections:
                    self.close_connection = True
                    self.connection.close()
                    return
                body = owner.name.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop listening (the port refuses connections afterwards)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@dataclass
class Proxy:
    """nginx with the cluster's configuration in front of the stand-ins."""

    url: str
    actions_url: str
    rasa: list[StandIn]
    actions: list[StandIn]


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[Proxy]:
    """nginx on a free port, two Rasa stand-ins and two action stand-ins."""
    require(NGINX, "nginx")
    rasa = [StandIn(f"rasa-{n}", free_port()) for n in (1, 2)]
    actions = [StandIn(f"actions-{n}", free_port()) for n in (1, 2)]
    for server in (*rasa, *actions):
        server.start()
    layout = NginxLayout(
        directory=tmp_path,
        public_port=free_port(),
        rasa_ports=[server.port for server in rasa],
        actions_port=free_port(),
        action_ports=[server.port for server in actions],
        max_message_chars=1000,
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_nginx_conf(layout), encoding="utf-8")
    nginx = subprocess.Popen(
        [str(NGINX), "-c", str(conf), "-p", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(layout.public_port, nginx, 20)
        wait_for_port(layout.actions_port, nginx, 20)
        yield Proxy(
            url=f"http://127.0.0.1:{layout.public_port}",
            actions_url=f"http://127.0.0.1:{layout.actions_port}",
            rasa=rasa,
            actions=actions,
        )
    finally:
        stop_process(nginx)
        for server in (*rasa, *actions):
            server.stop()


def _say(proxy: Proxy, sender: str, message: str = "wat is ALS") -> requests.Response:
    return requests.post(
        f"{proxy.url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message},
        timeout=10,
    )


def test_each_rest_conversation_stays_on_one_process(proxy: Proxy) -> None:
    served: dict[str, set[str]] = {}
    for turn in range(4):
        for number in range(30):
            sender = f"gesprek-{number}"
            response = _say(proxy, sender, f"vraag {turn}")
            assert response.status_code == 200
            served.setdefault(sender, set()).add(response.text)
    assert all(len(processes) == 1 for processes in served.values())
    used = set().union(*served.values())
    assert used == {"rasa-1", "rasa-2"}, "conversations are spread over both"


def test_sender_inside_the_message_text_does_not_steer_routing(proxy: Proxy) -> None:
    first = _say(proxy, "gesprek-7", "hoi").text
    tricky = _say(proxy, "gesprek-7", 'mijn "sender": "iemand-anders" is').text
    assert tricky == first


def test_conversations_move_to_the_other_process_when_one_is_down(
    proxy: Proxy,
) -> None:
    before = {f"g{n}": _say(proxy, f"g{n}").text for n in range(20)}
    proxy.rasa[0].stop()
    after = {sender: _say(proxy, sender) for sender in before}
    assert all(response.status_code == 200 for response in after.values())
    assert {response.text for response in after.values()} == {"rasa-2"}
    stayed = [s for s, name in before.items() if name == "rasa-2"]
    assert stayed, "some conversations were on rasa-2 already"


def test_a_request_cut_off_by_a_dying_process_is_not_sent_twice(
    proxy: Proxy,
) -> None:
    proxy.rasa[0].drop_connections = True
    proxy.rasa[1].drop_connections = True
    response = _say(proxy, "gesprek-1")
    assert response.status_code == 503
    reply = response.json()
    assert "niet bereikbaar" in reply[0]["text"]
    assert "112" in reply[0]["text"]
    reached = len(proxy.rasa[0].seen) + len(proxy.rasa[1].seen)
    assert reached == 1, "a user message that may have been handled is not resent"


def test_socketio_requests_follow_their_route(proxy: Proxy) -> None:
    served: dict[str, set[str]] = {}
    for _ in range(3):
        for number in range(20):
            route = f"{number:024x}"
            response = requests.get(
                f"{proxy.url}/socket.io/",
                params={"EIO": "4", "transport": "polling", "route": route},
                timeout=10,
            )
            assert response.status_code == 200
            served.setdefault(route, set()).add(response.text)
    assert all(len(processes) == 1 for processes in served.values())
    assert set().union(*served.values()) == {"rasa-1", "rasa-2"}


@pytest.mark.parametrize(
    "path",
    [
        "/model",
        "/status",
        "/version",
        "/conversations/gesprek-1/tracker",
        "/webhooks/socketio/webhook",
        "/chatx",
    ],
)
def test_only_the_chat_channels_are_public(proxy: Proxy, path: str) -> None:
    for method in ("GET", "PUT", "POST"):
        response = requests.request(method, proxy.url + path, timeout=10)
        assert response.status_code == 404
    assert proxy.rasa[0].seen == [] and proxy.rasa[1].seen == []


def test_the_chat_page_and_health_route_are_public(proxy: Proxy) -> None:
    for path in ("/chat/", "/chat/privacy", "/webhooks/rest/health"):
        assert requests.get(proxy.url + path, timeout=10).status_code == 200
    home = requests.get(proxy.url + "/", timeout=10, allow_redirects=False)
    assert home.headers["Location"].endswith("/chat/")


def test_an_oversized_message_gets_a_polite_answer(proxy: Proxy) -> None:
    response = _say(proxy, "gesprek-1", "A" * 40_000)
    assert response.status_code == 413
    assert "te lang" in response.json()[0]["text"]
    assert proxy.rasa[0].seen == [] and proxy.rasa[1].seen == []


def test_a_long_message_within_the_limit_reaches_the_assistant(proxy: Proxy) -> None:
    response = _say(proxy, "gesprek-1", "é" * 1500)
    assert response.status_code == 200


def test_action_calls_alternate_and_skip_a_server_that_is_down(proxy: Proxy) -> None:
    conversation = {"tracker": {"events": ["x" * 200] * 500}}
    answers = [
        requests.post(f"{proxy.actions_url}/webhook", json=conversation, timeout=10)
        for _ in range(4)
    ]
    assert {answer.text for answer in answers} == {"actions-1", "actions-2"}
    proxy.actions[0].stop()
    started = time.monotonic()
    after = [
        requests.post(f"{proxy.actions_url}/webhook", json=conversation, timeout=10)
        for _ in range(4)
    ]
    assert [answer.text for answer in after] == ["actions-2"] * 4
    assert time.monotonic() - started < 5


def test_the_access_log_holds_no_conversation_ids(proxy: Proxy, tmp_path: Path) -> None:
    _say(proxy, "geheim-gesprek-42", "mijn vraag")
    requests.get(
        f"{proxy.url}/socket.io/",
        params={"EIO": "4", "transport": "polling", "route": "geheime-route"},
        timeout=10,
    )
    time.sleep(0.2)
    log = (tmp_path / "access.log").read_text(encoding="utf-8")
    assert "/webhooks/rest/webhook" in log
    for secret in ("geheim-gesprek-42", "mijn vraag", "geheime-route"):
        assert secret not in log
    assert json.dumps("mijn vraag") not in log
