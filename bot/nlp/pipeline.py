"""Build and register the project's Dutch spaCy pipeline.

No ready-made Dutch model can be downloaded here, so the pipeline starts from
``spacy.blank("nl")`` and adds:

* a tokenizer rule that splits words joined by a hyphen ("ALS-patiënt"), with
  special cases for terms that must stay whole (C9orf72, TDP-43);
* the lookup lemmatizer with the Dutch table from ``spacy-lookups-data``;
* ``als_normaliser``, which folds each lemma (lowercase, no diacritics), maps
  Flemish words and spelling variants to one lemma, and gives "ALS" the disease
  its own lemma so it is not confused with "als" (if, when, as).

Rasa loads the saved folder through ``SpacyNLP`` with ``model:`` set to its path.
spaCy finds the ``als_normaliser`` factory through the ``spacy_factories`` entry
point declared in ``pyproject.toml``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from bot.nlp.als import is_als_token, is_disease_mention
from bot.nlp.lexicon import DISEASE_LEMMA, LEMMA_OVERRIDES
from bot.nlp.text import fold

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = PROJECT_ROOT / "var" / "nlp" / "nl_als"
KEEP_WHOLE = ("C9orf72", "c9orf72", "C9ORF72", "TDP-43", "tdp-43", "SOD1", "sod1")
_HYPHEN_BETWEEN_LETTERS = r"(?<=[^\W\d_])-(?=[^\W\d_])"


@Language.component("als_normaliser")
def als_normaliser(doc: Doc) -> Doc:
    """Fold lemmas, apply the project lexicon and mark ALS the disease."""
    texts = [token.text for token in doc]
    for index, token in enumerate(doc):
        if is_als_token(token.text):
            token.lemma_ = DISEASE_LEMMA if is_disease_mention(texts, index) else "als"
            continue
        folded = fold(token.lemma_ or token.text)
        token.lemma_ = LEMMA_OVERRIDES.get(
            folded, LEMMA_OVERRIDES.get(fold(token.text), folded)
        )
    return doc


def make_dutch_pipeline() -> Language:
    """Return the project's Dutch pipeline, initialised and ready to save."""
    nlp = spacy.blank("nl")
    infixes = [*(nlp.Defaults.infixes or []), _HYPHEN_BETWEEN_LETTERS]
    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, Tokenizer)
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    for term in KEEP_WHOLE:
        tokenizer.add_special_case(term, [{"ORTH": term}])
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("als_normaliser")
    nlp.initialize()
    return nlp


def build(output: Path = DEFAULT_OUTPUT) -> Path:
    """Build the pipeline and save it to ``output``; return the path."""
    nlp = make_dutch_pipeline()
    nlp.meta["name"] = "nl_als"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Blank Dutch + lookup lemmas + ALS normaliser"
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    return output


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m bot.nlp.pipeline [--output DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    arguments = parser.parse_args(argv)
    path = build(arguments.output)
    print(f"Dutch pipeline saved to {path}")  # noqa: T201


if __name__ == "__main__":
    main()
