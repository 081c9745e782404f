"""Personal data in user messages: masking before storage, "Vergeet mij" requests.

Pure functions, no framework. The chat channels call ``mask_personal_data`` on
every message before Rasa sees (and stores) it, and ``is_forget_request`` to
recognise a typed request to delete the conversation.

Masked: phone numbers (Dutch and Belgian national and international forms, and
other international numbers written with ``+`` or ``00``), e-mail addresses,
Dutch and Belgian IBANs and citizen service numbers (BSN: nine digits that pass
the 11-proof). Never masked: the emergency and crisis numbers (112, 113,
0800-0113), free and paid service numbers (0800, 0900, 0906, 0909; Belgian
070 and 078), and ordinary numbers such as doses, counts, amounts, dates and
years. A nine-digit number that happens to pass the 11-proof is masked as a BSN
even when it was meant as an amount: better one number too many.
"""

from __future__ import annotations

import re
import unicodedata

PHONE = "[telefoonnummer]"
EMAIL = "[e-mailadres]"
BSN = "[BSN]"
IBAN = "[rekeningnummer]"

FORGET_PAYLOAD = "/forget_me"

# One separator between digits: a space, or - . / with optional spaces around
# it; a closing parenthesis may come first, as in "(020) 123 4567".
_SEP = r"(?:\)?[ \t]?[-./][ \t]?|\)?[ \t]|\))?"
# Not glued to a word, an e-mail address or an earlier number ("10.000.000").
_START = r"(?<![\w@+])(?<!\d[.,])"
_END = r"(?!\d)(?![.,]\d)"
_DATE = r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?![-./]?\d)"

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
_IBAN = re.compile(
    r"(?<!\w)(?:NL\d{2}[ \t]?[A-Z]{4}(?:[ \t]?\d{2}){5}|BE\d{2}(?:[ \t]?\d{4}){3})"
    r"(?!\w)",
    re.IGNORECASE,
)
_PHONE = re.compile(
    _START
    + r"(?:"
    # Netherlands and Belgium, international: +31 6 1234 5678, 0032 470 12 34 56
    + rf"(?P<nlbe>(?:\+[ \t]?|\b00[ \t]?)3[12](?:[ \t]?\(0\))?(?:{_SEP}\d){{8,9}})"
    # Any other country: +49 30 1234567
    + rf"|(?P<intl>(?:\+[ \t]?|\b00[ \t]?)[1-9]\d{{0,2}}(?:{_SEP}\d){{6,12}})"
    # National: 06-12345678, (020) 123 4567, 0470 12 34 56, 02 123 45 67
    + rf"|(?P<national>(?!{_DATE})(?:\((?=0\d{{1,4}}\)))?0(?:{_SEP}\d){{8,9}})"
    + r")"
    + _END
)
_BSN = re.compile(_START + r"(?P<bsn>\d(?:[ \t.-]?\d){8})" + _END)
_SERVICE_PREFIXES = ("0800", "0900", "0906", "0909")
_BELGIAN_SERVICE_PREFIXES = ("070", "078")
_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)

_POLITE = r"(?:alstublieft|alsjeblieft|aub|a u b|svp|graag|nu|dan|even|maar)"
_PLEASE = r"(?:wilt u|wil je|kunt u|kun je|kan je|kan u|ik wil|ik wil graag|graag)"
_WHAT = r"(?:gesprek(?:ken)?|gegevens|chat|chats|berichten|data|geschiedenis)"
_MY = r"(?:mijn|m n|mn|al mijn|dit|het|deze)"
_FORGET = re.compile(
    rf"(?:{_PLEASE} )?(?:{_POLITE} )*"
    r"(?:"
    r"vergeet (?:mij|me|mijn gegevens)"
    rf"|(?:wis|verwijder) (?:{_MY} )?{_WHAT}"
    rf"|{_MY} {_WHAT} (?:wissen|verwijderen)"
    r")"
    rf"(?: {_POLITE})*"
)
_NON_WORD = re.compile(r"[^\w]+")


def _digits(text: str) -> str:
    return "".join(str(unicodedata.digit(char)) for char in text if char.isdigit())


def is_valid_bsn(digits: str) -> bool:
    """Whether nine digits pass the BSN 11-proof (and are not all zeros)."""
    if len(digits) != 9 or not digits.isdigit() or set(digits) == {"0"}:
        return False
    total = sum(int(d) * w for d, w in zip(digits, _BSN_WEIGHTS, strict=True))
    return total % 11 == 0


def _is_service_number(digits: str) -> bool:
    """Crisis lines and companies' service numbers are not personal data."""
    if digits.startswith(_SERVICE_PREFIXES):
        return True
    return len(digits) == 9 and digits.startswith(_BELGIAN_SERVICE_PREFIXES)


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    digits = _digits(found)
    if match.group("national") is not None:
        if _is_service_number(digits):
            return found
        if len(digits) == 9 and found.isdigit() and is_valid_bsn(digits):
            return BSN
    if found.startswith("(") and ")" not in found:
        return "(" + PHONE
    return PHONE


def _bsn(match: re.Match[str]) -> str:
    found = match.group(0)
    return BSN if is_valid_bsn(_digits(found)) else found


def mask_personal_data(text: str) -> str:
    """Replace phone numbers, e-mail addresses, IBANs and BSNs with a label.

    The text is NFKC-normalised first, so full-width digits count as digits.

    Args:
        text: A message as the user typed it.

    Returns:
        The message with ``[telefoonnummer]``, ``[e-mailadres]``,
        ``[rekeningnummer]`` and ``[BSN]`` in place of the personal data.
    """
    masked = _EMAIL.sub(EMAIL, unicodedata.normalize("NFKC", text))
    masked = _IBAN.sub(IBAN, masked)
    masked = _PHONE.sub(_phone, masked)
    return _BSN.sub(_bsn, masked)


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", plain.casefold()).strip()


def is_forget_request(text: str) -> bool:
    """Whether ``text`` asks to delete the conversation ("Vergeet mij").

    The button sends ``/forget_me``; typed requests such as "vergeet mij",
    "wis mijn gesprek" or "verwijder mijn gegevens" count too, in any case and
    with punctuation or a polite word around them, but only as the whole message.
    """
    if text.strip() == FORGET_PAYLOAD:
        return True
    return _FORGET.fullmatch(_normalise(text)) is not None
