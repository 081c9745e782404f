"""ALS the disease and "als" (if, when, as) are told apart."""

import pytest

from bot.nlp.als import is_als_token, is_disease_mention


def _judge(sentence: str) -> list[bool]:
    tokens = sentence.replace("?", " ?").split()
    return [
        is_disease_mention(tokens, i) for i, t in enumerate(tokens) if is_als_token(t)
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "wat is als",
        "wat is ALS ?",
        "is als erfelijk",
        "mijn vader heeft als",
        "hoe lang leef je met als",
        "Ik heb ALS en wil meer weten",
        "hoeveel mensen krijgen als per jaar",
        "kun je als genezen",
        "a.l.s. wat is dat",
    ],
)
def test_disease_mentions_are_recognised(sentence: str) -> None:
    assert _judge(sentence) == [True]


@pytest.mark.parametrize(
    "sentence",
    [
        "als het regent ga ik niet",
        "als je wilt kom ik morgen langs",
        "net als vorige week",
        "zo groot als een huis",
        "ik werk als kok",
        "als eerste wil ik iets vragen",
        "hij is even oud als ik",
    ],
)
def test_conjunctions_are_not_the_disease(sentence: str) -> None:
    assert _judge(sentence) == [False]


def test_both_senses_in_one_sentence() -> None:
    assert _judge("als ik als heb hoe lang leef ik dan nog") == [False, True]


def test_all_capitals_sentence_does_not_make_every_als_the_disease() -> None:
    assert _judge("ALS HET REGENT GA IK NIET") == [False]
