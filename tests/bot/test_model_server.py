"""The model server Rasa pulls from: ETags, 304s and atomic publishing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from bot.model_server import MODEL_PATH, make_handler, publish


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """Where the live model is published."""
    return tmp_path / "live" / "model.tar.gz"


@pytest.fixture
def url(live: Path) -> Iterator[str]:
    """A running model server on a free loopback port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(live))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{MODEL_PATH}"
    server.shutdown()
    server.server_close()


def _model(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / f"model-{len(content)}.tar.gz"
    path.write_bytes(content)
    return path


def test_no_model_published_yet_is_404(url: str) -> None:
    assert requests.get(url, timeout=5).status_code == 404


def test_unchanged_model_is_304_and_a_new_one_gets_a_new_etag(
    tmp_path: Path, live: Path, url: str
) -> None:
    publish(_model(tmp_path, b"first model"), live)
    first = requests.get(url, timeout=5)
    assert first.status_code == 200 and first.content == b"first model"
    etag = first.headers["ETag"]
    again = requests.get(url, headers={"If-None-Match": etag}, timeout=5)
    assert again.status_code == 304
    publish(_model(tmp_path, b"second, retrained model"), live)
    changed = requests.get(url, headers={"If-None-Match": etag}, timeout=5)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.content == b"second, retrained model"


def test_only_the_model_path_is_served(tmp_path: Path, live: Path, url: str) -> None:
    publish(_model(tmp_path, b"model"), live)
    other = url.replace(MODEL_PATH, "/../../etc/passwd")
    assert requests.get(other, timeout=5).status_code == 404
