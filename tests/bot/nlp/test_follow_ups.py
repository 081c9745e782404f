"""Words that refer back to what was just discussed (bot/nlp/follow_ups.py)."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from bot.nlp.follow_ups import BackReferences
from bot.nlp.pipeline import DEFAULT_OUTPUT


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load(DEFAULT_OUTPUT)


@pytest.fixture(scope="module")
def references(nlp: Language) -> BackReferences:
    return BackReferences(nlp)


@pytest.mark.parametrize(
    "message",
    [
        "helpt dat echt?",
        "is dat een medicijn?",
        "hoeveel mensen doen er mee?",
        "hoe lang lig je dan in die scanner?",
        "kan ik daaraan meedoen?",
        "wat houdt dat precies in?",
        "wie betaalt dat",
        "zijn er al resultaten, werkt het?",
        "is da bij iedereen hetzelfde?",
        "wat helpt daartegen?",
    ],
)
def test_a_question_about_the_thing_just_discussed_refers_back(
    references: BackReferences, nlp: Language, message: str
) -> None:
    assert references.refers_back(nlp(message.lower()))


@pytest.mark.parametrize(
    "message",
    [
        "wat is een emg",
        "zijn er studies voor mij",
        "ik las dat een gen de oorzaak is",
        "ik hoorde dat profvoetballers het vaker krijgen",
        "is het erfelijk",
        "zijn er medicijnen",
    ],
)
def test_a_question_of_its_own_and_dat_the_conjunction_do_not(
    references: BackReferences, nlp: Language, message: str
) -> None:
    assert not references.refers_back(nlp(message.lower()))


def test_a_pronoun_may_refer_back_where_nothing_else_does(
    references: BackReferences, nlp: Language
) -> None:
    assert references.mentions_something(nlp("is het besmettelijk?"))
    assert not references.mentions_something(nlp("moet ik nuchter komen?"))
