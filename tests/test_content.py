"""Every answer states the key facts of the content brief and names its source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RESPONSES: dict[str, str] = {
    name: variants[0]["text"] for name, variants in DOMAIN["responses"].items()
}
SOURCE_LINE = re.compile(r"\nBron: .+\. Laatst nagekeken: \d{2}-\d{2}-\d{4}\.$")

KEY_FACTS: dict[str, list[str]] = {
    "utter_faq_wat_is_als": ["motorneuronen", "hersenen", "hersenstam",
                             "ruggenmerg", "zwakker", "behalve de hartspier",
                             "progressief"],
    "utter_faq_symptomen": ["kramp", "fasciculaties", "atrofie", "armen en benen",
                            "praten en slikken", "dwanghuilen", "kortademigheid",
                            "verschilt per persoon"],
    "utter_faq_oorzaak": ["nog niet bekend", "meerdere factoren"],
    "utter_faq_erfelijkheid": ["90%", "niet erfelijk", "zeldzaam", "C9orf72",
                               "SOD1", "TARDBP", "FUS"],
    "utter_faq_diagnose": ["moeilijk", "neuroloog", "patroon", "een jaar",
                           "EMG", "drie spiergebieden",
                           "andere ziektes uit te sluiten"],
    "utter_faq_emg": ["spier-zenuwonderzoek", "zenuwschade", "spiergebieden"],
    "utter_faq_behandeling": ["niet te genezen", "riluzol", "ALS-team", "PEG-sonde",
                              "niet-invasieve beademing", "fysiotherapie"],
    "utter_faq_riluzol": ["Rilutek", "2 keer per dag 50 mg", "iets afremmen",
                          "niet beter maken", "eigen arts"],
    "utter_faq_levensverwachting": ["3 tot 5 jaar", "2 tot 5 jaar", "verschilt sterk"],
    "utter_faq_verloop": ["progressief", "verschilt per persoon"],
    "utter_faq_levenseinde": ["ademhalingsspieren", "stikken", "bijna nooit",
                              "90%", "rustig"],
    "utter_faq_hoe_vaak": ["4 tot 8 op de 100.000", "1 tot 2 op de 100.000",
                           "1 op 400 tot 500"],
    "utter_faq_pls_pma": ["PLS", "bovenste motorneuronen", "PMA", "PSMA",
                          "onderste motorneuronen"],
    "utter_faq_zorgteam": ["revalidatiecentrum", "revalidatiearts", "fysiotherapeut",
                           "ergotherapeut", "diëtist", "psycholoog", "logopedist"],
    "utter_faq_nieuwe_medicijnen": ["Tofersen", "1%", "SOD1", "stabiel", "FUS",
                                    "onderzocht"],
    "utter_faq_goals": ["GoALS", "drie pijlers", "Project MinE", "organoïden",
                        "TRICALS"],
    "utter_faq_biomarkers": ["bloed", "MRI-scan", "voordat iemand klachten heeft"],
    "utter_faq_als_centrum": ["enige expertisecentrum", "UMC Utrecht", "2003",
                              "diagnose", "zorg", "onderzoek"],
    "utter_despair": ["113", "0800-0113", "gratis", "huisarts"],
    "utter_emergency": ["112"],
    "utter_medical_advice": ["eigen huisarts", "niet beoordelen"],
    "utter_bot_challenge": ["computerprogramma", "chatbot", "geen arts"],
}  # fmt: skip


@pytest.mark.parametrize("response", sorted(KEY_FACTS))
def test_answer_states_the_key_facts(response: str) -> None:
    missing = [fact for fact in KEY_FACTS[response] if fact not in RESPONSES[response]]
    assert missing == []


@pytest.mark.parametrize(
    "response", sorted(name for name in RESPONSES if name.startswith("utter_faq_"))
)
def test_every_topic_answer_names_its_source_and_review_date(response: str) -> None:
    assert SOURCE_LINE.search(RESPONSES[response])


def test_emergency_answer_starts_with_112() -> None:
    assert RESPONSES["utter_emergency"].startswith("Bel nu meteen 112")


@pytest.mark.parametrize("response", sorted(RESPONSES))
def test_answers_are_short_and_use_u(response: str) -> None:
    text = RESPONSES[response]
    assert len(text) <= 900
    assert not re.search(r"\b(jij|jou|jouw)\b", text, re.IGNORECASE)


ALLOWED_NUMBERS = {"112", "113", "0800-0113"}
ALLOWED_WEB = {"www.113.nl", "www.als-centrum.nl", "www.als.nl", "www.spierziekten.nl"}


@pytest.mark.parametrize("response", sorted(RESPONSES))
def test_answers_hold_only_contact_details_from_the_sources(response: str) -> None:
    text = RESPONSES[response]
    assert set(re.findall(r"www\.[\w.-]+\w", text)) <= ALLOWED_WEB
    assert "@" not in text
    phone_like = set(re.findall(r"\b0\d{2,3}-?\d{4,7}\b|\b11[23]\b", text))
    assert phone_like <= ALLOWED_NUMBERS
