"""The content linter passes on the project and catches what maintainers break.

The source checks run against the real seed files (``../shared/seeds``, the
``SEEDS_DIR`` setting); ``tests/bot/test_source_check.py`` tests them on fake
seeds.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.content_lint import lint, reading_ease
from bot.settings import PROJECT_ROOT, get_settings


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


def _errors_of(project: Path, name: str) -> str:
    return " ".join(error for error in lint(project).errors if error.startswith(name))


def test_invented_number_in_an_answer_is_an_error(project: Path) -> None:
    _edit(project / "domain.yml", "Ongeveer 4 tot 8 op de", "Ongeveer 4 tot 9 op de")

    errors = _errors_of(project, "utter_faq_hoe_vaak")
    assert "numbers not in its sources" in errors and "4 tot 9" in errors


def test_invented_percentage_is_an_error(project: Path) -> None:
    _edit(project / "domain.yml", "Meer dan 90% van", "Meer dan 95% van")

    assert "95%" in _errors_of(project, "utter_faq_levenseinde")


def test_invented_drug_is_an_error(project: Path) -> None:
    _edit(
        project / "domain.yml",
        "Of een medicijn bij u past",
        "Ook het medicijn edaravone helpt. Of een medicijn bij u past",
    )

    errors = _errors_of(project, "utter_faq_nieuwe_medicijnen")
    assert "names not in its sources" in errors and "edaravone" in errors


def test_name_from_a_source_the_answer_does_not_cite_is_an_error(
    project: Path,
) -> None:
    _edit(
        project / "domain.yml",
        "Er is meer onderzoek nodig naar de oorzaak.",
        "Tofersen helpt bij een verandering in het SOD1-gen.",
    )

    errors = _errors_of(project, "utter_faq_oorzaak")
    assert "Tofersen" in errors and "SOD1" in errors


def test_sourced_rewording_passes(project: Path) -> None:
    _edit(
        project / "domain.yml",
        "Er is meer onderzoek nodig naar de oorzaak.",
        "Het komt soms in families voor. Dat is heel zeldzaam. Ruim 90% overlijdt "
        "rustig, na gemiddeld drie tot vijf jaar.",
    )

    assert lint(project).errors == []


def test_unknown_source_is_an_error(project: Path) -> None:
    _edit(
        project / "domain.yml",
        "\\nBron: patiëntenfolder ALS. Laatst",
        "\\nBron: Openbare gegevens. Laatst",
    )

    assert "unknown source 'Openbare gegevens'" in " ".join(lint(project).errors)


def test_medical_advice_without_source_is_an_error(project: Path) -> None:
    _edit(
        project / "domain.yml",
        "bij u past.\\nBron: webpagina ALS van het NMRC (10 maart 2021). "
        'Laatst nagekeken: 03-12-2026."',
        'bij u past."',
    )

    assert "names no source" in _errors_of(project, "utter_medical_advice")


def test_invented_number_or_name_in_the_catalog_is_an_error(project: Path) -> None:
    catalog = project / "content" / "catalog.yml"
    _edit(catalog, "ruim 1.700 mensen mee", "ruim 2.700 mensen mee")
    _edit(catalog, "Via Nikita Lamaire", "Via Jan Jansen")

    errors = " ".join(lint(project).errors)
    assert "catalog study 'mri': numbers not in its sources: ['2700']" in errors
    assert "catalog study 'hersendonatie': names not in its sources" in errors
    assert "Jan Jansen" in errors


def test_catalog_web_address_must_be_in_its_sources(project: Path) -> None:
    catalog = project / "content" / "catalog.yml"
    _edit(catalog, "web: www.spierziekten.nl", "web: www.spierziekte.nl")

    errors = " ".join(lint(project).errors)
    assert "'spierziekten-nederland': web www.spierziekte.nl is not in its" in errors


def test_catalog_source_must_be_known_and_list_its_files(project: Path) -> None:
    catalog = project / "content" / "catalog.yml"
    _edit(catalog, "name: www.spierziekten.nl", "name: Openbare gegevens")
    _edit(catalog, "file: 001_e8757f3ad385b272.txt", "file: 004_9378580a4c29d837.txt")

    errors = " ".join(lint(project).errors)
    assert "catalog contact 'spierziekten-nederland': unknown source" in errors
    assert "catalog contact 'nmrc': source.file" in errors


def test_missing_seed_folder_is_an_error(project: Path, tmp_path: Path) -> None:
    errors = lint(project, seeds_dir=tmp_path / "nowhere").errors

    assert any("seed folder" in error for error in errors)


def test_seed_folder_comes_from_the_settings(
    monkeypatch: pytest.MonkeyPatch, use_settings: Callable[..., None], tmp_path: Path
) -> None:
    monkeypatch.delenv("SEEDS_DIR", raising=False)
    use_settings()
    assert get_settings().seeds_dir == PROJECT_ROOT.parent / "shared" / "seeds"

    use_settings(SEEDS_DIR=str(tmp_path))
    assert get_settings().seeds_dir == tmp_path
