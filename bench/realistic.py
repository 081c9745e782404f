"""The realistic held-out set and the conversation scenarios, end to end.

Every message of ``tests/nlu/realistic.yml`` goes over REST to the trained
assistant in a conversation of its own; every scenario of
``tests/conversations/scenarios.yml`` is one conversation. The first bot
message of each reply is labelled by ``bench.replies`` and compared with what
the message asked. Never trained on (``tests/nlu/test_realistic_sets.py``).

``--dev`` runs the development sets the same way instead: the shared questions
(``../shared/eval/dev-questions.yml``) and the project's development
conversations (``tests/conversations/dev.yml``).

Usage: ``.venv/bin/python -m bench.realistic [--no-record] [--misses] [--dev]``.
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.common import ROOT, record, table, write
from bench.replies import Replies, is_right, label_of

REALISTIC = ROOT / "tests" / "nlu" / "realistic.yml"
SCENARIOS = ROOT / "tests" / "conversations" / "scenarios.yml"
DEV_SCENARIOS = ROOT / "tests" / "conversations" / "dev.yml"
"""Conversations to develop on (written from the content only), never trained on."""
Say = Callable[[str, str], Replies]


def load_messages(path: Path = REALISTIC) -> list[dict[str, Any]]:
    """The realistic set: text, topic, kind, source."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["messages"])


DEV_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev-questions.yml"
DEV_TOPICS = {
    "tofersen": "faq_nieuwe_medicijnen", "onderzoek_deelnemen": "onderzoek_meedoen",
    "studie_mri": "onderzoek_mri", "studie_tudca": "onderzoek_tudca",
    "biobank": "onderzoek_biobank", "hersendonatie": "onderzoek_donatie",
    "goals_mine": "faq_goals", "contact": "contact", "menselijk_contact": "ask_human",
    "bot_challenge": "bot_challenge", "noodgeval": "emergency",
    "psychische_nood": "despair", "out_of_scope": "out_of_scope",
}  # fmt: skip
"""Topics of the shared development set -> this assistant's intents (the
others are ``faq_`` + the topic)."""


def load_dev_questions(path: Path = DEV_QUESTIONS) -> list[dict[str, Any]]:
    """The shared development set as messages (kind ``dev``); measured only."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        {
            "text": entry["q"],
            "topic": DEV_TOPICS.get(str(entry["topic"]), f"faq_{entry['topic']}"),
            "kind": "dev",
        }
        for entry in data["questions"]
    ]


def load_scenarios(path: Path = SCENARIOS) -> list[dict[str, Any]]:
    """The scenarios: a name and turns of ``user`` and ``expect``."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"])


@dataclass
class Outcome:
    """One message: what it asked, what the reply was about."""

    text: str
    expected: str
    label: str
    kind: str

    @property
    def right(self) -> bool:
        """Whether the reply serves the message."""
        return is_right(self.expected, self.label)


@dataclass
class UnderstandingResult:
    """Outcomes of the realistic set and of the scenarios."""

    messages: list[Outcome] = field(default_factory=list)
    scenarios: list[tuple[str, list[Outcome]]] = field(default_factory=list)

    def share(self, outcomes: Iterable[Outcome]) -> tuple[int, int]:
        """Right and total."""
        chosen = list(outcomes)
        return sum(o.right for o in chosen), len(chosen)

    def in_scope(self) -> float:
        """Share right of the messages about ALS."""
        return _ratio(
            *self.share(o for o in self.messages if o.expected != "out_of_scope")
        )

    def out_of_scope(self) -> float:
        """Share right of the messages not about ALS."""
        return _ratio(
            *self.share(o for o in self.messages if o.expected == "out_of_scope")
        )

    def by_kind(self) -> dict[str, float]:
        """Share right per kind of message."""
        kinds: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in self.messages:
            kinds[outcome.kind].append(outcome)
        return {kind: _ratio(*self.share(v)) for kind, v in sorted(kinds.items())}

    def turns(self) -> float:
        """Share of scenario turns answered right."""
        return _ratio(*self.share(o for _, turns in self.scenarios for o in turns))

    def whole_conversations(self) -> float:
        """Share of scenarios with every turn right."""
        right = sum(all(o.right for o in turns) for _, turns in self.scenarios)
        return _ratio(right, len(self.scenarios))


