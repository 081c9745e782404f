"""Finding a study or a contact from free Dutch text (no database needed)."""

from __future__ import annotations

import time

import pytest

from bot.db.models import Contact, Study
from bot.db.seed import load_catalog
from bot.matching import (
    MAX_INPUT_CHARS,
    asks_how_to_take_part,
    find_contacts,
    find_study,
    normalise,
)


@pytest.fixture(scope="module")
def studies() -> list[Study]:
    """The studies of the real seed file, as unsaved model objects."""
    return [Study(**row) for row in load_catalog().studies]


@pytest.fixture(scope="module")
def contacts() -> list[Contact]:
    """The contacts of the real seed file, as unsaved model objects."""
    return [Contact(**row) for row in load_catalog().contacts]


def test_normalise_lowercases_and_strips_accents_and_punctuation() -> None:
    assert normalise("  Het MRI-onderzoek, België!  ") == "het mri onderzoek belgie"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("MRI-onderzoek", "mri"),
        ("wat houdt het MRI-onderzoek in", "mri"),
        ("Project MinE", "project-mine"),
        ("TRICALS", "tricals"),
        ("Wat is de PAN studie?", "pan"),
        ("TUDCA-ALS studie", "tudca-als"),
        ("kan ik meedoen aan PAN", "pan"),
        ("Hersen- en ruggenmergdonatie (autopsie)", "hersendonatie"),
    ],
)
def test_study_found_by_name(studies: list[Study], text: str, slug: str) -> None:
    study = find_study(text, studies)

    assert study is not None and study.slug == slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("tudca", "tudca-als"),
        ("tauroursodeoxycholzuur", "tudca-als"),
        ("neurobiobank", "biobank"),
        ("ik wil onderzoeksstalen afgeven", "biobank"),
        ("ik wil mijn hersenen doneren na mijn dood", "hersendonatie"),
        ("autopsie na overlijden", "hersendonatie"),
        ("obductie", "hersendonatie"),
        ("brain donation", "hersendonatie"),
        ("projectmine", "project-mine"),
        ("project mijn", "project-mine"),
        ("hersenscan onderzoek", "mri"),
        ("PAN study", "pan"),
    ],
)
def test_study_found_by_alias(studies: list[Study], text: str, slug: str) -> None:
    study = find_study(text, studies)

    assert study is not None and study.slug == slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("tudka", "tudca-als"),
        ("tutca", "tudca-als"),
        ("mri onderzoekk", "mri"),
        ("projekt mine", "project-mine"),
        ("trickals", "tricals"),
        ("biobang", "biobank"),
        ("bio bank", "biobank"),
        ("hersen donatie", "hersendonatie"),
        ("hersendonatei", "hersendonatie"),
        ("autopsy", "hersendonatie"),
    ],
)
def test_study_found_by_misspelling(studies: list[Study], text: str, slug: str) -> None:
    study = find_study(text, studies)

    assert study is not None and study.slug == slug


@pytest.mark.parametrize(
    "text",
    [
        "als het regent",
        "als het regent ga ik niet",
        "wat is als",
        "welke onderzoeken zijn er?",
        "onderzoek",
        "dit onderzoekje",
        "de productie van medicijnen",
        "hoeveel mensen hebben als",
        "",
        "   ",
        "🧠🙂",
        "'; DROP TABLE studies; --",
        "\x00\x00\x00",
    ],
)
def test_no_study_in_unrelated_text(studies: list[Study], text: str) -> None:
    assert find_study(text, studies) is None


def test_only_the_first_characters_are_matched(studies: list[Study]) -> None:
    text = "x" * MAX_INPUT_CHARS + " mri"

    assert find_study(text, studies) is None


def test_very_long_input_is_fast(studies: list[Study], contacts: list[Contact]) -> None:
    text = "hersenen doneren " * 2_000

    started = time.perf_counter()
    find_study(text, studies)
    find_contacts(text, contacts)

    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ik wil mijn hersenen doneren", ["nmrc"]),
        ("wie bel ik over het mri onderzoek", ["als-centrum"]),
        ("ik wil een verpleegkundige spreken", ["eigen-arts", "als-centrum"]),
        ("kan ik de wijkverpleegkundige bellen", ["eigen-arts", "als-centrum"]),
        ("ik wil mijn huisarts spreken", ["eigen-arts"]),
        ("ik wil geld doneren voor onderzoek", ["stichting-als-nederland"]),
        ("ik zoek contact met lotgenoten", ["spierziekten-nederland"]),
        ("ik denk aan zelfmoord", ["113-zelfmoordpreventie"]),
        ("Ik wil een VERPLEEGKUNDIGE", ["eigen-arts", "als-centrum"]),
    ],
)
def test_contacts_found_for_a_need(
    contacts: list[Contact], text: str, expected: list[str]
) -> None:
    assert [c.slug for c in find_contacts(text, contacts)] == expected


@pytest.mark.parametrize(
    "text", ["wie kan ik bellen", "als het regent", "", "'; DROP TABLE contacts; --"]
)
def test_no_contacts_without_a_need(contacts: list[Contact], text: str) -> None:
    assert find_contacts(text, contacts) == []


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("kan ik meedoen aan het mri onderzoek", True),
        ("kan ik mee doen?", True),
        ("wat moet ik doen om deel te nemen", True),
        ("hoe kan ik me aanmelden", True),
        ("waar ik aan mee kan doen", True),
        ("wat is het mri onderzoek", False),
        ("wat houdt de biobank in", False),
    ],
)
def test_asks_how_to_take_part(text: str, asks: bool) -> None:
    assert asks_how_to_take_part(text) is asks
