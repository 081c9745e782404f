"""Personal data in user messages: masking before storage, "Vergeet mij" requests.

The chat channels call ``mask_personal_data`` on every message before Rasa sees
(and stores) it, and ``is_forget_request`` to recognise a typed request to
delete the conversation.

Masked in two steps:

1. the project's patterns: phone numbers (Dutch and Belgian national and
   international forms, and other international numbers written with ``+`` or
   ``00``), e-mail addresses (also written with "(at)" or "[at]"), IBANs of any
   country and citizen service numbers (BSN: nine digits that pass the
   11-proof);
2. ``deduce`` (UMC Utrecht's de-identification of Dutch clinical text): names,
   dates, addresses and places, hospitals and institutions, ages, and other
   long numbers (patient numbers, numbers written in odd ways).

Never masked: the emergency and crisis numbers (112, 113, 0800-0113), free and
paid service numbers (0800, 0900, 0906, 0909; Belgian 070 and 078), ordinary
numbers such as doses, counts, amounts and years, and what the assistant needs
to answer: the names, sites, organisations and websites of
``content/catalog.yml`` ("het MRI-onderzoek in het UMC Utrecht"). A nine-digit
number that happens to pass the 11-proof is masked as a BSN even when it was
meant as an amount: better one number too many.

``deduce`` builds its lookup tables once per installation (about 90 s;
``make setup`` does it) and loads them in a few seconds; ``PersonalDataMasker``
is created once per process, at start-up (``warm_up``), never on a message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
import yaml

PHONE = "[telefoonnummer]"
EMAIL = "[e-mailadres]"
BSN = "[BSN]"
IBAN = "[rekeningnummer]"
NAME = "[naam]"
DATE = "[datum]"
PLACE = "[plaats]"
INSTITUTION = "[instelling]"
AGE = "[leeftijd]"
NUMBER = "[nummer]"
ADDRESS = "[adres]"
WEBSITE = "[website]"
DEDUCE_LABELS = {
    "persoon": NAME, "patient": NAME, "datum": DATE, "locatie": PLACE,
    "ziekenhuis": INSTITUTION, "instelling": INSTITUTION, "leeftijd": AGE,
    "id": NUMBER, "bsn": BSN, "telefoonnummer": PHONE, "emailadres": EMAIL,
    "url": WEBSITE,
}  # fmt: skip
"""deduce's tags -> the label that replaces what it found."""
CATALOG = Path(__file__).resolve().parents[1] / "content" / "catalog.yml"

FORGET_PAYLOAD = "/forget_me"

# One separator between digits: a space, or - . / with optional spaces around
# it; a closing parenthesis may come first, as in "(020) 123 4567".
_SEP = r"(?:\)?[ \t]{0,2}[-./][ \t]{0,2}|\)?[ \t]{1,2}\n?|\)?\n|\))?"
# Not glued to a word, an e-mail address or an earlier number ("10.000.000").
_START = r"(?<![\w@+])(?<!\d[.,])"
_END = r"(?!\d)(?![.,]\d)"
_DATE = r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?![-./]?\d)"

