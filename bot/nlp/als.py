"""Tell "ALS" the disease from "als" the Dutch word for if, when or as.

The rule looks at the written form and at the words around it. It works on the
tokens of one message, so it serves the spaCy pipeline and the safety checks alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.nlp.text import fold

_ALS_FORMS = frozenset({"als", "a.l.s", "a.l.s."})

_CONJUNCTION_PREVIOUS = frozenset(
    {
        "net", "zowel", "evenals", "zo", "even", "dan", "precies", "ongeveer",
        "werk", "werkt", "werken", "werkte", "werkten", "fungeert", "gezien",
        "beschouwd", "bekend", "dient", "diende", "geboren", "ken", "kende",
        "tegelijk", "zodra", "soms", "vooral", "juist", "alleen", "behalve",
        "niet", "pas", "gebruik", "gebruikt", "worden", "wordt", "telt",
    }
)  # fmt: skip
_CONJUNCTION_NEXT = frozenset(
    {
        "ik", "je", "jij", "u", "hij", "zij", "ze", "we", "wij", "jullie", "men",
        "het", "er", "dat", "die", "dit", "de", "een", "mijn", "m'n", "zijn",
        "z'n", "haar", "ons", "onze", "jouw", "uw", "hun", "iemand", "niemand",
        "iets", "niets", "alles", "alle", "volgt", "eerste", "tweede", "laatste",
        "gevolg", "geen", "mensen", "ouders", "kind", "kinderen", "daar", "hier",
        "morgen", "vandaag", "straks", "later", "ooit",
        "nu", "zo", "maar", "ie", "gij", "ge", "bijvoorbeeld", "zodanig",
        "altijd", "nooit", "weer", "toen", "vroeger", "vanouds", "cadeau",
    }
)  # fmt: skip
_DISEASE_PREVIOUS = frozenset(
    {
        "met", "heeft", "heb", "hebt", "hebben", "had", "hadden", "van", "bij",
        "tegen", "over", "aan", "door", "is", "wat", "krijgt", "krijg", "krijgen",
        "kreeg", "kregen", "ziekte", "diagnose", "vorm", "vormen", "type", "soort",
        "patient", "patienten", "zoals", "of", "en", "naar", "voor", "welke",
        "bestaat", "geneest", "genezen", "behandelt", "behandeling", "onderzoek",
    }
)  # fmt: skip
_DISEASE_NEXT = frozenset(
    {
        "erfelijk", "besmettelijk", "team", "centrum",
        "zorg", "onderzoek", "medicijn", "medicijnen", "symptomen", "klachten",
        "diagnose", "gen", "genen", "heb", "heeft", "hebben", "hebt", "had",
        "krijgen", "krijg", "krijgt", "genezen", "behandelen", "ontstaan",
        "vaak", "dodelijk", "voorkomen", "te", "nederland", "vlaanderen", "-",
        "precies", "eigenlijk", "nou", "zijn", "is", "ziekte", "hoe", "wat",
        "waarom", "wanneer", "welke", "wie", "waar",
    }
)  # fmt: skip
_SENTENCE_END = frozenset({".", "?", "!", ",", ";", ":", "…"})


def is_als_token(text: str) -> bool:
    """Whether a token is written as ALS/als in any case."""
    return fold(text) in _ALS_FORMS


def _mostly_lowercase(tokens: Sequence[str]) -> bool:
    letters = [token for token in tokens if any(char.isalpha() for char in token)]
    return any(any(char.islower() for char in token) for token in letters)


def is_disease_mention(tokens: Sequence[str], index: int) -> bool:
    """Decide whether ``tokens[index]`` (a form of "als") names the disease.

    Args:
        tokens: the token texts of one message, in their original case.
        index: position of the "als" token to judge.

    Returns:
        True for ALS the disease, False for the conjunction or comparison word.
    """
    text = tokens[index]
    if not is_als_token(text):
        return False
    if text == "ALS" and _mostly_lowercase(tokens) or "." in text:
        return True
    previous = fold(tokens[index - 1]) if index > 0 else ""
    following = fold(tokens[index + 1]) if index + 1 < len(tokens) else ""
    if previous in _CONJUNCTION_PREVIOUS:
        return False
    if following in _CONJUNCTION_NEXT:
        return False
    if following == "" or following in _SENTENCE_END:
        return True
    if previous in _DISEASE_PREVIOUS or following in _DISEASE_NEXT:
        return True
    return index > 0 and previous not in _SENTENCE_END
