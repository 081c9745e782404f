"""Content linter: checks the answers and training data a maintainer edits.

Checks, each reported per item:

* every intent has a rule that answers it, and every response a rule uses exists;
* every topic answer names its source and review date;
* no answer is longer than ``MAX_ANSWER_CHARS``;
* no answer holds a phone number, e-mail or web address that is not in the
  catalog (``content/catalog.yml``), which holds only contact details from the
  sources;
* no training example is listed under two intents, none twice in one intent;
* Dutch readability (Flesch-Douma, from ``textstat``) of every answer, with a
  floor ``MIN_READING_EASE``; B1 text usually scores 60 or more, medical terms
  pull a score down, so the floor is lower and the report shows every score.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import textstat
import yaml

from bot.settings import PROJECT_ROOT

MAX_ANSWER_CHARS = 800
MIN_READING_EASE = 45.0
SOURCE_LINE = re.compile(r"\nBron: .+\. Laatst nagekeken: \d{2}-\d{2}-\d{4}\.$")
ENTITY_MARKUP = re.compile(r"\[([^\]]+)\]\([^)]+\)")
WEB = re.compile(
    r"\b(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:nl|be|com|org|eu)\b"
)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
PHONE = re.compile(r"(?<![\d.,])(?:0\d{2,3}[- ]?\d{3,7}|11[23])(?![\d.,])")
ALWAYS_ALLOWED_NUMBERS = frozenset({"112"})
NOT_ANSWERED = frozenset({"nlu_fallback"})


@dataclass
class AnswerReport:
    """Figures and problems of one answer."""

    name: str
    chars: int
    reading_ease: float
    has_source: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class LintReport:
    """The outcome of one lint run."""

    answers: list[AnswerReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there are no errors."""
        return not self.errors


def _load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _answer_body(text: str) -> str:
    return text.split("\nBron:", 1)[0]


def reading_ease(text: str) -> float:
    """Flesch-Douma reading ease of Dutch text (higher is easier)."""
    textstat.set_lang("nl")
    return float(textstat.flesch_reading_ease(text))


def allowed_contact_details(catalog_path: Path) -> set[str]:
    """Phone numbers, e-mail and web addresses the catalog (the sources) holds."""
    catalog = _load_yaml(catalog_path) or {}
    allowed: set[str] = set(ALWAYS_ALLOWED_NUMBERS)
    for entry in catalog.get("contacts", []) or []:
        for key in ("phone", "email", "web"):
            value = entry.get(key)
            if value:
                allowed.update(PHONE.findall(str(value)))
                allowed.update(EMAIL.findall(str(value)))
                allowed.update(WEB.findall(str(value).lower()))
    return allowed


def contact_details(text: str) -> set[str]:
    """Phone numbers, e-mail and web addresses found in ``text``."""
    found = set(PHONE.findall(text)) | set(EMAIL.findall(text))
    found |= {match for match in WEB.findall(text.lower()) if "." in match}
    return found


def _rules(rules_dir: Path) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for path in sorted(rules_dir.glob("*.yml")):
        rules.extend((_load_yaml(path) or {}).get("rules", []) or [])
    return rules


def _training_examples(nlu_dir: Path) -> Iterable[tuple[str, str]]:
    for path in sorted(nlu_dir.rglob("*.yml")):
        for block in (_load_yaml(path) or {}).get("nlu", []) or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield ENTITY_MARKUP.sub(r"\1", line[2:]), block["intent"]


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


def lint(root: Path = PROJECT_ROOT) -> LintReport:
    """Run every check on the project at ``root``."""
    report = LintReport()
    domain = _load_yaml(root / "domain.yml")
    responses: dict[str, list[dict[str, Any]]] = domain.get("responses", {})
    actions = set(domain.get("actions", []))
    intents = [i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]]
    allowed = allowed_contact_details(root / "content" / "catalog.yml")

    answered: set[str] = set()
    for rule in _rules(root / "data" / "rules"):
        for step in rule.get("steps", []):
            if "intent" in step:
                answered.add(step["intent"])
            action = step.get("action")
            if action and action not in responses and action not in actions:
                report.errors.append(f"rule '{rule.get('rule')}' uses unknown {action}")
    for intent in intents:
        if intent not in answered and intent not in NOT_ANSWERED:
            report.errors.append(f"intent '{intent}' has no rule that answers it")

    for name, variants in responses.items():
        text = str(variants[0].get("text", ""))
        body = _answer_body(text)
        answer = AnswerReport(
            name=name,
            chars=len(text),
            reading_ease=reading_ease(body),
            has_source=bool(SOURCE_LINE.search(text)),
        )
        if name.startswith("utter_faq_") and not answer.has_source:
            answer.problems.append("names no source and review date")
        if answer.chars > MAX_ANSWER_CHARS:
            answer.problems.append(f"longer than {MAX_ANSWER_CHARS} characters")
        unknown = contact_details(text) - allowed
        if unknown:
            answer.problems.append(
                f"contact details not in the catalog: {sorted(unknown)}"
            )
        if answer.reading_ease < MIN_READING_EASE:
            answer.problems.append(
                f"reading ease {answer.reading_ease:.0f} below {MIN_READING_EASE:.0f}"
            )
        report.errors.extend(f"{name}: {problem}" for problem in answer.problems)
        report.answers.append(answer)

    intents_of: dict[str, set[str]] = defaultdict(set)
    seen: set[tuple[str, str]] = set()
    for text, intent in _training_examples(root / "data" / "nlu"):
        key = _normalise(text)
        if (key, intent) in seen:
            report.warnings.append(f"'{text}' is listed twice under {intent}")
        seen.add((key, intent))
        intents_of[key].add(intent)
    for key, owners in sorted(intents_of.items()):
        if len(owners) > 1:
            report.errors.append(f"'{key}' is a training example of {sorted(owners)}")
    return report


def format_report(report: LintReport) -> str:
    """Render the report as plain text: a table of answers, then the problems."""
    lines = [f"{'answer':32} {'chars':>5} {'ease':>5} source"]
    for answer in sorted(report.answers, key=lambda a: a.reading_ease):
        source = "yes" if answer.has_source else "-"
        lines.append(
            f"{answer.name:32} {answer.chars:5d} {answer.reading_ease:5.0f} {source}"
        )
    lines.extend(f"WARNING {warning}" for warning in report.warnings)
    lines.extend(f"ERROR {error}" for error in report.errors)
    verdict = "content lint: OK" if report.ok else "content lint: FAILED"
    lines.append(
        f"{verdict} ({len(report.errors)} errors, {len(report.warnings)} warnings)"
    )
    return "\n".join(lines)
