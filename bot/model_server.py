"""A tiny model server on loopback: Rasa pulls the live model from it.

Rasa (``models:`` in ``endpoints.yml``) asks this server every few seconds for
the model with ``If-None-Match: <fingerprint>``. The answer is ``304`` while
the live model is unchanged; a new model (published by ``make train``) gets a
new ETag, and Rasa loads it in the background and swaps it in, without a
restart and without losing conversations (they live in the tracker store). A
model that fails to load is refused by Rasa, which keeps the old one serving.

Usage: ``python -m bot.model_server [--file var/live/model.tar.gz] [--port 5056]``.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bot.settings import PROJECT_ROOT

LIVE_MODEL = PROJECT_ROOT / "var" / "live" / "model.tar.gz"
MODEL_PATH = "/model.tar.gz"
DEFAULT_PORT = 5056
logger = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()[:32]


def model_etag(path: Path) -> str:
    """Return the ETag of the model file: a hash of its content."""
    stat = path.stat()
    return _digest(str(path), stat.st_size, stat.st_mtime_ns)


def publish(model: Path, live: Path = LIVE_MODEL) -> Path:
    """Make ``model`` the live model atomically (readers never see half a file)."""
    live.parent.mkdir(parents=True, exist_ok=True)
    staging = live.with_suffix(".tmp")
    shutil.copyfile(model, staging)
    os.replace(staging, live)
    return live


def make_handler(live: Path) -> type[BaseHTTPRequestHandler]:
    """Build a request handler that serves ``live`` at ``/model.tar.gz``."""

    class ModelHandler(BaseHTTPRequestHandler):
        """Serves the live model with ETag / If-None-Match."""

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            """Answer 200 with the model, 304 when unchanged, 404 otherwise."""
            if self.path.split("?", 1)[0] != MODEL_PATH or not live.is_file():
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            etag = model_etag(live)
            if self.headers.get("If-None-Match") == etag:
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            body = live.read_bytes()
            self.send_response(HTTPStatus.OK)
            self.send_header("ETag", etag)
            self.send_header("Content-Type", "application/gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Log requests through ``logging`` at debug level."""
            logger.debug("model server: " + format, *args)

    return ModelHandler


def serve(live: Path = LIVE_MODEL, port: int = DEFAULT_PORT) -> None:
    """Serve the live model on 127.0.0.1 until interrupted."""
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(live))
    logger.info("model server on http://127.0.0.1:%s%s", port, MODEL_PATH)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=LIVE_MODEL)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--publish", type=Path, help="make this model live, then exit (no server)"
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    if arguments.publish:
        live = publish(arguments.publish, arguments.file)
        logger.info("published %s as %s", arguments.publish, live)
        return
    serve(arguments.file, arguments.port)


if __name__ == "__main__":
    main()
