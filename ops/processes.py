"""Start, wait for and stop local server processes (used by the cluster and tests)."""

from __future__ import annotations

import socket
import subprocess
import time

import requests


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


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
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not come up in {seconds} s")


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float) -> None:
    """Wait until ``port`` on loopback accepts connections."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            code = process.returncode
            raise RuntimeError(f"process for port {port} exited with {code}")
        if port_is_open(port):
            return
        time.sleep(0.1)
    raise TimeoutError(f"port {port} did not open in {seconds} s")


def stop_process(process: subprocess.Popen[bytes], seconds: float = 15) -> None:
    """Terminate a process, killing it when it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
