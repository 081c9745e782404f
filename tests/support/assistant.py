"""Start the real assistant (action server + Rasa server) for end-to-end tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "als-assistent.tar.gz"
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    """Poll ``url`` until it answers; fail when the process dies or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not come up in {seconds} s")


@dataclass
class RunningAssistant:
    """Addresses and files of a started assistant."""

    rest_url: str
    tracker_db: Path
    rasa: subprocess.Popen[bytes]
    actions: subprocess.Popen[bytes]

    def say(self, sender: str, message: object) -> list[dict[str, object]]:
        """Send one message over REST and return the bot's replies."""
        response = requests.post(
            self.rest_url, json={"sender": sender, "message": message}, timeout=30
        )
        response.raise_for_status()
        replies: list[dict[str, object]] = response.json()
        return replies


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
