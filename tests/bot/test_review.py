"""``python -m bot review``: every topic with examples, answer and source."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import sessionmaker

from bot.cli import main
from bot.db.seed import load_catalog
from bot.db.session import make_engine, make_session_factory
from bot.review import (
    CSV_HEADERS,
    EXAMPLES_PER_INTENT,
    Review,
    ReviewRow,
    build_review,
    default_output,
    render_csv,
    render_html,
)
from bot.settings import PROJECT_ROOT, VAR_DIR
from tests.support.database import seeded_sqlite

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
BOM = "\ufeff".encode()


def _intents_with_a_rule() -> set[str]:
    found = set()
    for path in (PROJECT_ROOT / "data" / "rules").glob("*.yml"):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            found.update(step["intent"] for step in rule["steps"] if "intent" in step)
    return found


DOMAIN_INTENTS = {
    next(iter(entry)) if isinstance(entry, dict) else entry
    for entry in DOMAIN["intents"]
}
ANSWERED = DOMAIN_INTENTS & _intents_with_a_rule()


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database, migrated and seeded from content/catalog.yml."""
    return seeded_sqlite(tmp_path_factory.mktemp("review"))


@pytest.fixture(scope="module")
def factory(database_url: str) -> Iterator[sessionmaker]:
    """Session factory on the seeded database."""
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def review(factory: sessionmaker) -> Review:
    """The review of the real project."""
    return build_review(factory, now=datetime(2026, 11, 25, 9, 30))


def _row(review: Review, intent: str) -> ReviewRow:
    return next(row for row in review.rows if row.intent == intent)


def test_every_answered_intent_has_one_row(review: Review) -> None:
    intents = [row.intent for row in review.rows]

    assert ANSWERED, "domain.yml and the rules name answered intents"
    assert ANSWERED <= set(intents)
    assert len(intents) == len(set(intents))
    html = render_html(review)
    csv_text = render_csv(review)
    for intent in ANSWERED:
        assert f'id="{intent}"' in html
        assert f",{intent}," in csv_text


def test_content_topics_come_first_with_their_titles(review: Review) -> None:
    first = review.rows[0]

    assert (first.group, first.title, first.intent) == (
        "Inhoud",
        "Wat is ALS?",
        "faq_wat_is_als",
    )
    assert _row(review, "emergency").group == "Veiligheid"


def test_riluzol_row_holds_answer_buttons_source_and_examples(review: Review) -> None:
    row = _row(review, "faq_riluzol")
    (answer,) = row.answers

    assert row.title == "Riluzol (Rilutek)"
    assert row.actions == ["utter_faq_riluzol"]
    assert "Rilutek" in answer.text and "2 keer per dag 50 mg" in answer.text
    assert "Bron:" not in answer.text
    assert answer.source == (
        "Bron: patiëntenfolder ALS; webpagina ALS van het NMRC (10 maart 2021). "
        "Laatst nagekeken: 03-12-2026."
    )
    assert answer.full_text == DOMAIN["responses"]["utter_faq_riluzol"][0]["text"]
    assert answer.buttons[0] == {
        "title": "Andere behandelingen",
        "payload": "/faq_behandeling",
    }
    assert len(row.examples) == EXAMPLES_PER_INTENT
    assert row.warnings == []


def test_examples_come_from_the_training_data_without_markup(review: Review) -> None:
    for row in review.rows:
        assert len(row.examples) <= EXAMPLES_PER_INTENT
        for example in row.examples:
            assert not re.search(r"\]\(|\]\{", example), example
    assert _row(review, "faq_wat_is_als").examples[0] == "wat is als"


def test_custom_actions_are_answered_from_the_database(review: Review) -> None:
    (mri,) = _row(review, "onderzoek_mri").answers
    (listing,) = _row(review, "onderzoek_meedoen").answers
    (contact,) = _row(review, "contact").answers

    assert mri.text.startswith("MRI-onderzoek (UMC Utrecht)")
    assert mri.source and mri.source.startswith("Bron: update MRI-onderzoek")
    assert [button["payload"] for button in mri.buttons] == [
        "/contact",
        "/onderzoek_meedoen",
    ]
    assert "- TUDCA-ALS studie" in listing.text
    assert len(listing.buttons) == len(load_catalog().studies)
    assert contact.text.startswith("U kunt terecht bij:")
    assert _row(review, "contact").note.startswith("Algemeen antwoord")


def test_other_studies_and_the_clarification_are_shown_with_a_note(
    review: Review,
) -> None:
    info = _row(review, "onderzoek_info")
    fallback = _row(review, "nlu_fallback")

    labels = [answer.label or "" for answer in info.answers]
    assert any(label.startswith("PAN-studie") for label in labels)
    assert labels[-1] == "Als geen onderzoek herkend is"
    assert fallback.note.startswith("Hangt af van de vraag")
    assert fallback.answers[0].text.startswith("Ik weet niet zeker wat u bedoelt.")


def test_answers_without_source_line_are_warned(review: Review) -> None:
    greet = _row(review, "greet")

    assert greet.sources == []
    assert greet.warnings == ["Antwoord heeft geen regel 'Bron: …'."]
    for row in review.rows:
        if row.group == "Inhoud":
            assert row.warnings == [], row.intent


