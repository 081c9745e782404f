"""The repairs of dictated and misspelled messages (bot/nlp/normalise.py)."""

from __future__ import annotations

import pytest

from bot.nlp.normalise import MessageNormaliser

TRAINING = [
    "wat is een emg",
    "wat is psma",
    "wat doet riluzol",
    "is als erfelijk",
    "wanneer moet ik naar de neuroloog",
]


@pytest.fixture(scope="module")
def normalise() -> MessageNormaliser:
    return MessageNormaliser.from_texts(TRAINING)


@pytest.mark.parametrize(
    ("message", "repaired"),
    [
        ("euh wat is dat nou zeg maar", "wat is dat nou"),
        ("wat is ee em gee", "wat is emg"),
        ("de dokter zei pe es em a", "de dokter zei psma"),
        ("wat doet die rilu zool", "wat doet die riluzol"),
        ("is als erfelik", "is als erfelijk"),
        ("mijn vader moet naar de neuroloch", "mijn vader moet naar de neuroloog"),
    ],
)
def test_dictation_and_typos_are_repaired(
    normalise: MessageNormaliser, message: str, repaired: str
) -> None:
    assert normalise(message) == repaired


@pytest.mark.parametrize(
    "message",
    [
        "ik fiets naar de markt",
        "mijn zus gaat en de buurman ook",
        "Wat is ALS precies?",
    ],
)
def test_ordinary_dutch_is_left_alone(
    normalise: MessageNormaliser, message: str
) -> None:
    assert normalise(message).replace(" ?", "?") == message


def test_each_step_can_be_switched_off() -> None:
    only_fillers = MessageNormaliser.from_texts(TRAINING, ("fillers",))
    assert only_fillers("euh is als erfelik") == "is als erfelik"
