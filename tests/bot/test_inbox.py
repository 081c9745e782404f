"""The review queue finds weak answers and exports them as training examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from bot.inbox import EVENTS, collect, export_candidates, format_inbox


def _user(text: str, intent: str, confidence: float, **extra: object) -> str:
    ranking = [{"name": intent, "confidence": confidence}]
    if intent == "nlu_fallback":
        ranking.append({"name": "faq_behandeling", "confidence": 0.28})
    parse_data = {"intent": {"name": intent, "confidence": confidence}}
    parse_data.update({"intent_ranking": ranking, **extra})
    return json.dumps({"event": "user", "text": text, "parse_data": parse_data})


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """A tracker store with one conversation holding every case."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    EVENTS.metadata.create_all(engine)
    rows = [
        _user("wat is riluzol", "faq_riluzol", 0.98),
        _user("kan daar wat aan gedaan worden", "nlu_fallback", 0.3),
        _user("hoe zit het met de sonde", "faq_behandeling", 0.41),
        _user("welke spieren eerst", "faq_verloop", 0.9),
        _user(
            '/rate_answer{"rating":"down"}',
            "rate_answer",
            1.0,
            entities=[{"entity": "rating", "value": "down"}],
        ),
    ]
    with engine.begin() as connection:
        for number, data in enumerate(rows):
            connection.execute(
                EVENTS.insert().values(
                    sender_id="a", type_name="user", timestamp=float(number), data=data
                )
            )
    return engine


def test_fallback_low_confidence_and_thumbs_down_are_listed(engine: Engine) -> None:
    items = collect(engine)
    assert [(item.text, item.reason) for item in items] == [
        ("kan daar wat aan gedaan worden", "niet begrepen"),
        ("hoe zit het met de sonde", "onzeker (0.41)"),
        ("welke spieren eerst", "duim omlaag"),
    ]
    assert items[0].likely_topic == "faq_behandeling"


def test_listing_groups_by_likely_topic(engine: Engine) -> None:
    text = format_inbox(collect(engine))
    assert text.startswith("faq_behandeling (2)")
    assert "faq_verloop (1)" in text


def test_export_is_rasa_nlu_yaml_with_the_chosen_messages(engine: Engine) -> None:
    exported = yaml.safe_load(export_candidates(collect(engine), [1, 3]))
    blocks = {block["intent"]: block["examples"] for block in exported["nlu"]}
    assert blocks == {
        "faq_behandeling": "- kan daar wat aan gedaan worden\n",
        "faq_verloop": "- welke spieren eerst\n",
    }