_AT = r"(?:@|[ \t]?\((?:at|apenstaart)\)[ \t]?|[ \t]?\[(?:at|apenstaart)\][ \t]?)"
_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]+{_AT}[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{{2,}}(?![\w-])",
    re.IGNORECASE,
)
_IBAN = re.compile(
    r"(?<!\w)(?:NL\d{2}[ \t]?[A-Z]{4}(?:[ \t]?\d{2}){5}|BE\d{2}(?:[ \t]?\d{4}){3}"
    r"|[A-Z]{2}\d{2}(?:[ \t]?[A-Z0-9]{4}){2,7}(?:[ \t]?[A-Z0-9]{1,3})?)"
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
_MONTH = (
    r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober"
    r"|november|december|jan|feb|mrt|apr|jun|jul|aug|sept?|okt|oct|nov|dec)"
)
_HOUSE_NUMBER = r"(?:[ \t-]?[a-z]{1,3}\b|-[IVX]+|[ \t]+bus[ \t]+\d+|[ \t]+bis\b)?"
"""What may follow a house number: "12a", "112-III", "23 bus 4", "48 bis"."""
_EXTRA = [
    # 3 januari, 7 okt., maandag 21 oktober 1957, 2 feb. 1948
    (
        regex.compile(
            rf"(?<!\w)\d{{1,2}}(?:e|ste|de)?[ \t]+{_MONTH}\b\.?(?:[ \t]+\d{{2,4}}\b)?",
            regex.IGNORECASE,
        ),
        DATE,
    ),
    # op 15-1, van 30/06 (a day and month after a word that introduces a date)
    (
        regex.compile(
            r"(?<=\b(?:op|van|vanaf|sinds|tot|geboren|geb\.|datum|per)[ \t])"
            r"\d{1,2}[-/]\d{1,2}(?![-/]?\d)",
            regex.IGNORECASE,
        ),
        DATE,
    ),
    # henk punt jansen apenstaartje example punt nl
    (
        regex.compile(
            r"\b\w+(?:[ \t]+punt[ \t]+\w+)*[ \t]+(?:apenstaartje|apenstaart)"
            r"[ \t]+\w+(?:[ \t]+punt[ \t]+\w+)+",
            regex.IGNORECASE,
        ),
        EMAIL,
    ),
    # dossiernummer 2023-004512, patientnr. 12.345.678, Z-998877, TR-NL-0342
    (
        regex.compile(
            r"(?<=\b(?:nummer|nr|nr\.|nummer:|nr:)[ \t])[ \t]*"
            r"[A-Z0-9][A-Z0-9./-]*\d[A-Z0-9./-]*(?:[ \t]\d{3,4})*",
            regex.IGNORECASE,
        ),
        NUMBER,
    ),
    (
        regex.compile(
            r"(?<=\b(?:dossier|patient|patiënt|ziekenhuis|registratie|deelnemers)"
            r"(?:nummer|nr\.?)[^\n\d]{0,30}?[ \t:](?:is[ \t]+)?)"
            r"[A-Z0-9][A-Z0-9./-]*\d[A-Z0-9./-]*(?:[ \t]\d{3,4})*",
            regex.IGNORECASE,
        ),
        NUMBER,
    ),
    # Kerkweg 12a, Van Heemskerckstraat 112-III, de Beukenlaan
    (
        regex.compile(
            r"\b(?:[\w-]{3,}(?:straat|laan|plein|dreef|kade|gracht|singel|steeg)\b"
            r"(?:[ \t]+\d{1,4}" + _HOUSE_NUMBER + r")?"
            r"|(?!onderweg|halfweg)[\w-]{3,}(?:weg|dijk|lei|baan|markt|hof|park)"
            r"[ \t]+\d{1,4}" + _HOUSE_NUMBER + r")",
            regex.IGNORECASE,
        ),
        ADDRESS,
    ),
    # postcodes: 3584 CX; 9000 Gent
    (regex.compile(r"\b[1-9]\d{3}[ \t]?[A-Z]{2}\b(?![ \t]*[a-z])"), ADDRESS),
    (regex.compile(r"\b[1-9]\d{3}[ \t]+(?=[A-Z][a-z])"), ADDRESS + " "),
    # huisnr 1, nr. 44
    (
        regex.compile(
            r"\b(?:huisnr|huisnummer|nr)\.?[ \t]*\d{1,4}[a-z]?\b", regex.IGNORECASE
        ),
        ADDRESS,
    ),
]
"""What deduce misses in chat messages: dates with a month name, spoken e-mail
addresses, numbers after a word that names them, street names, postcodes."""
_AGE_NUMBER = (
    r"(?:[1-9]\d{1,2}|(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen)?(?:en)?"
    r"(?:twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig))"
)
_AGE_CUE = regex.compile(
    r"(?:(?<=\bik ben[ \t])|(?<=\bleeftijd:?[ \t])|(?<=\()|(?<=\((?:m|v),[ \t]))"
    + _AGE_NUMBER
    + r"(?:[ \t]?(?:jaar|jr)\b)?"
    r"(?=[ \t]*(?:\)|,|\.|$|[ \t]+(?:oud|en|ik|met|jaar)\b))"
    r"|(?:(?<=\b(?:is|wordt|werd|ben)[ \t])|(?<=,[ \t]))"
    + _AGE_NUMBER
    + r"[ \t]?(?:jaar|jr)\b(?:[ \t]+oud\b)?",
    regex.IGNORECASE,
)
"""Ages: "ik ben 67", "(m, 54)", "is 77 jaar", "(36jr)", "vierenzeventig"; a
bare number after "is" stays ("de saturatie is 78" is no age)."""
_NAME_CUE = regex.compile(
    r"(?<=(?:\bik ben|\bik heet|\bmijn naam is|^met|\bhallo met|\bhoi met|\bhier is"
    r"|\bgroetjes|\bgroet|\bmijn (?:man|vrouw"
    r"|partner|vader|moeder|pa|ma|zoon|dochter|broer|zus|tante|oom|opa|oma|buurman"
    r"|buurvrouw|schoonvader|schoonmoeder|schoonzus|vriend|vriendin|moeke|vake"
    r"|echtgenoot|echtgenote))[ \t]+)"
    r"[^\W\d_][\w'-]*(?:[ \t]+(?:(?:van|de|der|den|ter|ten|van de|van der|van den)"
    r"[ \t]+)?[^\W\d_][\w'-]*){0,2}",
    regex.IGNORECASE,
)
"""Words after "ik ben", "mijn vrouw" ... that may be a name (lower case too)."""
_INTERFIXES = frozenset({"van", "de", "der", "den", "ter", "ten"})
NOT_NAMES = frozenset(
    {
        "mantelzorger", "mantelzorgster", "verzorger", "patient", "patiënt",
        "patiente", "partner", "dochter", "zoon", "echtgenote", "vrijwilliger",
        "verpleegkundige", "huisarts", "mama", "papa", "opa", "oma",
    }
)  # fmt: skip
COUNTRIES = (
    "Nederland",
    "België",
    "Belgie",
    "Frankrijk",
    "Duitsland",
    "Luxemburg",
    "Engeland",
    "Groot-Brittannië",
    "Ierland",
    "Spanje",
    "Portugal",
    "Italië",
    "Zwitserland",
    "Oostenrijk",
    "Denemarken",
    "Zweden",
    "Noorwegen",
    "Finland",
    "Polen",
    "Turkije",
    "Marokko",
    "Suriname",
    "Amerika",
    "Verenigde Staten",
    "Canada",
    "Europa",
    "Vlaanderen",
    "Wallonië",
    "Limburg",
)
"""Countries and regions are no personal data ("In Frankrijk noemen ze ...")."""
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


def mask_with_patterns(text: str) -> str:
    """Step 1: phone numbers, e-mail addresses, IBANs and BSNs (NFKC first, so
    full-width digits count as digits)."""
    masked = _EMAIL.sub(EMAIL, unicodedata.normalize("NFKC", text))
    masked = _IBAN.sub(IBAN, masked)
    masked = _PHONE.sub(_phone, masked)
    masked = _BSN.sub(_bsn, masked)
    for pattern, label in _EXTRA:
        masked = pattern.sub(label, masked)
    return _AGE_CUE.sub(AGE, masked)


class PersonalDataMasker:
    """Both steps: the patterns, then ``deduce`` with the catalog kept."""

    def __init__(self, deduce: Any, keep: Iterable[str]) -> None:
        """``deduce``: a ``deduce.Deduce``; ``keep``: names never masked."""
        self._deduce = deduce
        self._keep = [_words(name) for name in keep if _words(name)]

    @classmethod
    def create(cls, catalog: Path = CATALOG) -> PersonalDataMasker:
        """Load ``deduce`` (its lookup tables must be built: ``make setup``)."""
        from deduce import Deduce

        return cls(Deduce(), [*catalog_names(catalog), *COUNTRIES])

    def mask(self, text: str) -> str:
        """The message with every piece of personal data replaced by a label."""
        masked = _NAME_CUE.sub(self._name, mask_with_patterns(text))
        found = self._deduce.deidentify(masked).annotations
        pieces: list[str] = []
        position = 0
        for annotation in sorted(found, key=lambda a: (a.start_char, -a.end_char)):
            if annotation.start_char < position or self._keeps(annotation, masked):
                continue
            label = DEDUCE_LABELS.get(str(annotation.tag).lower())
            if label is None:
                continue
            pieces += [masked[position : annotation.start_char], label]
            position = annotation.end_char
        return "".join(pieces) + masked[position:]

    def _name(self, match: regex.Match[str]) -> str:
        """The name at the start of the words after a cue, masked: a known
        first name or surname (deduce's lists), or a capitalised word that is
        no common word; between them "de", "van" ..."""
        words = match.group(0).split()
        taken = 0
        for number, word in enumerate(words):
            if word.lower() in _INTERFIXES and 0 < number < len(words) - 1:
                continue
            if not self._may_be_a_name(word, first=number == 0):
                break
            taken = number + 1
        if taken == 0:
            return match.group(0)
        return " ".join([NAME, *words[taken:]])

    def _may_be_a_name(self, word: str, *, first: bool) -> bool:
        lookups = self._deduce.lookup_structs
        plain = word.lower()
        if plain in NOT_NAMES or _words(word) in self._keep:
            return False
        parts = [part.capitalize() for part in word.split("-") if part]
        names = (
            [lookups["first_name"]]
            if first
            else [lookups["first_name"], lookups["surname"]]
        )
        if parts and all(
            any(trie.longest_matching_prefix([part]) for trie in names)
            for part in parts
        ):
            return True
        return word[:1].isupper() and plain not in lookups["whitelist"]

    def _keeps(self, annotation: Any, text: str) -> bool:
        """What the assistant needs stays: a catalog name, a crisis or service
        number, a label of step 1."""
        found = str(annotation.text)
        if "[" in found or "]" in found:
            return True
        before = _DIGITS_BEFORE.search(text, 0, annotation.start_char)
        digits = _digits((before.group(0) if before else "") + found)
        if digits and (digits in CRISIS_NUMBERS or _is_service_number(digits)):
            return True
        words = _words(found)
        return bool(words) and any(_contains(name, words) for name in self._keep)


CRISIS_NUMBERS = frozenset({"112", "113", "08000113"})
_DIGITS_BEFORE = re.compile(r"\d[\d \t./-]*$")
"""The digits right before a number deduce found ("0800-" of "0800-1234567")."""


def _words(text: str) -> tuple[str, ...]:
    return tuple(_normalise(text).split())


def _contains(name: tuple[str, ...], words: tuple[str, ...]) -> bool:
    size = len(words)
    return any(name[i : i + size] == words for i in range(len(name) - size + 1))


def catalog_names(catalog: Path = CATALOG) -> list[str]:
    """Every text of ``content/catalog.yml``: names, sites, organisations,
    websites, people, descriptions (a place named there is kept)."""
    return list(_strings(yaml.safe_load(catalog.read_text(encoding="utf-8"))))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@lru_cache(maxsize=1)
def masker() -> PersonalDataMasker:
    """The masker of this process (loading ``deduce`` takes a few seconds)."""
    return PersonalDataMasker.create()


def warm_up() -> None:
    """Load the masker now (at start-up), not on the first message."""
    masker()


def mask_personal_data(text: str) -> str:
    """Replace personal data with a label (``[telefoonnummer]``, ``[naam]``...).

    Args:
        text: A message as the user typed it.

    Returns:
        The message with labels in place of phone numbers, e-mail addresses,
        IBANs, BSNs, names, dates, addresses and places, institutions, ages and
        other long numbers; the catalog's names and crisis numbers stay.
    """
    return masker().mask(text)


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
