"""Personal data is masked; crisis lines and ordinary numbers are left alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import (
    ADDRESS,
    AGE,
    BSN,
    DATE,
    EMAIL,
    IBAN,
    NAME,
    NUMBER,
    PHONE,
    PLACE,
    is_forget_request,
    is_valid_bsn,
    mask_personal_data,
)


@pytest.mark.parametrize(
    "number",
    [
        "06-12345678",
        "0612345678",
        "06 12345678",
        "06 1234 5678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06 - 12345678",
        "+31 6 1234 5678",
        "+31612345678",
        "+31 (0)6-12345678",
        "+31 (0)6 12345678",
        "0031 6 12345678",
        "0031612345678",
        "030-1234567",
        "020 123 4567",
        "020-123 45 67",
        "(020) 123 4567",
        "0201234567",
        "+31 20 123 4567",
        "+31-30-1234567",
        "+32 470 12 34 56",
        "+32470123456",
        "0032 470 12 34 56",
        "0470 12 34 56",
        "0470/12.34.56",
        "02 123 45 67",
        "+32 2 123 45 67",
        "+49 30 12345678",
        "０６１２３４５６７８",
    ],
)
def test_phone_numbers_are_masked(number: str) -> None:
    masked = mask_personal_data(f"bel mij op {number} na vijven")
    assert masked == f"bel mij op {PHONE} na vijven"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0612345678.", f"{PHONE}."),
        ("tel:0612345678", f"tel:{PHONE}"),
        ("bel (0612345678)", f"bel ({PHONE})"),
        ("ik ben 45 0612345678", f"ik ben 45 {PHONE}"),
        ("06-11111111 of 020-7654321", f"{PHONE} of {PHONE}"),
        ("op 01/02/2023 via 0612345678", f"op [datum] via {PHONE}"),
    ],
)
def test_phone_numbers_in_context(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    "address",
    [
        "jan.jansen@example.nl",
        "JAN@EXAMPLE.COM",
        "jan+als@mail.example.be",
        "a_b-c@sub-domein.example.org",
        "anaïs@example.fr",
    ],
)
def test_email_addresses_are_masked(address: str) -> None:
    assert mask_personal_data(f"mail {address}, graag") == f"mail {EMAIL}, graag"


@pytest.mark.parametrize(
    "number",
    ["123456782", "111222333", "1234.56.782", "123.456.782", "123 456 782"],
)
def test_bsn_that_passes_the_eleven_proof_is_masked(number: str) -> None:
    assert mask_personal_data(f"mijn bsn is {number}") == f"mijn bsn is {BSN}"


@pytest.mark.parametrize(
    "number", ["NL91 ABNA 0417 1643 00", "NL91ABNA0417164300", "BE68 5390 0754 7034"]
)
def test_iban_is_masked(number: str) -> None:
    assert mask_personal_data(f"rekening {number}") == f"rekening {IBAN}"


@pytest.mark.parametrize(
    "text",
    [
        "bel 112",
        "bel 113 of 0800-0113",
        "bel 0800 0113",
        "0800-1234567",
        "0900-1234567",
        "078 15 15 15",
        "50 mg",
        "2 x 50 mg per dag",
        "riluzol 2 x 50",
        "1.700 deelnemers",
        "in 2023 en 2024",
        "van 1990-2000",
        "10.000.000.000 euro",
        "0,5 mg",
        "ik ben 06",
        "wat is ALS",
        "",
        "@ en . en +",
    ],
)
def test_ordinary_text_and_crisis_lines_are_not_masked(text: str) -> None:
    assert mask_personal_data(text) == text


def test_everything_in_one_message() -> None:
    text = "Jan, 06-12345678, jan@example.nl, BSN 123456782, bel 112 of 113."
    assert mask_personal_data(text) == (
        f"{NAME}, {PHONE}, {EMAIL}, BSN {BSN}, bel 112 of 113."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ik ben Jan Jansen, geboren 12-03-1957, ik woon op de Dorpsstraat 5. "
            "Wat is riluzol?",
            f"Ik ben {NAME}, geboren {DATE}, ik woon op de {ADDRESS}. Wat is riluzol?",
        ),
        ("op 06-03-2024 14:00", f"op {DATE} 14:00"),
        ("postcode 3584 CX", f"postcode {ADDRESS}"),
        ("mijn patiëntnummer is 1234567", f"mijn patiëntnummer is {NUMBER}"),
        ("123456789", NUMBER),
        ("mail jan(at)example.nl", f"mail {EMAIL}"),
        ("mail piet [at] voorbeeld.be", f"mail {EMAIL}"),
        ("rekening DE89370400440532013000", f"rekening {IBAN}"),
        ("mijn moeder is 68 jaar", f"mijn moeder is {AGE}"),
        (
            "Wij wonen in Amersfoort, hij heeft ALS",
            f"Wij wonen in {PLACE}, hij heeft ALS",
        ),
    ],
)
def test_names_dates_addresses_and_odd_numbers_are_masked(
    text: str, expected: str
) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "kan ik meedoen aan het MRI-onderzoek van het UMC Utrecht",
        "wat doet het NMRC in België",
        "staat dat op www.als-centrum.nl",
        "ALS Centrum Nederland of Stichting ALS Nederland",
        "wat is Project MinE",
        "0800-1234567",
    ],
)
def test_what_the_assistant_needs_to_answer_stays(text: str) -> None:
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("123456782", True), ("111222333", True), ("123456789", False)]
    + [("000000000", False), ("12345678", False), ("12345678x", False)],
)
def test_eleven_proof(digits: str, valid: bool) -> None:
    assert is_valid_bsn(digits) is valid


@pytest.mark.parametrize(
    "text",
    [
        "/forget_me",
        "vergeet mij",
        "Vergeet mij!",
        "VERGEET ME",
        "wis mijn gesprek",
        "Wis mijn gesprek.",
        "verwijder mijn gesprek",
        "verwijder mijn gegevens a.u.b.",
        "Verwijder m'n gegevens",
        "kunt u mijn gesprek wissen?",
        "graag mijn gegevens verwijderen",
        "  vergeet   mij  ",
    ],
)
def test_forget_requests(text: str) -> None:
    assert is_forget_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "vergeet me niet",
        "hoe kan ik mijn gegevens verwijderen",
        "ik vergeet mijn medicijnen",
        "wis het",
        "wat is ALS",
        "/forget_me_not",
        "",
    ],
)
def test_not_forget_requests(text: str) -> None:
    assert not is_forget_request(text)


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=300))
def test_masking_never_fails_and_is_idempotent(text: str) -> None:
    masked = mask_personal_data(text)
    assert isinstance(masked, str)
    assert mask_personal_data(masked) == masked, "masking is idempotent"


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.from_regex(r"06[0-9]{8}", fullmatch=True),
    st.text(alphabet="abc ,.!?", max_size=20),
)
def test_any_mobile_number_is_masked(number: str, around: str) -> None:
    masked = mask_personal_data(f"{around} {number} {around}")
    assert number not in masked and PHONE in masked


@pytest.mark.parametrize(
    "text",
    [
        "de saturatie is 78 en hij wordt blauw",
        "Ik sta iedereen in de weg met mijn rolstoel",
        "Ik wil weg van alles. Weg van dit bed.",
        "ik ben onderweg naar het ziekenhuis",
        "op het kerkhof",
    ],
)
def test_what_the_safety_layer_reads_is_never_masked(text: str) -> None:
    assert mask_personal_data(text) == text
