"""Review queue for maintainers: messages the assistant did not handle well.

Reads the conversations in the tracker store (Rasa's ``events`` table) and
lists user messages that fell to the fallback, were classified with low
confidence, or whose answer got a thumbs down in the web chat, grouped by the
topic they most likely meant. Chosen ones can be exported as candidate
training examples in Rasa's YAML format, for a maintainer to check and move
into ``data/nlu/``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

LOW_CONFIDENCE = 0.5
NOT_TOPICS = frozenset({"nlu_fallback", "rate_answer"})

EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("data", sa.Text),
)
"""The columns of Rasa's tracker store table that the project's tools use."""
_EVENTS = EVENTS  # the former, private name


@dataclass(frozen=True)
class InboxItem:
    """One user message worth a maintainer's look."""

    number: int
    text: str
    reason: str
    predicted: str
    confidence: float
    likely_topic: str
    sender_id: str
    timestamp: float


def _parse(data: str | None) -> dict[str, Any]:
    try:
        loaded = json.loads(data or "{}")
    except json.JSONDecodeError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _likely_topic(parse_data: dict[str, Any]) -> tuple[str, float]:
    intent = parse_data.get("intent") or {}
    ranking = parse_data.get("intent_ranking") or [intent]
    for entry in ranking:
        name = entry.get("name")
        if name and name not in NOT_TOPICS:
            return str(name), float(entry.get("confidence") or 0.0)
    return "onbekend", 0.0


def _user_events(engine: Engine) -> Iterable[sa.engine.Row[Any]]:
    query = (
        sa.select(EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.data)
        .where(EVENTS.c.type_name == "user")
        .order_by(EVENTS.c.sender_id, EVENTS.c.id)
    )
    with engine.connect() as connection:
        yield from connection.execute(query)


def collect(engine: Engine, low_confidence: float = LOW_CONFIDENCE) -> list[InboxItem]:
    """Find the messages to review, oldest conversation first."""
    items: list[InboxItem] = []
    previous: dict[str, dict[str, Any]] = {}
    for row in _user_events(engine):
        event = _parse(row.data)
        parse_data = event.get("parse_data") or {}
        intent = parse_data.get("intent") or {}
        name = str(intent.get("name") or "")
        confidence = float(intent.get("confidence") or 0.0)
        text = str(event.get("text") or "")
        reason = ""
        target = event
        if name == "rate_answer":
            rating = [e.get("value") for e in parse_data.get("entities") or []]
            if "down" in rating and row.sender_id in previous:
                reason, target = "duim omlaag", previous[row.sender_id]
        elif name == "nlu_fallback":
            reason = "niet begrepen"
        elif confidence < low_confidence and not text.startswith("/"):
            reason = f"onzeker ({confidence:.2f})"
        if name != "rate_answer":
            previous[row.sender_id] = event
        if not reason:
            continue
        target_parse = target.get("parse_data") or {}
        topic, topic_confidence = _likely_topic(target_parse)
        target_intent = target_parse.get("intent") or {}
        items.append(
            InboxItem(
                number=len(items) + 1,
                text=str(target.get("text") or ""),
                reason=reason,
                predicted=str(target_intent.get("name") or ""),
                confidence=topic_confidence,
                likely_topic=topic,
                sender_id=str(row.sender_id),
                timestamp=float(row.timestamp or 0.0),
            )
        )
    return items


def group_by_topic(items: Sequence[InboxItem]) -> dict[str, list[InboxItem]]:
    """Group items by likely topic, the largest group first."""
    groups: dict[str, list[InboxItem]] = defaultdict(list)
    for item in items:
        groups[item.likely_topic].append(item)
    return dict(sorted(groups.items(), key=lambda pair: (-len(pair[1]), pair[0])))


def format_inbox(items: Sequence[InboxItem]) -> str:
    """Render the queue as text: one block per likely topic."""
    if not items:
        return "Niets te beoordelen: geen onbegrepen of afgekeurde berichten.\n"
    lines: list[str] = []
    for topic, group in group_by_topic(items).items():
        lines.append(f"{topic} ({len(group)})")
        for item in group:
            lines.append(f"  [{item.number}] {item.text!r}  - {item.reason}")
    return "\n".join(lines) + "\n"


def export_candidates(items: Sequence[InboxItem], numbers: Iterable[int]) -> str:
    """Return the chosen items as Rasa NLU YAML, one block per likely topic."""
    chosen = {number for number in numbers}
    selected = [item for item in items if item.number in chosen and item.text]
    lines = [
        "# Candidate training examples from `python -m bot inbox`.",
        "# Check each intent before moving examples into data/nlu/.",
        'version: "3.1"',
        "",
        "nlu:",
    ]
    for topic, group in group_by_topic(selected).items():
        lines.append(f"  - intent: {topic}")
        lines.append("    examples: |")
        lines.extend(f"      - {' '.join(item.text.split())}" for item in group)
    return "\n".join(lines) + "\n"
