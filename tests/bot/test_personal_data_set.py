"""Masking on messages with personal data as patients and relatives type them
(``tests/bot/personal_data.yml``, 173 messages; issue 12).

Each message lists its secrets (names, dates, addresses, phone numbers, e-mail
addresses, IBANs, BSNs, ages, patient numbers) and the words the assistant
needs to answer (the medicine, the study, a crisis number). What is masked and
what is not is printed when a floor is missed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.privacy import mask_personal_data

SET = Path(__file__).with_name("personal_data.yml")
ALL_SECRETS_GONE_FLOOR = 0.92
"""Messages whose every secret is masked (0.928 measured). Missed: lower-case
places ("uit gent"), and ages written as a bare number after "is" ("mijn vader
is 80"), which stay because such a number may be what an emergency turns on
("de saturatie is 78")."""
_SEPARATORS = re.compile(r"[\s./-]")


def _messages() -> list[dict[str, Any]]:
    return list(yaml.safe_load(SET.read_text(encoding="utf-8"))["messages"])


def _leaks(message: dict[str, Any], masked: str) -> list[str]:
    """Secrets still in the masked text, also as runs of four or more digits."""
    joined = _SEPARATORS.sub("", masked)
    leaks = []
    for secret in message["secrets"]:
        runs = re.findall(r"\d{4,}", _SEPARATORS.sub("", secret))
        if secret in masked or any(run in joined for run in runs):
            leaks.append(secret)
    return leaks


def test_the_set_is_large_and_covers_every_kind() -> None:
    messages = _messages()
    kinds = {m["kind"] for m in messages if m["secrets"]}
    assert len([m for m in messages if m["secrets"]]) >= 100
    assert {"name", "date", "address", "phone", "email", "iban", "bsn"} <= kinds


def test_personal_data_is_masked_and_what_the_assistant_needs_stays() -> None:
    with_data = [m for m in _messages() if m["secrets"]]
    report = []
    gone = 0
    for message in with_data:
        masked = mask_personal_data(message["text"])
        leaks = _leaks(message, masked)
        gone += not leaks
        if leaks:
            report.append(f"[{message['kind']}] {leaks} in {masked!r}")
        lost = [word for word in message["keep"] if word not in masked]
        assert not lost, f"{lost} masked in {masked!r}"
    share = gone / len(with_data)
    assert share >= ALL_SECRETS_GONE_FLOOR, f"{share:.3f}\n" + "\n".join(report)


def test_messages_without_personal_data_stay_as_they_are() -> None:
    for message in _messages():
        if not message["secrets"]:
            assert mask_personal_data(message["text"]) == message["text"]
