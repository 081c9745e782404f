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
  pull a score down, so the floor is lower and the report shows every score;
* every "Bron:" line (answers in ``domain.yml``, the fallback source of
  ``bot/formatting.py``) and every catalog ``source.name`` names only sources
  listed in ``content/sources.yml``, and a catalog entry's ``source.file``
  lists exactly the seed files of the sources it names;
* every number (digits, number words, percentages, ranges) and every name of a
  study, drug, gene or organisation in an answer or catalog entry occurs in a
  seed file of the sources it names (``bot.source_check``). An answer without
  a "Bron:" line is checked against all seeds.
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

from bot import formatting
from bot.settings import PROJECT_ROOT, get_settings
from bot.source_check import SourceError, Sources, load_sources

MAX_ANSWER_CHARS = 800
MIN_READING_EASE = 45.0
SOURCE_LINE = re.compile(r"\nBron: .+\. Laatst nagekeken: \d{2}-\d{2}-\d{4}\.$")
SOURCE_NAMES = re.compile(r"^Bron: (.+?)\. Laatst nagekeken: \d{2}-\d{2}-\d{4}\.$")
ENTITY_MARKUP = re.compile(r"\[([^\]]+)\]\([^)]+\)")
WEB = re.compile(
    r"\b(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:nl|be|com|org|eu)\b"
)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
PHONE = re.compile(r"(?<![\d.,])(?:0\d{2,3}[- ]?\d{3,7}|11[23])(?![\d.,])")
ALWAYS_ALLOWED_NUMBERS = frozenset({"112"})
NOT_ANSWERED = frozenset({"nlu_fallback"})
MUST_CITE = frozenset({"utter_medical_advice", "utter_emergency", "utter_despair"})
"""Answers besides ``utter_faq_*`` that must end with a "Bron:" line."""
CATALOG_TEXT_FIELDS = (
    "name",
    "role",
    "contact_for",
    "description",
    "eligibility",
    "participation",
    "location",
    "signup",
    "phone",
)
"""Catalog fields a user reads (web addresses are checked as contact details)."""


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


def _split_source_line(text: str) -> tuple[str, list[str] | None]:
    """The body of an answer and the source names of its "Bron:" line."""
    body, line = formatting.split_source(text)
    if line is None:
        return text, None
    match = SOURCE_NAMES.match(line)
    names = match.group(1) if match else line[len("Bron:") :].strip()
    return body, [name.strip() for name in names.split("; ") if name.strip()]


def _check_cited_text(
    sources: Sources, text: str, names: list[str] | None
) -> list[str]:
    """Problems of one answer text against the sources it names."""
    problems = [
        f"unknown source '{name}'" for name in names or [] if name not in sources
    ]
    known = [name for name in names or [] if name in sources]
    if names is not None and not known:
        return problems
    files = sources.files_of(known) if names is not None else None
    where = ", ".join(sorted(files)) if files is not None else "any seed"
    numbers = sources.unsupported_numbers(text, files)
    if numbers:
        problems.append(f"numbers not in its sources ({where}): {numbers}")
    terms = sources.unsupported_names(text, known, files)
    if terms:
        problems.append(f"names not in its sources ({where}): {terms}")
    return problems


def _check_catalog(sources: Sources, catalog_path: Path) -> list[str]:
    """Source names, files, numbers and names of every catalog entry."""
    catalog = _load_yaml(catalog_path) or {}
    errors: list[str] = []
    for kind, label in (("contacts", "contact"), ("studies", "study")):
        for entry in catalog.get(kind, []) or []:
            where = f"catalog {label} '{entry.get('slug')}'"
            source = entry.get("source") or {}
            names = [n.strip() for n in str(source.get("name", "")).split("; ")]
            names = [name for name in names if name]
            listed = {
                f.strip() for f in str(source.get("file", "")).split(",") if f.strip()
            }
            unknown = [name for name in names if name not in sources]
            errors.extend(f"{where}: unknown source '{name}'" for name in unknown)
            known = [name for name in names if name in sources]
            if not known:
                if not unknown:
                    errors.append(f"{where}: names no source")
                continue
            files = sources.files_of(known)
            if not unknown and listed != files:
                errors.append(
                    f"{where}: source.file {sorted(listed)} is not the files of "
                    f"its sources {sorted(files)}"
                )
            for key in ("web", "email"):
                if entry.get(key) and not sources.holds(str(entry[key]), files):
                    errors.append(f"{where}: {key} {entry[key]} is not in its sources")
            contact = entry.get("contact") or {}
            texts = [str(entry[key]) for key in CATALOG_TEXT_FIELDS if entry.get(key)]
            if isinstance(contact, dict) and contact.get("person"):
                texts.append(str(contact["person"]))
            for text in texts:
                numbers = sources.unsupported_numbers(text, files)
                if numbers:
                    errors.append(f"{where}: numbers not in its sources: {numbers}")
                terms = sources.unsupported_names(text, known, files)
                if terms:
                    errors.append(f"{where}: names not in its sources: {terms}")
    return errors


def _check_sources(
    report: LintReport, root: Path, seeds_dir: Path, responses: dict[str, Any]
) -> None:
    """Every cited source is known and every fact is in the cited seeds."""
    try:
        sources = load_sources(root / "content" / "sources.yml", seeds_dir)
    except SourceError as error:
        report.errors.append(f"sources: {error}")
        return
    report.errors.extend(f"sources: {problem}" for problem in sources.problems())
    for answer in report.answers:
        variants = responses.get(answer.name) or [{}]
        text = str(variants[0].get("text", ""))
        body, names = _split_source_line(text)
        buttons = "\n".join(
            str(button.get("title", "")) for button in variants[0].get("buttons", [])
        )
        problems = _check_cited_text(sources, body, names)
        problems.extend(
            f"button {problem}" for problem in _check_cited_text(sources, buttons, None)
        )
        answer.problems.extend(problems)
        report.errors.extend(f"{answer.name}: {problem}" for problem in problems)
    for name, message in (
        ("formatting.no_data", formatting.no_data()),
        ("formatting.database_unavailable", formatting.database_unavailable()),
    ):
        body, names = _split_source_line(message.text)
        report.errors.extend(
            f"{name}: {problem}" for problem in _check_cited_text(sources, body, names)
        )
    report.errors.extend(_check_catalog(sources, root / "content" / "catalog.yml"))


def lint(root: Path = PROJECT_ROOT, seeds_dir: Path | None = None) -> LintReport:
    """Run every check on the project at ``root``.

    Args:
        root: The project folder (``domain.yml``, ``data/``, ``content/``).
        seeds_dir: The source documents; default the ``SEEDS_DIR`` setting
            (``../shared/seeds``).

    Returns:
        The report; it is ``ok`` when there are no errors.
    """
    seeds_dir = seeds_dir or get_settings().seeds_dir
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
        must_cite = name.startswith("utter_faq_") or name in MUST_CITE
        if must_cite and not answer.has_source:
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
    _check_sources(report, root, seeds_dir, responses)

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
