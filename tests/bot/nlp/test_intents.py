"""The question of a long message read on its own (bot/nlp/intents.py)."""

from __future__ import annotations

from bot.nlp.intents import IntentModel, question_of, sentences
from bot.nlp.normalise import MessageNormaliser

EXAMPLES = [
    ("wat doet riluzol", "faq_riluzol"),
    ("hoe werkt riluzol", "faq_riluzol"),
    ("wat is riluzol voor medicijn", "faq_riluzol"),
    ("hoe wordt de diagnose gesteld", "faq_diagnose"),
    ("mijn man kreeg de diagnose bij de neuroloog", "faq_diagnose"),
    ("wie stelt de diagnose", "faq_diagnose"),
    ("de diagnose duurt lang", "faq_diagnose"),
    ("klopt dat", "affirm"),
    ("ja klopt", "affirm"),
    ("ja", "affirm"),
]


def _model() -> IntentModel:
    texts = [text for text, _ in EXAMPLES]
    return IntentModel.fit(EXAMPLES, MessageNormaliser.from_texts(texts), str.split)


def test_sentences_and_the_question() -> None:
    message = "Goedemiddag. Mijn man kreeg de diagnose. Wat doet riluzol eigenlijk?"
    assert sentences(message)[0] == "Goedemiddag."
    assert question_of(message) == "Wat doet riluzol eigenlijk?"
    assert question_of("wat doet riluzol") is None


def test_the_question_outweighs_the_story() -> None:
    model = _model()
    story = (
        "Mijn man kreeg vorige maand de diagnose bij de neuroloog. "
        "De diagnose duurt lang. Wat doet riluzol?"
    )
    assert model.ranking(story)[0][0] == "faq_riluzol"
    whole = dict(_model_without_sentences().ranking(story))
    assert dict(model.ranking(story))["faq_riluzol"] > whole["faq_riluzol"]


def _model_without_sentences() -> IntentModel:
    texts = [text for text, _ in EXAMPLES]
    return IntentModel.fit(
        EXAMPLES, MessageNormaliser.from_texts(texts), str.split, by_sentence=False
    )


def test_klopt_dat_at_the_end_of_a_story_is_no_yes() -> None:
    model = _model()
    ranking = dict(model.ranking("Mijn man slikt riluzol. Klopt dat?"))
    assert ranking["affirm"] < ranking["faq_riluzol"]


def test_fast_confidences_equal_scikit_learns() -> None:
    model = _model()
    features = [model.features("wat doet riluzol eigenlijk"), model.features("ja")]
    expected = model.pipeline.predict_proba(features)
    assert abs(model.probabilities(features) - expected).max() < 1e-9


def test_a_vague_follow_up_is_read_with_the_previous_question() -> None:
    examples = [
        ("wat doet riluzol", "faq_riluzol"),
        ("helpt riluzol", "faq_riluzol"),
        ("riluzol tegen als", "faq_riluzol"),
        ("helpt fysiotherapie", "faq_behandeling"),
        ("welke behandeling is er", "faq_behandeling"),
        ("wat is de behandeling bij als", "faq_behandeling"),
        ("doet dat pijn", "followup_pain"),
        ("doet het pijn", "followup_pain"),
    ]
    model = IntentModel.fit(
        examples, MessageNormaliser.from_texts([t for t, _ in examples]), str.split
    )
    vague = "en helpt dat"
    alone = dict(model.ranking(vague))
    with_riluzol = dict(model.ranking(vague, "wat doet riluzol"))
    with_treatment = dict(model.ranking(vague, "welke behandeling is er"))
    assert with_riluzol["faq_riluzol"] > alone["faq_riluzol"]
    assert with_treatment["faq_behandeling"] > alone["faq_behandeling"]
    assert model.ranking(vague, "wat doet riluzol")[0][0] == "faq_riluzol"
    assert model.ranking("doet dat pijn", "wat doet riluzol")[0][0] == "followup_pain"