def _ratio(right: int, total: int) -> float:
    return right / total if total else 0.0


def run_messages(say: Say, messages: Iterable[dict[str, Any]]) -> list[Outcome]:
    """Each message in a conversation of its own."""
    outcomes = []
    for message in messages:
        replies = say(f"realistic-{uuid.uuid4().hex}", str(message["text"]))
        outcomes.append(
            Outcome(str(message["text"]), str(message["topic"]), label_of(replies),
                    str(message["kind"]))
        )  # fmt: skip
    return outcomes


def run_scenarios(
    say: Say, scenarios: Iterable[dict[str, Any]]
) -> list[tuple[str, list[Outcome]]]:
    """Each scenario in one conversation, turn by turn."""
    results = []
    for scenario in scenarios:
        sender = f"scenario-{uuid.uuid4().hex}"
        turns = []
        for turn in scenario["turns"]:
            replies = say(sender, str(turn["user"]))
            turns.append(
                Outcome(str(turn["user"]), str(turn["expect"]), label_of(replies),
                        "scenario")
            )  # fmt: skip
        results.append((str(scenario["name"]), turns))
    return results


def measure(dev: bool = False) -> UnderstandingResult:
    """Start the trained assistant and run both sets through it (with ``dev``,
    the shared development set instead of the realistic set)."""
    from bench.common import assistant_support

    support = assistant_support()
    with tempfile.TemporaryDirectory() as folder:
        environment = {"RATE_LIMIT_PER_MINUTE": "100000"}
        with support.start_assistant(Path(folder), env=environment) as assistant:
            if dev:
                return UnderstandingResult(
                    run_messages(assistant.say, load_dev_questions()),
                    run_scenarios(assistant.say, load_scenarios(DEV_SCENARIOS)),
                )
            return UnderstandingResult(
                run_messages(assistant.say, load_messages()),
                run_scenarios(assistant.say, load_scenarios()),
            )


def report(result: UnderstandingResult) -> str:
    """Markdown: scope, kinds, scenarios."""
    about_als = [o for o in result.messages if o.expected != "out_of_scope"]
    not_als = [o for o in result.messages if o.expected == "out_of_scope"]
    rows = [
        ["in scope", _count(*result.share(about_als))],
        ["out of scope", _count(*result.share(not_als))],
    ]
    kinds: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in result.messages:
        kinds[outcome.kind].append(outcome)
    rows += [
        [f"- {kind}", _count(*result.share(v))] for kind, v in sorted(kinds.items())
    ]
    if result.scenarios:
        turns = [o for _, t in result.scenarios for o in t]
        rows.append(["scenario turns", _count(*result.share(turns))])
        whole = sum(all(o.right for o in t) for _, t in result.scenarios)
        rows.append(["whole scenarios", _count(whole, len(result.scenarios))])
    return table(["set (end to end over REST)", "right"], rows)


def _count(right: int, total: int) -> str:
    return f"{_ratio(right, total):.3f} ({right}/{total})"


def main() -> None:
    """Run both sets; print and record the table (and the misses)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--misses", action="store_true")
    parser.add_argument(
        "--dev", action="store_true", help="the development sets instead"
    )
    arguments = parser.parse_args()
    result = measure(dev=arguments.dev)
    body = report(result)
    write(body)
    if arguments.misses:
        for o in result.messages:
            if not o.right:
                write(f"- [{o.kind}] {o.expected} got {o.label}: {o.text}")
        for name, turns in result.scenarios:
            for o in turns:
                if not o.right:
                    write(f"- [{name}] {o.expected} got {o.label}: {o.text}")
    if not arguments.no_record:
        what = (
            "The development sets (../shared/eval questions and"
            " tests/conversations/dev.yml, measured, never trained on)"
            if arguments.dev
            else "The realistic set and scenarios"
        )
        record("realistic", f"{what}, end to end.\n\n{body}")


if __name__ == "__main__":
    main()
