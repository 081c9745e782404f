"""The content linter passes on the project and catches what maintainers break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content_lint import lint, reading_ease
from bot.settings import PROJECT_ROOT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the content a maintainer edits."""
    shutil.copy(PROJECT_ROOT / "domain.yml", tmp_path / "domain.yml")
    shutil.copytree(PROJECT_ROOT / "data", tmp_path / "data")
    shutil.copytree(PROJECT_ROOT / "content", tmp_path / "content")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_project_content_passes() -> None:
    report = lint()
    assert report.errors == []
    assert len(report.answers) >= 25


def test_answer_without_source_is_an_error(project: Path) -> None:
    _edit(project / "domain.yml", "\\nBron: patiëntenfolder ALS. Laatst", " Laatst")
    assert any("names no source" in error for error in lint(project).errors)


def test_invented_phone_number_and_url_are_errors(project: Path) -> None:
    _edit(
        project / "domain.yml",
        "De oorzaak van ALS is nog niet bekend.",
        "Bel 030-1234567 of kijk op www.voorbeeld.nl. De oorzaak is onbekend.",
    )
    errors = " ".join(lint(project).errors)
    assert "030-1234567" in errors and "www.voorbeeld.nl" in errors


def test_example_under_two_intents_is_an_error(project: Path) -> None:
    with (project / "data" / "nlu" / "faq.yml").open("a", encoding="utf-8") as file:
        file.write("\n- intent: faq_emg\n  examples: |\n    - wat is riluzol\n")
    assert any("wat is riluzol" in error for error in lint(project).errors)


def test_intent_without_rule_is_an_error(project: Path) -> None:
    _edit(
        project / "domain.yml", "  - show_topics\n", "  - show_topics\n  - new_topic\n"
    )
    assert any("new_topic" in error for error in lint(project).errors)


def test_long_words_and_sentences_read_harder() -> None:
    easy = "Dit is een korte zin. U leest hem snel."
    hard = (
        "Multidisciplinaire revalidatiegeneeskundige behandelprogrammatuur "
        "vereist interprofessionele afstemmingsprocedures."
    )
    assert reading_ease(easy) > reading_ease(hard)
