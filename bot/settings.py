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


@dataclass(frozen=True)
class Settings:
    """Configuration of the assistant.

    Attributes:
        database_url: SQLAlchemy URL of the studies and contacts database.
        tracker_db_url: SQLAlchemy URL of Rasa's conversation tracker store.
        rasa_port: Port of the Rasa server.
        action_port: Port of the custom action server.
        log_level: Name of the logging level, e.g. ``INFO``.
    """

    database_url: str
    tracker_db_url: str
    rasa_port: int
    action_port: int
    log_level: str


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
    return Settings(
        database_url=database_url or _sqlite_url("bot.db"),
        tracker_db_url=tracker_db_url or _sqlite_url("tracker.db"),
        rasa_port=_port("RASA_PORT", 5005),
        action_port=_port("ACTION_PORT", 5055),
        log_level=(os.environ.get("LOG_LEVEL") or "INFO").upper(),
    )
