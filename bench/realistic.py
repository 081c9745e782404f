"""Intent accuracy on the realistic held-out set, per kind of message.

Every message of ``tests/nlu/realistic.yml`` is parsed by the trained model
(the whole NLU pipeline: fallback and safety gate included). A message is
right when the final intent is its topic; for ``out_of_scope`` the fallback
(``nlu_fallback``) counts as right too, since neither answers with ALS content.
This is the NLU half of issue 11's measure; the answers end to end and the
multi-turn scenarios (``tests/conversations/``) still need their harness.

Usage: ``.venv/bin/python -m bench.realistic [--no-record] [--misses]``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import defaultdict
from pathlib import Path

import yaml

from bench.common import ROOT, record, table, write

REALISTIC = ROOT / "tests" / "nlu" / "realistic.yml"
MODEL = ROOT / "models" / "als-assistent.tar.gz"
NOT_ALS_CONTENT = {"out_of_scope", "nlu_fallback"}


def is_right(topic: str, intent: str) -> bool:
    """Whether the recognised intent serves the message's topic."""
    if topic == "out_of_scope":
        return intent in NOT_ALS_CONTENT
    return intent == topic


async def _parse_all(model: Path, texts: list[str]) -> list[str]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    intents = []
    for text in texts:
        parse = await agent.parse_message(text)
        intents.append(str((parse.get("intent") or {}).get("name")))
    return intents


def main() -> None:
    """Parse every message, print and record the table per kind."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--misses", action="store_true")
    arguments = parser.parse_args()
    messages = yaml.safe_load(REALISTIC.read_text(encoding="utf-8"))["messages"]
    intents = asyncio.run(_parse_all(MODEL, [str(m["text"]) for m in messages]))
    by_kind: dict[str, list[bool]] = defaultdict(list)
    by_scope: dict[str, list[bool]] = defaultdict(list)
    for message, intent in zip(messages, intents, strict=True):
        right = is_right(str(message["topic"]), intent)
        by_kind[str(message["kind"])].append(right)
        scope = "out of scope" if message["topic"] == "out_of_scope" else "in scope"
        by_scope[scope].append(right)
        if arguments.misses and not right:
            kind, topic = message["kind"], message["topic"]
            write(f"- [{kind}] {topic} got {intent}: {message['text']}")
    rows = [
        [name, f"{sum(v) / len(v):.3f} ({sum(v)}/{len(v)})"]
        for name, v in [*sorted(by_scope.items()), *sorted(by_kind.items())]
    ]
    body = table(["part of tests/nlu/realistic.yml", "intent right"], rows)
    write(body)
    if not arguments.no_record:
        record(
            "realistic",
            f"NLU intent on the realistic set ({len(messages)} messages), "
            f"model {MODEL.name}.\n\n{body}",
        )


if __name__ == "__main__":
    main()
