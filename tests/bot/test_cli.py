"""The maintainer command line: ``python -m bot db upgrade|seed|list``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import format_table, main
from bot.lookup import LOOKUP_FILE, render_lookup, study_lookup_entries
from bot.settings import PROJECT_ROOT


def test_help_lists_the_db_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])

    assert exit_info.value.code == 0
    assert "db" in capsys.readouterr().out


def test_db_help_lists_upgrade_seed_and_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["db", "--help"])

    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    for action in ("upgrade", "seed", "list"):
        assert action in out


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "upgrade" in result.stdout


def test_upgrade_seed_and_list(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["db", "--database-url", database_url]

    assert main([*db, "upgrade"]) == 0
    assert main([*db, "seed"]) == 0
    first_seed = capsys.readouterr().out
    assert main([*db, "seed"]) == 0
    second_seed = capsys.readouterr().out
    assert main([*db, "list"]) == 0
    listing = capsys.readouterr().out

    assert "13 created" in first_seed
    assert "0 created, 0 updated, 0 deleted" in second_seed
    assert "Studies (7)" in listing and "Contacts (6)" in listing
    for expected in ("mri", "MRI-onderzoek", "tudca-als", "ALS Centrum Nederland"):
        assert expected in listing
    assert "www.als-centrum.nl" in listing


def test_invalid_seed_file_fails_with_a_message(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "catalog.yml"
    bad.write_text("studies:\n  - slug: x\n", encoding="utf-8")

    code = main(["db", "--database-url", migrated_url, "seed", "--file", str(bad)])

    assert code == 1
    assert "Seed file error" in capsys.readouterr().err


def test_unreachable_database_fails_with_a_message(
    unreachable_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["db", "--database-url", unreachable_url, "list"])

    assert code == 1
    assert "Error: OperationalError" in capsys.readouterr().err


def test_format_table_pads_columns_and_shows_none_as_empty() -> None:
    table = format_table(("a", "bb"), [("x", None), ("yyy", "z")])

    assert table.splitlines() == ["a    bb", "---  --", "x", "yyy  z"]


def test_committed_study_lookup_matches_the_catalog() -> None:
    assert LOOKUP_FILE.read_text(encoding="utf-8") == render_lookup(
        study_lookup_entries()
    ), "run `python -m bot lookup` after changing study names or aliases"
