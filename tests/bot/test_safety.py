"""Crises are recognised before any topic; unreadable input is caught."""

import pytest

from bot.safety import Crisis, detect_crisis, is_unreadable


@pytest.mark.parametrize(
    "message",
    [
        "ik krijg geen lucht",
        "Help mijn man stikt!!",
        "mijn vrouw verslikt zich en wordt blauw",
        "hij ademt niet meer",
        "ze is bewusteloos",
        "ik ben gevallen en kan niet meer opstaan",
        "IK KRIJG GEEN ADEM",
    ],
)
def test_acute_emergencies(message: str) -> None:
    assert detect_crisis(message) is Crisis.EMERGENCY


@pytest.mark.parametrize(
    "message",
    [
        "ik wil niet meer leven",
        "ik denk aan zelfmoord",
        "ik wil er een eind aan maken",
        "ik zie het niet meer zitten",
        "het heeft allemaal geen zin meer",
    ],
)
def test_despair(message: str) -> None:
    assert detect_crisis(message) is Crisis.DESPAIR


@pytest.mark.parametrize(
    "message",
    [
        "ga ik op het einde stikken",
        "ik ben bang dat ik later geen lucht meer krijg",
        "wat is als",
        "hoe lang leef je met als",
        "kan ik meedoen aan het mri onderzoek",
    ],
)
def test_general_questions_are_not_crises(message: str) -> None:
    assert detect_crisis(message) is None


@pytest.mark.parametrize(
    "message", ["", "   ", "😀😀😀", "\x00\x01\x02", "1234 5678", "?!?!"]
)
def test_unreadable_messages(message: str) -> None:
    assert is_unreadable(message)


@pytest.mark.parametrize("message", ["wat is als", "riluzol?", "<b>wat is als</b>"])
def test_readable_messages(message: str) -> None:
    assert not is_unreadable(message)
