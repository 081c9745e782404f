"""Whether a message refers back to the thing just discussed.

"helpt dat echt?", "hoeveel mensen doen er mee?", "hoe lang lig je in die
scanner?", "kan ik me daarvoor aanmelden?" are about what the previous answer
was about, even when a word in them ("medicijn", "mensen") is also a topic of
its own. Rules over the words of one message (spaCy ``Matcher`` on lower-case
forms and lemmas); the dialogue decides what they refer to.

"dat" is also a conjunction ("ik las dat het erfelijk is"): it refers back only
at the end of a sentence, before a word that cannot start a clause ("dat echt",
"dat pijn"), or as a determiner after a preposition ("in die scanner").
"""

from __future__ import annotations

from functools import cached_property

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

PRONOMINAL_ADVERBS = [
    "daaraan", "daarvoor", "daarmee", "daarover", "daarbij", "daarvan", "daarin",
    "daarop", "daaruit", "daarheen", "daarnaar", "daardoor", "ervoor", "eraan",
    "ermee", "erover", "erbij", "ervan", "erin", "erop", "eruit", "erdoor",
    "daartegen", "ertegen", "daarachter", "daartussen", "daarzonder",
    "daar", "daarzo",
]  # fmt: skip
"""Words that stand for "that thing" with a preposition ("daaraan": to it)."""
DEMONSTRATIVES = ["dat", "dit", "die", "da", "deze"]
AFTER_A_DEMONSTRATIVE = [
    "echt", "ook", "wel", "dan", "nu", "precies", "eigenlijk", "nog", "niet",
    "pijn", "in", "mee", "aan", "op", "toch", "zo", "allemaal", "altijd",
    "vaak", "lang", "veel", "goed", "gevaarlijk", "erg", "zeker", "ongeveer",
    "gewoon", "overal", "ergens", "bij", "voor", "over", "uit", "af", "terug",
    "hetzelfde", "een", "alleen", "nodig", "zinvol", "duur",
    "gratis", "lastig", "moeilijk", "snel", "nou", "nu", "hier", "daar",
]  # fmt: skip
"""Words that follow "dat" the pronoun ("is dat echt zo?") but not "dat" the
conjunction, which a subject follows ("dat hij", "dat de ziekte")."""
POSSIBLY_REFERRING = frozenset({"het", "dat", "dit", "die", "da", "deze", "zo'n"})
"""Words that may refer back: a message the assistant did not place that has
one is more likely about the previous answer than about nothing."""
PREPOSITIONS = [
    "in", "van", "aan", "voor", "bij", "over", "met", "op", "uit", "naar",
    "door", "tijdens", "na", "zonder", "via",
]  # fmt: skip
VERBS_WITH_IT = [
    "helpen", "helpt", "werken", "werkt", "doen", "doet", "kosten", "kost",
    "duren", "duurt", "gaan", "gaat", "komen", "komt", "lukken", "lukt",
]  # fmt: skip
"""Verbs whose "het" right after them is the thing just discussed ("helpt het?")."""
PARTICLES_WITH_ER = ["mee", "aan"]
VERBS_BEFORE_THAT = frozenset(
    {
        "zeggen", "lezen", "horen", "weten", "denken", "vinden", "begrijpen",
        "merken", "zien", "vertellen", "schrijven", "hopen", "vrezen", "geloven",
        "betekenen", "snappen", "bang", "blij", "zo", "omdat", "zodat", "voordat",
        "las", "lees", "leest", "lazen", "hoorde", "hoorden", "hoor", "zei", "zegt",
        "weet", "wist", "denk", "dacht", "vind", "vond", "zie", "zag",
        "merk", "merkte", "vertelde", "schreef", "hoop", "vrees", "geloof",
        "betekent", "begrijp", "snap", "gezegd", "gelezen", "gehoord",
    }
)  # fmt: skip
"""Words after which "dat" starts a clause ("ik las dat een gen ...")."""


class BackReferences:
    """Finds words in a message that refer to what was just discussed."""

    def __init__(self, nlp: Language) -> None:
        """Keep the vocabulary of the project's Dutch pipeline."""
        self._vocab = nlp.vocab

    @cached_property
    def _matcher(self) -> Matcher:
        matcher = Matcher(self._vocab)
        demonstrative = {"LOWER": {"IN": DEMONSTRATIVES}}
        matcher.add("adverb", [[{"LOWER": {"IN": PRONOMINAL_ADVERBS}}]])
        matcher.add(
            "pronoun",
            [
                [demonstrative, {"LOWER": {"IN": AFTER_A_DEMONSTRATIVE}}],
                [demonstrative, {"IS_PUNCT": True}],
            ],
        )
        matcher.add(
            "determiner",
            [[{"LOWER": {"IN": PREPOSITIONS}}, demonstrative, {"IS_ALPHA": True}]],
        )
        matcher.add(
            "verb_it",
            [
                [{"LOWER": {"IN": VERBS_WITH_IT}}, {"LOWER": "het"}],
                [{"LEMMA": {"IN": VERBS_WITH_IT}}, {"LOWER": "het"}],
            ],
        )
        matcher.add(
            "er_particle",
            [
                [
                    {"LOWER": "er"},
                    {"IS_PUNCT": False, "OP": "*"},
                    {"LOWER": {"IN": PARTICLES_WITH_ER}},
                ]
            ],
        )
        return matcher

    def mentions_something(self, doc: Doc) -> bool:
        """Whether the message has a pronoun or article that may stand for
        what was just discussed ("hoeveel mensen krijgen het per jaar?")."""
        return self.refers_back(doc) or any(
            token.lower_ in POSSIBLY_REFERRING for token in doc
        )

    def refers_back(self, doc: Doc) -> bool:
        """Whether the message refers to the thing just discussed."""
        for match_id, start, _ in self._matcher(doc):
            label = self._vocab.strings[match_id]
            before = doc[start - 1] if start > 0 else None
            if (
                label == "pronoun"
                and before is not None
                and (
                    before.lemma_ in VERBS_BEFORE_THAT
                    or before.lower_ in VERBS_BEFORE_THAT
                )
            ):
                continue
            return True
        last = next((t for t in reversed(doc) if not t.is_punct), None)
        return last is not None and last.lower_ in DEMONSTRATIVES
