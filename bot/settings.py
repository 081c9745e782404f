"""Settings read from the environment and the project's ``.env`` file."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
ENV_FILE = PROJECT_ROOT / ".env"
DEFAULT_SEEDS_DIR = PROJECT_ROOT.parent / "shared" / "seeds"
"""The source documents (``../shared/seeds/`` beside the project)."""


@dataclass(frozen=True)
class Settings:
    """Configuration of the assistant.

    Attributes:
        database_url: SQLAlchemy URL of the studies and contacts database.
        tracker_db_url: SQLAlchemy URL of Rasa's conversation tracker store.
        rasa_port: Port of the Rasa server.
        action_port: Port of the custom action server.
        log_level: Name of the logging level, e.g. ``INFO``.
        allowed_origins: Web origins allowed to use the chat channels.
        max_message_chars: Longest user message accepted; longer ones get a
            polite reply instead of an answer.
        rate_limit_per_minute: Messages one conversation may send per minute.
        client_rate_limit_per_minute: Messages one client address may send per
            minute over all its conversations (0: no limit).
        client_new_conversations_per_minute: New conversations one client
            address may start per minute (0: no limit).
        trusted_proxies: Addresses of proxies (the cluster's nginx) whose
            ``X-Forwarded-For`` names the client.
        retention_days: Conversations older than this are deleted by
            ``python -m bot privacy purge``.
        action_server_token: Shared secret Rasa sends to the action server;
            empty means no check (local development only).
        action_timeout_seconds: How long Rasa waits for a custom action.
        cluster_port: Port of the cluster's public entry point (nginx) that
            ``make cluster`` starts.
        cluster_rasa_processes: How many Rasa server processes the cluster runs.
        seeds_dir: Folder of the source documents the answers cite; the
            content linter checks the answers against them.
    """

    database_url: str
    tracker_db_url: str
    rasa_port: int
    action_port: int
    log_level: str
    allowed_origins: tuple[str, ...] = ()
    max_message_chars: int = 1000
    rate_limit_per_minute: int = 20
    client_rate_limit_per_minute: int = 120
    client_new_conversations_per_minute: int = 30
    trusted_proxies: tuple[str, ...] = ()
    retention_days: int = 30
    action_server_token: str = ""
    action_timeout_seconds: float = 5.0
    cluster_port: int = 8080
    cluster_rasa_processes: int = 2
    seeds_dir: Path = DEFAULT_SEEDS_DIR


def _number(name: str, default: float, minimum: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _origins(rasa_port: int) -> tuple[str, ...]:
    raw = os.environ.get("ALLOWED_ORIGINS", "").strip()
    if raw:
        return tuple(origin.strip().rstrip("/") for origin in raw.split(",") if origin)
    return (f"http://localhost:{rasa_port}", f"http://127.0.0.1:{rasa_port}")


def _list(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _folder(name: str, default: Path) -> Path:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    path = Path(raw).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def _sqlite_url(filename: str) -> str:
    return f"sqlite:///{VAR_DIR / filename}"


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a port number, got {raw!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"{name} must be between 1 and 65535, got {port}")
    return port


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings once; ``.env`` never overrides the real environment.

    When a database URL is not set, its SQLite default lives in ``var/``,
    which is created if needed.

    Returns:
        The settings, cached for the life of the process.

    Raises:
        ValueError: When a port is not a valid number.
    """
    load_dotenv(ENV_FILE, override=False)
    database_url = os.environ.get("DATABASE_URL")
    tracker_db_url = os.environ.get("TRACKER_DB_URL")
    if not (database_url and tracker_db_url):
        with contextlib.suppress(OSError):
            VAR_DIR.mkdir(parents=True, exist_ok=True)
    rasa_port = _port("RASA_PORT", 5005)
    return Settings(
        database_url=database_url or _sqlite_url("bot.db"),
        tracker_db_url=tracker_db_url or _sqlite_url("tracker.db"),
        rasa_port=rasa_port,
        action_port=_port("ACTION_PORT", 5055),
        log_level=(os.environ.get("LOG_LEVEL") or "INFO").upper(),
        allowed_origins=_origins(rasa_port),
        max_message_chars=int(_number("MAX_MESSAGE_CHARS", 1000, 1)),
        rate_limit_per_minute=int(_number("RATE_LIMIT_PER_MINUTE", 20, 1)),
        client_rate_limit_per_minute=int(
            _number("CLIENT_RATE_LIMIT_PER_MINUTE", 120, 0)
        ),
        client_new_conversations_per_minute=int(
            _number("CLIENT_NEW_CONVERSATIONS_PER_MINUTE", 30, 0)
        ),
        trusted_proxies=_list("TRUSTED_PROXIES"),
        retention_days=int(_number("RETENTION_DAYS", 30, 1)),
        action_server_token=os.environ.get("ACTION_SERVER_TOKEN", "").strip(),
        action_timeout_seconds=_number("ACTION_TIMEOUT_SECONDS", 5.0, 0.5),
        cluster_port=_port("CLUSTER_PORT", 8080),
        cluster_rasa_processes=int(_number("CLUSTER_RASA_PROCESSES", 2, 1)),
        seeds_dir=_folder("SEEDS_DIR", DEFAULT_SEEDS_DIR),
    )
