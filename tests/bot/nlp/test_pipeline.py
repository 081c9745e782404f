"""The project's Dutch spaCy pipeline: tokens and lemmas a classifier can use."""

from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from bot.nlp.lexicon import DISEASE_LEMMA
from bot.nlp.pipeline import build


@pytest.fixture(scope="module")
def nlp(tmp_path_factory: pytest.TempPathFactory) -> Language:
    """Build the pipeline to disk and load it back the way Rasa's SpacyNLP does."""
    path = build(Path(tmp_path_factory.mktemp("nlp")) / "nl_als")
    return spacy.load(path)


def _lemmas(nlp: Language, text: str) -> list[str]:
    return [token.lemma_ for token in nlp(text)]


def test_saved_pipeline_is_dutch_with_lookup_lemmas(nlp: Language) -> None:
    assert nlp.lang == "nl"
    assert nlp.pipe_names == ["lemmatizer", "als_normaliser"]
    assert _lemmas(nlp, "de patiënten hadden")[1:] == ["patient", "hebben"]


def test_disease_gets_its_own_lemma(nlp: Language) -> None:
    assert DISEASE_LEMMA in _lemmas(nlp, "wat is als")
    assert DISEASE_LEMMA not in _lemmas(nlp, "als het regent ga ik niet")


def test_hyphenated_words_are_split_but_gene_names_stay_whole(nlp: Language) -> None:
    assert [t.text for t in nlp("ALS-patiënt")] == ["ALS", "-", "patiënt"]
    assert [t.text for t in nlp("is C9orf72 erfelijk")][1] == "C9orf72"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("kinesist", "fysiotherapeut"),
        ("gekend", "bekend"),
        ("Rilutek", "riluzole"),
        ("riluzool", "riluzole"),
        ("diëtist", "dietist"),
        ("dietist", "dietist"),
        ("PSMA", "pma"),
    ],
)
def test_flemish_words_variants_and_diacritics_share_a_lemma(
    nlp: Language, typed: str, expected: str
) -> None:
    assert _lemmas(nlp, typed) == [expected]
