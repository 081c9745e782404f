"""The safety layer decides emergency, crisis or none as a nurse would expect.

The messages here are the issue's hand-checked misses and the rules' own
examples; the large realistic set is ``tests/safety/`` (end to end).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
import yaml

from bot.formatting import DANGER_LINE, SAFETY_LINE
from bot.safety import SafetyKind, SafetyLayer, is_unreadable
from bot.safety.layer import decide
from bot.safety.phrases import PhraseHits, parse_phrase_book
from tests.support.nlu import nlu_intent_examples

ROOT = Path(__file__).resolve().parents[3]
PHRASES = ROOT / "content" / "safety" / "phrases.yml"
NLP_MODEL = ROOT / "var" / "nlp" / "nl_als"


@pytest.fixture(scope="module")
def layer() -> SafetyLayer:
    if not NLP_MODEL.exists():
        pytest.fail(f"{NLP_MODEL} is missing: run `make nlp`")
    return SafetyLayer.from_files(spacy.load(NLP_MODEL), nlu_intent_examples())


@pytest.mark.parametrize(
    "message",
    [
        "bel een ziekenwagen",
        "Help mijn man stikt!!",
        "mijn moeder stikt",
        "ik krijg echt geen lucht, wat moet ik doen",
        "ik ben zo bang, hij krijgt geen lucht meer",
        "ik kan ni meer asemen",
        "krjg geen lcuht meer",
        "de beademing is uitgevallen en ze wordt blauw",
        "hij is gevallen en reageert niet meer",
        "help",
        "HELP!!!",
        "mama is niet wakker te krijgen",
        "zijn lippen worden paars",
    ],
)
def test_emergencies_get_112(layer: SafetyLayer, message: str) -> None:
    decision = layer.assess(message)
    assert decision.kind is SafetyKind.EMERGENCY, decision


@pytest.mark.parametrize(
    "message",
    [
        "ik wil mezelf iets aandoen",
        "ik wil mezelf iets aan doen",
        "ze zijn allemaal beter af zonder mij",
        "ik heb slaappillen verzameld en neem ze vanavond allemaal in",
        "hoeveel tabletten moet ik nemen om niet meer wakker te worden",
        "wat gebeurt er bij een overdosis riluzol",
        "ik heb een afscheidsbrief geschreven",
        "ik ben een last voor iedereen",
        "mijn vader zegt dat hij dood wil",
        "ik zie het ni meer zitten",
        "ik kan niet meer.",
        "zelfmort",
    ],
)
def test_crises_get_113(layer: SafetyLayer, message: str) -> None:
    decision = layer.assess(message)
    assert decision.kind is SafetyKind.CRISIS, decision


@pytest.mark.parametrize(
    "message",
    [
        "de verstuurknop reageert niet",
        "mijn dochter reageert niet op mijn berichten",
        "mijn linkerbeen wil niet meer",
        "praten wil niet meer zo goed",
        "ik kan niet meer lopen",
        "help, ik snap die brief van de verzekering niet",
        "ik ben vorige week gevallen, is dat normaal bij ALS?",
        "wanneer moet ik 112 bellen?",
        "is 113 gratis?",
        "ik schrok me dood",
        "ik lach me dood om die film",
        "wat is riluzol",
        "hoe werkt euthanasie bij ALS",
    ],
)
def test_look_alikes_are_left_alone(layer: SafetyLayer, message: str) -> None:
    decision = layer.assess(message)
    assert decision.kind is SafetyKind.NONE, decision


@pytest.mark.parametrize(
    "message",
    ["Kun je stikken door ALS?", "word je op het eind bewusteloos?"],
)
def test_questions_about_the_illness_are_not_alarms(
    layer: SafetyLayer, message: str
) -> None:
    decision = layer.assess(message)
    assert decision.kind is SafetyKind.NONE
    assert decision.question_about_illness


def test_fear_never_cancels_an_emergency(layer: SafetyLayer) -> None:
    for message in ("ik ben bang, ik stik", "paniek hij krijgt geen adem"):
        assert layer.assess(message).kind is SafetyKind.EMERGENCY, message


def test_a_crisis_intent_ranked_second_counts_when_the_classifier_leans(
    layer: SafetyLayer,
) -> None:
    doc = layer.nlp("alles is zwaar")
    leaning = {"crisis": 0.4, "emergency": 0.0, "none": 0.6}
    ranking = [
        {"name": "faq_verloop", "confidence": 0.4},
        {"name": "despair", "confidence": 0.35},
    ]
    no_hits = PhraseHits()
    assert decide(doc, no_hits, leaning, ranking).kind is SafetyKind.CRISIS
    assert decide(doc, no_hits, leaning).kind is SafetyKind.NONE
    third = [ranking[0], {"name": "greet", "confidence": 0.36}, ranking[1]]
    assert decide(doc, no_hits, leaning, third).kind is SafetyKind.NONE


def test_a_rule_cancelled_by_its_unless_keeps_the_ranking_out(
    layer: SafetyLayer,
) -> None:
    ranking = [
        {"name": "emergency", "confidence": 0.8},
        {"name": "something_else", "confidence": 0.1},
    ]
    decision = layer.assess("de verstuurknop reageert niet", ranking)
    assert decision.kind is SafetyKind.NONE, decision
    assert layer.assess("mijn vader reageert niet meer", ranking).kind is (
        SafetyKind.EMERGENCY
    )


def test_the_decision_names_its_trigger(layer: SafetyLayer) -> None:
    decision = layer.assess("help hij stikt")
    assert "stikt" in decision.as_dict()["trigger"]


def test_every_rule_matches_its_own_examples(layer: SafetyLayer) -> None:
    book = parse_phrase_book(PHRASES.read_text(encoding="utf-8"))
    assert book.rules == layer.book.rules
    missing = []
    for rule in book.rules:
        for example in rule.examples:
            hits = layer.matcher.find(layer.nlp(example))
            if not any(hit == rule for hit, _ in hits.get(rule.group)):
                missing.append(f"{rule.label} | {example}")
    assert not missing


@pytest.mark.parametrize(
    "message", ["", "   ", "😀😀😀", "\x00\x01\x02", "1234 5678", "?!?!"]
)
def test_unreadable_messages(message: str) -> None:
    assert is_unreadable(message)


@pytest.mark.parametrize("message", ["wat is als", "riluzol?", "<b>wat is als</b>"])
def test_readable_messages(message: str) -> None:
    assert not is_unreadable(message)


def test_the_domain_sends_the_same_standing_safety_line() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    responses = domain["responses"]
    assert responses["utter_safety_line"][0]["text"] == SAFETY_LINE
    assert responses["utter_danger_line"][0]["text"] == DANGER_LINE
    for name in ("utter_emergency", "utter_despair"):
        payloads = [b["payload"] for b in responses[name][0]["buttons"]]
        assert "/no_emergency" in payloads, name


def test_the_web_chat_shows_the_same_line_when_the_assistant_is_unreachable() -> None:
    script = (ROOT / "webchat" / "static" / "chat.js").read_text(encoding="utf-8")
    assert f'var SAFETY_LINE = "{SAFETY_LINE}";' in script
    assert script.count("+ SAFETY_LINE") >= 3
