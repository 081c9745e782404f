"""Settings and sessions: defaults, the ``.env`` rule, and one unit of work."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

import bot.settings
from bot.db.models import Study
from bot.db.repositories import StudyRepository
from bot.db.session import get_engine, make_engine, session_scope
from bot.settings import PROJECT_ROOT, get_settings


@pytest.fixture
def no_env_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the ``.env`` path at an empty folder and clear related variables."""
    env_file = tmp_path / ".env"
    monkeypatch.setattr(bot.settings, "ENV_FILE", env_file)
    for name in ("DATABASE_URL", "TRACKER_DB_URL", "RASA_PORT", "ACTION_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    get_settings.cache_clear()
    return env_file


def test_defaults_use_sqlite_files_in_var(
    no_env_file: Path, use_settings: Callable[..., None]
) -> None:
    settings = get_settings()

    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'bot.db'}"
    assert settings.tracker_db_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"
    assert (settings.rasa_port, settings.action_port) == (5005, 5055)
    assert settings.log_level == "INFO"


def test_env_file_is_read_but_never_overrides_the_environment(
    no_env_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    use_settings: Callable[..., None],
) -> None:
    no_env_file.write_text("RASA_PORT=6000\nACTION_PORT=6001\n")
    monkeypatch.setenv("ACTION_PORT", "7001")

    settings = get_settings()

    assert settings.rasa_port == 6000
    assert settings.action_port == 7001


def test_invalid_port_fails_fast(
    no_env_file: Path, use_settings: Callable[..., None]
) -> None:
    use_settings(RASA_PORT="vijf")

    with pytest.raises(ValueError, match="RASA_PORT"):
        get_settings()


def test_engine_follows_database_url_and_is_created_lazily(
    use_settings: Callable[..., None], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'bot.db'}"
    use_settings(DATABASE_URL=url)

    assert get_engine().url.database == str(tmp_path / "sub" / "bot.db")
    assert (tmp_path / "sub").is_dir()


def test_session_scope_rolls_back_on_error(session_factory: sessionmaker) -> None:
    with pytest.raises(RuntimeError), session_scope(session_factory) as session:
        study = StudyRepository(session).get_by_slug("mri")
        assert study is not None
        study.name = "Gewijzigd"
        session.flush()
        raise RuntimeError("boom")

    with session_scope(session_factory) as session:
        study = StudyRepository(session).get_by_slug("mri")
        assert study is not None
        assert study.name == "MRI-onderzoek"


def test_engine_keeps_parameters_out_of_error_messages(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with (
            pytest.raises(Exception) as caught,
            session_scope(sessionmaker(bind=engine, future=True)) as session,
        ):
            session.execute(
                Study.__table__.select().where(Study.slug == "secret user text")
            )
    finally:
        engine.dispose()

    assert "secret user text" not in str(caught.value)
