"""Message texts: short, plain Dutch, with their source, and honest about gaps."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.db.models import Contact, Study
from bot.db.seed import load_catalog
from bot.formatting import (
    Message,
    contact_list,
    database_unavailable,
    no_data,
    source_line,
    study_card,
    study_list,
    study_not_found,
)

SOURCE_LINE = re.compile(r"\nBron: .+\. Laatst nagekeken: \d{2}-\d{2}-\d{4}\.$")
MAX_LENGTH = 700
ALLOWED_WEB = {"www.als-centrum.nl", "www.als.nl", "www.spierziekten.nl", "www.113.nl"}


@pytest.fixture(scope="module")
def contacts() -> dict[str, Contact]:
    """The contacts of the real seed file, by slug."""
    return {row["slug"]: Contact(**row) for row in load_catalog().contacts}


@pytest.fixture(scope="module")
def studies(contacts: dict[str, Contact]) -> list[Study]:
    """The studies of the real seed file, linked to their contacts."""
    catalog = load_catalog()
    result = []
    for row in catalog.studies:
        study = Study(**row)
        organisation = catalog.study_contacts[row["slug"]]
        study.contact = contacts[organisation] if organisation else None
        result.append(study)
    return result


def _check(message: Message) -> None:
    assert SOURCE_LINE.search(message.text), message.text
    assert len(message.text) <= MAX_LENGTH, (len(message.text), message.text)
    assert set(re.findall(r"www\.[a-z0-9.-]+[a-z]", message.text)) <= ALLOWED_WEB
    assert "http" not in message.text and "@" not in message.text


def _by_slug(studies: list[Study], slug: str) -> Study:
    return next(study for study in studies if study.slug == slug)


@pytest.mark.parametrize("take_part_first", [False, True])
def test_every_study_card_is_short_and_names_its_source(
    studies: list[Study], take_part_first: bool
) -> None:
    for study in studies:
        message = study_card(study, take_part_first=take_part_first)
        _check(message)
        assert message.text.startswith(study.name)
        assert f"Bron: {study.source_name}" in message.text


def test_mri_card_states_the_key_facts(studies: list[Study]) -> None:
    text = study_card(_by_slug(studies, "mri")).text

    for fact in ("UMC Utrecht", "2009", "1.700", "3.600", "3 tot 6 maanden"):
        assert fact in text
    assert "vijf keer" in text
    assert "www.als-centrum.nl" in text


def test_donation_card_names_the_contact_person_and_the_gap(
    studies: list[Study],
) -> None:
    text = study_card(_by_slug(studies, "hersendonatie")).text

    assert "Nikita Lamaire" in text
    assert "24 uur" in text and "gratis" in text and "opgebaard" in text
    assert "Contactgegevens staan niet in onze bron" in text
    assert "eigen arts" in text


def test_take_part_first_puts_who_and_how_before_the_description(
    studies: list[Study],
) -> None:
    mri = _by_slug(studies, "mri")
    lines = study_card(mri, take_part_first=True).text.splitlines()

    assert lines[1].startswith("Wie kan meedoen")
    assert lines.index(mri.description) > 1


def test_missing_details_are_named_with_where_to_ask(studies: list[Study]) -> None:
    text = study_card(_by_slug(studies, "pan")).text

    assert "Niet in onze bron: " in text
    assert "hoe u zich aanmeldt" in text
    assert "eigen arts of ALS-team" in text


def test_study_card_buttons_lead_to_contact_and_other_studies(
    studies: list[Study],
) -> None:
    payloads = [b["payload"] for b in study_card(studies[0]).buttons]

    assert payloads == ["/contact", "/onderzoek_meedoen"]


def test_study_list_has_one_button_per_study(studies: list[Study]) -> None:
    message = study_list(studies)

    _check(message)
    assert [b["payload"] for b in message.buttons] == [
        f'/onderzoek_info{{"study": "{study.slug}"}}' for study in studies
    ]
    assert all(study.name in message.text for study in studies)


def test_not_found_says_so_and_offers_the_known_studies(
    studies: list[Study],
) -> None:
    message = study_not_found(studies)

    _check(message)
    assert "ken ik niet" in message.text
    assert len(message.buttons) == len(studies)


def test_contact_list_gives_only_the_details_the_source_gives(
    contacts: dict[str, Contact],
) -> None:
    message = contact_list([contacts["eigen-arts"], contacts["als-centrum"]])

    _check(message)
    assert "Uw eigen arts of ALS-team" in message.text
    assert "ALS Centrum Nederland (www.als-centrum.nl)" in message.text
    assert "Telefoon" not in message.text


def test_contact_without_details_points_to_own_doctor(
    contacts: dict[str, Contact],
) -> None:
    message = contact_list([contacts["nmrc"]], topic="Biobank", person="Nikita Lamaire")

    _check(message)
    assert message.text.startswith("Biobank. U kunt terecht bij:")
    assert "Nikita Lamaire" in message.text
    assert "staan niet in onze bron" in message.text
    assert "eigen arts of ALS-team" in message.text


def test_crisis_contact_gives_113(contacts: dict[str, Contact]) -> None:
    text = contact_list([contacts["113-zelfmoordpreventie"]]).text

    assert "113" in text and "0800-0113" in text and "www.113.nl" in text


@pytest.mark.parametrize("message", [database_unavailable(), no_data()])
def test_fallback_texts_give_the_general_route(message: Message) -> None:
    _check(message)
    assert "eigen arts" in message.text
    assert "ALS-team" in message.text
    assert "www.als-centrum.nl" in message.text
    assert message.buttons == []


def test_empty_lists_fall_back_to_the_general_route() -> None:
    assert study_list([]).text == no_data().text
    assert contact_list([]).text == no_data().text


def test_source_line_names_each_source_once_with_the_oldest_date() -> None:
    line = source_line(
        [
            ("Folder", "a.txt", date(2026, 11, 25)),
            ("Folder", "a.txt", date(2026, 1, 2)),
            ("Brochure", "b.txt", date(2026, 5, 1)),
        ]
    )

    assert line == "Bron: Folder; Brochure. Laatst nagekeken: 02-01-2026."


def test_source_line_names_each_part_of_combined_sources_once() -> None:
    line = source_line(
        [
            ("brochure ALS Centrum Nederland; www.als.nl", "a.txt", date(2026, 11, 25)),
            ("brochure ALS Centrum Nederland", "a.txt", date(2026, 11, 25)),
        ]
    )
    assert line == (
        "Bron: brochure ALS Centrum Nederland; www.als.nl. "
        "Laatst nagekeken: 25-11-2026."
    )
