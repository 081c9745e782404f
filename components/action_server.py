"""``python -m components.action_server``: the custom action server, locked down.

It serves rasa-sdk's own app (``rasa_sdk.endpoint.create_app``) with three
changes that ``python -m rasa_sdk`` lacks:

- It listens on 127.0.0.1 by default, and only ever on a loopback or
  private address (``--host``); never on all interfaces.
- Every request except ``GET /health`` must carry the shared secret that
  Rasa sends from ``endpoints.yml``: ``Authorization: Bearer <token>`` with
  the token from ``ACTION_SERVER_TOKEN`` (compared in constant time). A
  missing header gets 401, a wrong token 403, and no action runs. Without a
  token the server refuses to start, unless ``--insecure-no-token`` is given
  (local experiments only).
- Error replies never echo the request: rasa-sdk answers an exception with
  the whole request body (user messages included) and its text; here every
  reply of 400 and above is a generic JSON body such as
  ``{"error": "Internal Server Error"}``. Errors are logged with their type
  and stack frames, never with their message, which may quote user text.
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import json
import logging
import sys
import traceback
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from bot.settings import get_settings

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_ACTIONS = "actions"
OPEN_PATHS = frozenset({"/health"})
"""Paths anyone on the host may call: the health check only."""


def allowed_host(host: str) -> bool:
    """Tell whether ``host`` is a loopback or private IP address (not 0.0.0.0)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if address.is_unspecified:
        return False
    return address.is_loopback or address.is_private


def token_matches(header: str | None, token: str) -> bool:
    """Compare an ``Authorization`` header with ``Bearer <token>`` in constant time."""
    given = (header or "").encode("utf-8", "replace")
    return hmac.compare_digest(given, f"Bearer {token}".encode())


def error_body(status: int, action_name: str | None = None) -> dict[str, str]:
    """The generic JSON body of an error reply: the status phrase, nothing else.

    Args:
        status: The HTTP status of the reply.
        action_name: For 400, the registered action that rejected the call;
            Rasa needs it to treat the reply as a rejection.

    Returns:
        The body.
    """
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body = {"error": phrase}
    if action_name is not None:
        body["action_name"] = action_name
    return body


def _rejected_action(response: HTTPResponse, actions: frozenset[str]) -> str | None:
    """The registered action named in a 400 reply (an action's rejection)."""
    if response.status != HTTPStatus.BAD_REQUEST or not response.body:
        return None
    try:
        original: Any = json.loads(response.body)
    except ValueError:
        return None
    name = original.get("action_name") if isinstance(original, dict) else None
    return name if isinstance(name, str) and name in actions else None


def _log_error(request: Request, exception: BaseException) -> None:
    """Log an error by type and stack frames, without its message."""
    status = int(getattr(exception, "status_code", HTTPStatus.INTERNAL_SERVER_ERROR))
    if status < HTTPStatus.INTERNAL_SERVER_ERROR:
        # No path here: an unknown one is whatever the caller sent.
        logger.warning(
            "%s refused (%s): %s", request.method, status, type(exception).__name__
        )
        return
    frames = "".join(traceback.format_tb(exception.__traceback__))
    logger.error(
        "%s %s failed: %s (message not logged, it may quote user text)\n%s",
        request.method,
        request.path,
        type(exception).__name__,
        frames.rstrip(),
    )


def _action_names(actions: str) -> frozenset[str]:
    """The names of the actions in ``actions`` (registered quietly, once more)."""
    executor_logger = logging.getLogger("rasa_sdk.executor")
    level = executor_logger.level
    executor_logger.setLevel(logging.WARNING)
    try:
        executor = ActionExecutor()
        executor.register_package(actions)
    finally:
        executor_logger.setLevel(level)
    return frozenset(executor.actions)


def build_app(actions: str = DEFAULT_ACTIONS, token: str | None = None) -> Sanic:
    """Build rasa-sdk's app with the token check and the generic error replies.

    Args:
        actions: Package or module with the actions.
        token: The shared secret; ``None`` turns the check off.

    Returns:
        The app, ready to run.
    """
    app = create_app(actions, cors_origins=None)
    registered = _action_names(actions)

    async def check_token(request: Request) -> HTTPResponse | None:
        if token is None or request.path in OPEN_PATHS:
            return None
        header = request.headers.get("Authorization")
        if not header:
            return json_response(
                error_body(HTTPStatus.UNAUTHORIZED),
                status=HTTPStatus.UNAUTHORIZED,
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not token_matches(header, token):
            return json_response(
                error_body(HTTPStatus.FORBIDDEN), status=HTTPStatus.FORBIDDEN
            )
        return None

    def generic_error(request: Request, exception: Exception) -> HTTPResponse:
        _log_error(request, exception)
        status = int(
            getattr(exception, "status_code", HTTPStatus.INTERNAL_SERVER_ERROR)
        )
        return json_response(error_body(status), status=status)

    async def hide_error_details(
        request: Request, response: HTTPResponse
    ) -> HTTPResponse | None:
        if response.status < HTTPStatus.BAD_REQUEST:
            return None
        body = error_body(response.status, _rejected_action(response, registered))
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.lower() == "www-authenticate"
        }
        return json_response(body, status=response.status, headers=headers)

    async def token_check_first(*_args: Any) -> None:
        # rasa-sdk's CORS extension puts its middleware, which answers OPTIONS
        # requests itself, at the front when the server starts; go before it.
        app.request_middleware.appendleft(check_token)

    app.register_listener(token_check_first, "before_server_start")
    app.register_middleware(hide_error_details, "response")
    app.error_handler.add(Exception, generic_error)
    return app


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m components.action_server",
        description="Run the custom actions on loopback, behind a shared token.",
    )
    parser.add_argument(
        "--port", type=int, help="port (default: ACTION_PORT from .env, 5055)"
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="loopback or private IP address to listen on (default: 127.0.0.1)",
    )
    parser.add_argument(
        "--actions",
        default=DEFAULT_ACTIONS,
        help="package with the actions (default: actions)",
    )
    parser.add_argument(
        "--insecure-no-token",
        action="store_true",
        help="run without ACTION_SERVER_TOKEN: anyone on this host may call actions",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Start the action server; return the exit code when it stops."""
    arguments = _parser().parse_args(argv)
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not allowed_host(arguments.host):
        sys.stderr.write(
            f"Refusing to listen on {arguments.host!r}: use a loopback or private "
            "IP address (default 127.0.0.1).\n"
        )
        return 2
    token: str | None = settings.action_server_token or None
    if token is None and not arguments.insecure_no_token:
        sys.stderr.write(
            "ACTION_SERVER_TOKEN is empty, so anyone on this host could run the "
            "actions. Run `make` to generate one in .env, or pass "
            "--insecure-no-token for a local experiment.\n"
        )
        return 2
    if token is None:
        logger.warning("Running WITHOUT a token (--insecure-no-token).")
    port = arguments.port or settings.action_port
    app = build_app(arguments.actions, token)
    logger.info(
        "Action server on http://%s:%s (token check %s)",
        arguments.host,
        port,
        "on" if token else "OFF",
    )
    app.run(host=arguments.host, port=port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
