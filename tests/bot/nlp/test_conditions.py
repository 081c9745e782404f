"""Other illnesses are named; ALS and its relatives stay ALS (bot/nlp/conditions.py)."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from bot.nlp.conditions import ConditionFinder, ConditionList, about_other_illness
from bot.nlp.pipeline import DEFAULT_OUTPUT
from bot.settings import PROJECT_ROOT as ROOT


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load(DEFAULT_OUTPUT)


@pytest.fixture(scope="module")
def finder(nlp: Language) -> ConditionFinder:
    return ConditionList.from_file().finder(nlp)


def test_the_list_is_long_enough() -> None:
    assert len(ConditionList.from_file().conditions) >= 150


@pytest.mark.parametrize(
    ("message", "illness"),
    [
        ("wat is de ziekte van Huntington", "Huntington"),
        ("is suikerziekte erfelijk", "diabetes"),
        ("welke klachten horen bij MS", "MS"),
        ("hoe lang leef je nog met longkanker", "longkanker"),
    ],
)
def test_another_illness_is_named(
    nlp: Language, finder: ConditionFinder, message: str, illness: str
) -> None:
    name = about_other_illness(finder, nlp(message))
    assert name is not None and illness.lower() in name.lower()


@pytest.mark.parametrize(
    "message",
    [
        "wat is het verschil tussen ALS en MS",
        "is PLS hetzelfde als ALS",
        "mijn vader heeft parkinson en nu ook ALS, wat is dat",
        "wat doet riluzol",
        "als het regent blijf ik thuis",
        "wat is progressieve spinale musculaire atrofie",
    ],
)
def test_als_and_everyday_dutch_stay(
    nlp: Language, finder: ConditionFinder, message: str
) -> None:
    assert about_other_illness(finder, nlp(message)) is None


def test_a_study_keeps_the_message_about_als(
    nlp: Language, finder: ConditionFinder
) -> None:
    message = "mag ik na corona nog mijn hersenen doneren"
    assert about_other_illness(finder, nlp(message), ["hersendonatie"]) is None


def test_a_study_word_does_not_make_research_on_another_illness_about_als(
    nlp: Language, finder: ConditionFinder
) -> None:
    message = "is er een mri onderzoek voor mensen met ms"
    assert about_other_illness(finder, nlp(message), ["mri onderzoek"]) is not None


def test_an_illness_at_the_start_of_a_compound_is_named(
    nlp: Language, finder: ConditionFinder
) -> None:
    name = about_other_illness(
        finder, nlp("hoe word ik vrijwilliger bij parkinsononderzoek")
    )
    assert name is not None and "parkinson" in name.lower()
    assert about_other_illness(finder, nlp("hoe vaak komt als voor")) is None


def test_the_conditions_that_keep_a_study_question_are_named_on_the_cards() -> None:
    catalog = (ROOT / "content" / "catalog.yml").read_text(encoding="utf-8").lower()
    conditions = ConditionList.from_file()
    assert conditions.named_by_studies
    for name in conditions.named_by_studies:
        assert name.lower() in catalog, name