def _write_project(tmp_path: Path, response: str) -> dict[str, Path]:
    domain = {
        "intents": ["faq_test", "faq_stil", "vraag_actie"],
        "responses": {"utter_faq_test": [{"text": response}]},
    }
    rules = {
        "rules": [
            {
                "rule": "a",
                "steps": [{"intent": "faq_test"}, {"action": "utter_faq_test"}],
            },
            {"rule": "b", "steps": [{"intent": "vraag_actie"}, {"action": "action_x"}]},
        ]
    }
    nlu = {
        "nlu": [
            {"intent": "faq_test", "examples": "- wat is [mri](study)\n- <b>vet</b>\n"}
        ]
    }
    paths = {
        "domain_file": tmp_path / "domain.yml",
        "rules_dir": tmp_path / "rules",
        "nlu_dir": tmp_path / "nlu",
    }
    paths["rules_dir"].mkdir()
    paths["nlu_dir"].mkdir()
    paths["domain_file"].write_text(yaml.safe_dump(domain), encoding="utf-8")
    (paths["rules_dir"] / "r.yml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    (paths["nlu_dir"] / "n.yml").write_text(yaml.safe_dump(nlu), encoding="utf-8")
    return paths


def test_html_is_escaped_and_self_contained(tmp_path: Path) -> None:
    hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    paths = _write_project(tmp_path, f"{hostile}\nBron: <i>boek</i>.")
    review = build_review(now=datetime(2026, 11, 25, 9, 30), **paths)

    html = render_html(review)

    assert "<script" not in html and "<img" not in html and "<i>boek" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in html
    assert "&lt;b&gt;vet&lt;/b&gt;" in html
    assert "Bron: &lt;i&gt;boek&lt;/i&gt;." in html
    assert "<style>" in html and "@media print" in html
    assert "<link" not in html
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)
    assert "25-11-2026 om 09:30" in html
    assert html.startswith("<!DOCTYPE html>") and '<html lang="nl">' in html


def test_rows_without_rule_source_date_or_known_action_are_warned(
    tmp_path: Path,
) -> None:
    paths = _write_project(tmp_path, "Tekst.\nBron: een boek.")
    review = build_review(**paths)
    rows = {row.intent: row for row in review.rows}

    assert rows["faq_test"].examples == ["wat is mri", "<b>vet</b>"]
    assert rows["faq_test"].warnings == [
        "Antwoord: bronregel zonder 'Laatst nagekeken: …'."
    ]
    assert "Geen regel: de assistent heeft hier geen vast antwoord." in (
        rows["faq_stil"].warnings
    )
    assert "Eigen actie 'action_x': geen voorbeeld van het antwoord." in (
        rows["vraag_actie"].warnings
    )


def test_unreachable_database_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be\n")
    engine = make_engine(f"sqlite:///{blocker / 'bot.db'}")
    try:
        review = build_review(make_session_factory(engine))
    finally:
        engine.dispose()

    mri = _row(review, "onderzoek_mri")
    assert mri.answers == []
    assert any("Database niet bereikbaar" in warning for warning in mri.warnings)
    assert _row(review, "faq_riluzol").answers


def test_cli_writes_csv_with_bom_that_the_csv_module_reads(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out" / "review.csv"

    code = main(
        ["review", "--format", "csv", "--output", str(output)]
        + ["--database-url", database_url]
    )

    assert code == 0
    assert f"written to {output}" in capsys.readouterr().out
    raw = output.read_bytes()
    assert raw.startswith(BOM)
    with output.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_HEADERS
    by_intent = {row["intent"]: row for row in rows}
    assert ANSWERED <= set(by_intent)
    riluzol = by_intent["faq_riluzol"]
    assert "Rilutek" in riluzol["antwoord"]
    assert riluzol["bron"].startswith("Bron: patiëntenfolder ALS")
    assert "1. Andere behandelingen (/faq_behandeling)" in riluzol["knoppen"]
    assert len(riluzol["voorbeeldvragen"].splitlines()) == EXAMPLES_PER_INTENT
    assert by_intent["greet"]["waarschuwing"]


def test_cli_semicolon_csv_for_dutch_excel(database_url: str, tmp_path: Path) -> None:
    output = tmp_path / "review.csv"

    assert (
        main(
            ["review", "--format", "csv", "--delimiter", ";", "--output", str(output)]
            + ["--database-url", database_url]
        )
        == 0
    )

    text = output.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == list(CSV_HEADERS)
    assert all(len(row) == len(CSV_HEADERS) for row in rows)


def test_cli_writes_html_by_default(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "review.html"

    assert (
        main(["review", "--output", str(output), "--database-url", database_url]) == 0
    )

    html = output.read_text(encoding="utf-8")
    assert "<table>" in html and "Rilutek" in html
    assert "Bron: patiëntenfolder ALS; webpagina ALS van het NMRC (10 maart" in html
    assert "topics written to" in capsys.readouterr().out
    assert default_output("html") == VAR_DIR / "review" / "review.html"


def test_bot_command_line_imports_no_rasa() -> None:
    code = (
        "import sys, bot.cli, bot.review\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('rasa', 'rasa_sdk', 'tensorflow'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "[]"
