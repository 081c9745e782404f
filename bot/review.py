"""Every answer of the assistant in one table, for nurses to review.

Reads ``domain.yml`` (answer texts), ``data/nlu`` (example questions) and
``data/rules`` (which intent gets which answer) as plain YAML, and builds the
answers of the custom actions from the database the way the actions do. No
Rasa import: ``python -m bot review`` works without loading a model.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.clarify import HUMAN_OFFER_BUTTONS, HUMAN_OFFER_TEXT, clarify
from bot.constants import (
    ACTION_FIND_CONTACT,
    ACTION_LIST_STUDIES,
    ACTION_SHOW_STUDY,
    INTENT_TO_STUDY,
)
from bot.db.repositories import ContactRepository, StudyRepository
from bot.db.session import SessionFactory, session_scope
from bot.formatting import (
    Button,
    Message,
    contact_list,
    split_source,
    study_card,
    study_list,
    study_not_found,
)
from bot.settings import PROJECT_ROOT, VAR_DIR
from bot.topics import TOPIC_TITLES

DOMAIN_FILE = PROJECT_ROOT / "domain.yml"
NLU_DIR = PROJECT_ROOT / "data" / "nlu"
RULES_DIR = PROJECT_ROOT / "data" / "rules"
REVIEW_DIR = VAR_DIR / "review"
FORMATS = ("html", "csv")
EXAMPLES_PER_INTENT = 5

ACTION_CLARIFY = "action_clarify"
ACTION_OFFER_HUMAN = "action_offer_human"
HUMAN_OFFER_LABEL = "Na drie niet-begrepen berichten op rij"
NLU_FALLBACK = "nlu_fallback"
SAFETY_INTENTS = ("emergency", "despair", "medical_advice")
REVIEWED_LABEL = "Laatst nagekeken:"

INTENT_LABELS: dict[str, str] = {
    "greet": "Begroeting",
    "thank": "Bedanken",
    "goodbye": "Afscheid",
    "bot_challenge": "Bent u een mens?",
    "ask_human": "Met een mens praten",
    "medical_advice": "Persoonlijk medisch advies",
    "emergency": "Noodgeval (112)",
    "despair": "Wanhoop (113)",
    "out_of_scope": "Buiten het onderwerp",
    "something_else": "Iets anders",
    "show_topics": "Alle onderwerpen",
    NLU_FALLBACK: "Niet begrepen of twijfel",
}
"""Titles of the intents that are not content topics (see ``TOPIC_TITLES``)."""

GROUP_CONTENT = "Inhoud"
GROUP_SAFETY = "Veiligheid"
GROUP_DIALOGUE = "Gesprek"

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")

CSV_HEADERS = (
    "groep",
    "onderwerp",
    "intent",
    "antwoord van",
    "voorbeeldvragen",
    "antwoord",
    "knoppen",
    "bron",
    "waarschuwing",
    "opmerking",
)


def intent_title(intent: str) -> str | None:
    """Return the title of an intent: the topic title, else a short label."""
    return TOPIC_TITLES.get(intent) or INTENT_LABELS.get(intent)


@dataclass(frozen=True)
class Answer:
    """One message the user sees, split into body and source line."""

    text: str
    source: str | None
    buttons: list[Button] = field(default_factory=list)
    label: str | None = None

    @classmethod
    def from_message(cls, message: Message, label: str | None = None) -> Answer:
        """Split the source line off a message."""
        body, source = split_source(message.text)
        return cls(text=body, source=source, buttons=message.buttons, label=label)

    @property
    def full_text(self) -> str:
        """The text exactly as the user sees it, source line included."""
        return "\n".join(part for part in (self.text, self.source) if part)


@dataclass(frozen=True)
class ReviewRow:
    """One intent: its title, examples, answers and what a reviewer should know."""

    group: str
    title: str
    intent: str
    actions: list[str]
    examples: list[str]
    answers: list[Answer]
    note: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        """The distinct source lines of the answers, in order."""
        found: list[str] = []
        for answer in self.answers:
            if answer.source and answer.source not in found:
                found.append(answer.source)
        return found


@dataclass(frozen=True)
class Review:
    """All rows, and when they were made."""

    rows: list[ReviewRow]
    created: datetime

    @property
    def warning_count(self) -> int:
        """The number of warnings over all rows."""
        return sum(len(row.warnings) for row in self.rows)


def _read_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _yaml_files(folder: Path) -> list[Path]:
    return sorted([*folder.rglob("*.yml"), *folder.rglob("*.yaml")])


def load_examples(nlu_dir: Path = NLU_DIR) -> dict[str, list[str]]:
    """Read the training examples per intent, entity markup removed.

    Args:
        nlu_dir: Folder with the NLU training files.

    Returns:
        Intent name -> examples in file order.
    """
    examples: dict[str, list[str]] = {}
    for path in _yaml_files(nlu_dir):
        for item in _read_yaml(path).get("nlu") or []:
            if not isinstance(item, dict) or "intent" not in item:
                continue
            raw = item.get("examples") or ""
            lines = raw.splitlines() if isinstance(raw, str) else []
            found = examples.setdefault(str(item["intent"]), [])
            for line in lines:
                text = line.strip()
                if text.startswith("- "):
                    found.append(_ANNOTATION.sub(r"\1", text[2:].strip()))
    return examples


def load_rules(rules_dir: Path = RULES_DIR) -> dict[str, list[str]]:
    """Read which actions follow each intent in the rules.

    Args:
        rules_dir: Folder with the rule files.

    Returns:
        Intent name -> the actions that answer it, in order, without repeats.
    """
    answers: dict[str, list[str]] = {}
    for path in _yaml_files(rules_dir):
        for rule in _read_yaml(path).get("rules") or []:
            steps = rule.get("steps") if isinstance(rule, dict) else None
            intent: str | None = None
            for step in steps or []:
                if not isinstance(step, dict):
                    continue
                if "intent" in step:
                    intent = str(step["intent"])
                    answers.setdefault(intent, [])
                elif "action" in step and intent is not None:
                    action = str(step["action"])
                    if action != "action_listen" and action not in answers[intent]:
                        answers[intent].append(action)
    return answers


def _response_answers(
    name: str, responses: Mapping[str, Any], label: str | None = None
) -> list[Answer]:
    variants = responses.get(name) or []
    several = len(variants) > 1
    answers = []
    for number, variant in enumerate(variants, start=1):
        buttons = [
            {"title": str(button["title"]), "payload": str(button["payload"])}
            for button in variant.get("buttons") or []
        ]
        text = str(variant.get("text") or "")
        variant_label = f"Variant {number}" if several else None
        if label and variant_label:
            variant_label = f"{label}, {variant_label.lower()}"
        answers.append(
            Answer.from_message(Message(text, buttons), variant_label or label)
        )
    return answers


@dataclass(frozen=True)
class _ActionAnswer:
    answers: list[Answer]
    note: str = ""
    warnings: list[str] = field(default_factory=list)


def _list_studies(session: Session, intent: str) -> _ActionAnswer:
    studies = StudyRepository(session).list_all()
    return _ActionAnswer(
        [Answer.from_message(study_list(studies))],
        "Uit de database (content/catalog.yml); elke knop toont de kaart van dat "
        "onderzoek.",
    )


def _show_study(session: Session, intent: str) -> _ActionAnswer:
    repository = StudyRepository(session)
    studies = repository.list_all()
    slug = INTENT_TO_STUDY.get(intent)
    if slug is not None:
        study = next((item for item in studies if item.slug == slug), None)
        if study is None:
            return _ActionAnswer(
                [Answer.from_message(study_not_found(studies))],
                warnings=[f"Onderzoek '{slug}' staat niet in de database."],
            )
        return _ActionAnswer(
            [Answer.from_message(study_card(study))],
            "Uit de database (content/catalog.yml). Vraagt iemand hoe meedoen "
            "werkt, dan staat dat deel vooraan.",
        )
    own_intent = set(INTENT_TO_STUDY.values())
    answers = [
        Answer.from_message(study_card(study), f"{study.name} (knop of naam)")
        for study in studies
        if study.slug not in own_intent
    ]
    answers.append(
        Answer.from_message(study_not_found(studies), "Als geen onderzoek herkend is")
    )
    return _ActionAnswer(
        answers,
        "Hangt af van het onderzoek in de vraag of op de knop. Hier de kaarten van "
        "de onderzoeken zonder eigen onderwerp; de andere staan in hun eigen rij.",
    )


def _find_contact(session: Session, intent: str) -> _ActionAnswer:
    contacts = ContactRepository(session).list_general()
    return _ActionAnswer(
        [Answer.from_message(contact_list(contacts))],
        "Algemeen antwoord. Gaat de vraag over een onderzoek of iets specifieks, "
        "dan noemt de assistent het passende contact uit de database.",
    )


DatabaseBuilder = Callable[[Session, str], _ActionAnswer]

DATABASE_ACTIONS: dict[str, DatabaseBuilder] = {
    ACTION_LIST_STUDIES: _list_studies,
    ACTION_SHOW_STUDY: _show_study,
    ACTION_FIND_CONTACT: _find_contact,
}
"""Custom actions that answer from the database -> how to build their answer."""


def _human_offer() -> Answer:
    return Answer.from_message(
        Message(HUMAN_OFFER_TEXT, HUMAN_OFFER_BUTTONS), HUMAN_OFFER_LABEL
    )


def _clarify_answers(intent: str, responses: Mapping[str, Any]) -> _ActionAnswer:
    if intent == NLU_FALLBACK:
        first, second = list(TOPIC_TITLES)[:2]
        ranking = [
            {"name": NLU_FALLBACK, "confidence": 0.3},
            {"name": first, "confidence": 0.28},
            {"name": second, "confidence": 0.25},
        ]
        label = (
            f"Voorbeeld: twijfel tussen '{TOPIC_TITLES[first]}' en "
            f"'{TOPIC_TITLES[second]}'"
        )
        note = (
            "Hangt af van de vraag: de assistent noemt de één of twee "
            "waarschijnlijkste onderwerpen. Is geen onderwerp waarschijnlijk genoeg, "
            "dan volgt het antwoord van 'Buiten het onderwerp'."
        )
    else:
        ranking = [{"name": intent, "confidence": 1.0}]
        label = None
        note = "Het algemene antwoord van de actie."
    result = clarify("voorbeeldvraag", ranking, misunderstood_in_a_row=1)
    if result.response:
        answers = _response_answers(result.response, responses, label)
    else:
        message = Message(result.text or "", result.buttons)
        answers = [Answer.from_message(message, label)]
    return _ActionAnswer([*answers, _human_offer()], note)


def _offer_human(intent: str, responses: Mapping[str, Any]) -> _ActionAnswer:
    return _ActionAnswer(
        [_human_offer()],
        "Het aanbod om met een mens te praten komt alleen na drie niet-begrepen "
        "berichten op rij.",
    )


PlainBuilder = Callable[[str, Mapping[str, Any]], _ActionAnswer]

PLAIN_ACTIONS: dict[str, PlainBuilder] = {
    ACTION_CLARIFY: _clarify_answers,
    ACTION_OFFER_HUMAN: _offer_human,
}
"""Custom actions that answer without the database -> how to build their answer."""


def _database_answer(
    builder: DatabaseBuilder, intent: str, session_factory: SessionFactory | None
) -> _ActionAnswer:
    try:
        with session_scope(session_factory) as session:
            return builder(session, intent)
    except (SQLAlchemyError, OSError) as error:
        return _ActionAnswer(
            [],
            warnings=[
                f"Database niet bereikbaar ({type(error).__name__}): antwoord niet "
                "te tonen. Maak de database met `make db`."
            ],
        )


def _answers_for(
    intent: str,
    actions: Sequence[str],
    responses: Mapping[str, Any],
    session_factory: SessionFactory | None,
) -> _ActionAnswer:
    answers: list[Answer] = []
    notes: list[str] = []
    warnings: list[str] = []
    for action in actions:
        if action in STANDING_LINES:
            answers.extend(_response_answers(action, responses, STANDING_LINE_LABEL))
            continue
        if action in responses:
            answers.extend(_response_answers(action, responses))
            continue
        if action in PLAIN_ACTIONS:
            part = PLAIN_ACTIONS[action](intent, responses)
        elif action in DATABASE_ACTIONS:
            part = _database_answer(DATABASE_ACTIONS[action], intent, session_factory)
        else:
            part = _ActionAnswer(
                [],
                warnings=[f"Eigen actie '{action}': geen voorbeeld van het antwoord."],
            )
        answers.extend(part.answers)
        notes.extend([part.note] if part.note else [])
        warnings.extend(part.warnings)
    return _ActionAnswer(answers, " ".join(notes), warnings)


STANDING_LINES = frozenset({"utter_safety_line", "utter_danger_line"})
"""Short safety lines sent after an answer; they point to 112/113, not a source."""
STANDING_LINE_LABEL = "Vaste veiligheidsregel"


def _source_warnings(answers: Sequence[Answer]) -> list[str]:
    warnings = []
    for number, answer in enumerate(answers, start=1):
        which = f"Antwoord {number}" if len(answers) > 1 else "Antwoord"
        if answer.label == STANDING_LINE_LABEL:
            continue
        if answer.label:
            which = f"Antwoord ({answer.label})"
        if answer.source is None:
            warnings.append(f"{which} heeft geen regel 'Bron: …'.")
        elif REVIEWED_LABEL not in answer.source:
            warnings.append(f"{which}: bronregel zonder '{REVIEWED_LABEL} …'.")
    return warnings


def _ordered_intents(
    domain_intents: Sequence[str], rules: Mapping[str, Any]
) -> list[tuple[str, str]]:
    known = [*domain_intents, *(name for name in rules if name not in domain_intents)]
    content = [name for name in TOPIC_TITLES if name in known]
    safety = [name for name in SAFETY_INTENTS if name in known]
    rest = [name for name in known if name not in content and name not in safety]
    return [
        *((GROUP_CONTENT, name) for name in content),
        *((GROUP_SAFETY, name) for name in safety),
        *((GROUP_DIALOGUE, name) for name in rest),
    ]


def _intent_names(domain: Mapping[str, Any]) -> list[str]:
    names = []
    for entry in domain.get("intents") or []:
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        names.append(str(name))
    return names


def build_review(
    session_factory: SessionFactory | None = None,
    *,
    domain_file: Path = DOMAIN_FILE,
    nlu_dir: Path = NLU_DIR,
    rules_dir: Path = RULES_DIR,
    now: datetime | None = None,
) -> Review:
    """Collect every intent with its examples, answers and warnings.

    Args:
        session_factory: Opens database sessions; defaults to ``DATABASE_URL``.
        domain_file: The domain with the responses.
        nlu_dir: Folder with the training examples.
        rules_dir: Folder with the rules.
        now: When the review is made; defaults to the current time.

    Returns:
        The review: content topics first, then safety, then the rest.
    """
    domain = _read_yaml(domain_file)
    responses: Mapping[str, Any] = domain.get("responses") or {}
    domain_intents = _intent_names(domain)
    examples = load_examples(nlu_dir)
    rules = load_rules(rules_dir)
    rows = []
    for group, intent in _ordered_intents(domain_intents, rules):
        actions = rules.get(intent, [])
        built = _answers_for(intent, actions, responses, session_factory)
        warnings = list(built.warnings)
        if intent not in domain_intents:
            warnings.append("Intent staat niet in domain.yml.")
        if not actions:
            warnings.append("Geen regel: de assistent heeft hier geen vast antwoord.")
        if not examples.get(intent) and intent != NLU_FALLBACK:
            warnings.append("Geen voorbeeldvragen in de trainingsdata.")
        warnings.extend(_source_warnings(built.answers))
        rows.append(
            ReviewRow(
                group=group,
                title=intent_title(intent) or intent,
                intent=intent,
                actions=list(actions),
                examples=examples.get(intent, [])[:EXAMPLES_PER_INTENT],
                answers=built.answers,
                note=built.note,
                warnings=warnings,
            )
        )
    return Review(rows=rows, created=now or datetime.now())


def _button_lines(buttons: Iterable[Button]) -> list[str]:
    return [
        f"{number}. {button['title']} ({button['payload']})"
        for number, button in enumerate(buttons, start=1)
    ]


def render_csv(review: Review, delimiter: str = ",") -> str:
    """Render the review as CSV: a header row, then one row per intent.

    Args:
        review: The review.
        delimiter: Field separator; ``;`` suits Excel with Dutch settings.

    Returns:
        The CSV text with ``\\r\\n`` line ends (write it as UTF-8 with BOM).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(CSV_HEADERS)
    for row in review.rows:
        answers = []
        buttons = []
        for answer in row.answers:
            prefix = f"[{answer.label}]\n" if answer.label else ""
            answers.append(prefix + answer.text)
            buttons.extend(_button_lines(answer.buttons))
        writer.writerow(
            (
                row.group,
                row.title,
                row.intent,
                ", ".join(row.actions),
                "\n".join(row.examples),
                "\n\n".join(answers),
                "\n".join(buttons),
                "\n".join(row.sources),
                "\n".join(row.warnings),
                row.note,
            )
        )
    return buffer.getvalue()


_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Arial, sans-serif;
  color: #111; background: #fff; margin: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
.meta { color: #333; margin: 0 0 1rem; }
.summary { border: 2px solid #8a5a00; background: #fff6e0; padding: .5rem 1rem;
  margin: 0 0 1rem; }
.summary.ok { border-color: #1f6f3a; background: #eaf6ee; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid #777; padding: .4rem .5rem; vertical-align: top;
  text-align: left; }
thead th { background: #e8e8e8; position: sticky; top: 0; }
tr.group th { background: #1d3b5a; color: #fff; font-size: 1.05rem; }
tr.warn td.warnings { background: #fff0d6; }
td.intent { font-size: .85rem; overflow-wrap: break-word; }
td.answer .text { white-space: pre-wrap; }
.label { font-weight: 600; margin: .5rem 0 .1rem; }
.label:first-child { margin-top: 0; }
.note { font-style: italic; color: #333; margin: 0 0 .4rem; }
.source { margin: 0 0 .3rem; }
td { overflow-wrap: break-word; }
td code { overflow-wrap: anywhere; }
ul, ol { margin: 0; padding-left: 1.2rem; }
code { font-family: ui-monospace, Consolas, monospace; }
.none { color: #555; }
@page { size: A4 landscape; margin: 1cm; }
@media print {
  body { margin: 0; font-size: 9.5pt; }
  thead { display: table-header-group; }
  thead th { position: static; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  tr.group th { background: #ddd; color: #000; }
}
"""


_NONE = '<span class="none">—</span>'


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _breakable(name: str) -> str:
    """Escape an identifier and let it wrap after each underscore."""
    return _esc(name).replace("_", "_<wbr>")


def _html_list(items: Sequence[str], tag: str = "ul") -> str:
    if not items:
        return _NONE
    inner = "".join(f"<li>{_esc(item)}</li>" for item in items)
    return f"<{tag}>{inner}</{tag}>"


def _html_answers(row: ReviewRow) -> str:
    parts = [f'<p class="note">{_esc(row.note)}</p>'] if row.note else []
    for answer in row.answers:
        if answer.label:
            parts.append(f'<p class="label">{_esc(answer.label)}:</p>')
        parts.append(f'<div class="text">{_esc(answer.text)}</div>')
    if not row.answers:
        parts.append('<span class="none">Geen antwoord te tonen.</span>')
    return "".join(parts)


def _html_label(answer: Answer) -> str:
    return f'<p class="label">{_esc(answer.label)}:</p>' if answer.label else ""


def _html_buttons(row: ReviewRow) -> str:
    blocks = []
    for answer in row.answers:
        if not answer.buttons:
            continue
        items = "".join(
            f"<li>{_esc(button['title'])} <code>{_esc(button['payload'])}</code></li>"
            for button in answer.buttons
        )
        blocks.append(f"{_html_label(answer)}<ol>{items}</ol>")
    return "".join(blocks) or _NONE


def _html_sources(row: ReviewRow) -> str:
    if not any(answer.label for answer in row.answers):
        return "".join(f'<p class="source">{_esc(line)}</p>' for line in row.sources)
    return "".join(
        f'{_html_label(answer)}<p class="source">{_esc(answer.source)}</p>'
        for answer in row.answers
        if answer.source
    )


def _html_row(number: int, row: ReviewRow) -> str:
    actions = ", ".join(row.actions) or "—"
    css_class = ' class="warn"' if row.warnings else ""
    return (
        f'<tr id="{_esc(row.intent)}"{css_class}>'
        f"<td>{number}</td>"
        f'<th scope="row">{_esc(row.title)}</th>'
        f'<td class="intent"><code>{_breakable(row.intent)}</code><br>'
        f"<small>antwoord van: {_breakable(actions)}</small></td>"
        f"<td>{_html_list(row.examples)}</td>"
        f'<td class="answer">{_html_answers(row)}</td>'
        f"<td>{_html_buttons(row)}</td>"
        f"<td>{_html_sources(row) or _NONE}</td>"
        f'<td class="warnings">{_html_list(row.warnings)}</td>'
        "</tr>"
    )


_HTML_COLUMNS = (
    ("#", 3),
    ("Onderwerp", 9),
    ("Intent", 10),
    (f"Voorbeeldvragen (max. {EXAMPLES_PER_INTENT})", 14),
    ("Antwoord", 29),
    ("Knoppen", 14),
    ("Bron", 11),
    ("Waarschuwing", 10),
)
"""Column titles and widths in percent."""


def render_html(review: Review) -> str:
    """Render the review as one self-contained, printable HTML page.

    Args:
        review: The review.

    Returns:
        The page: inline CSS, no scripts, every text escaped.
    """
    created = review.created.strftime("%d-%m-%Y om %H:%M")
    count = review.warning_count
    flagged = [row for row in review.rows if row.warnings]
    if count:
        links = ", ".join(
            f'<a href="#{_esc(row.intent)}">{_esc(row.title)}</a>' for row in flagged
        )
        summary = (
            f'<div class="summary"><p><strong>{count} waarschuwing(en)</strong> bij '
            f"{len(flagged)} onderwerp(en): {links}.</p></div>"
        )
    else:
        summary = '<div class="summary ok"><p>Geen waarschuwingen.</p></div>'
    columns = "".join(f'<col style="width:{width}%">' for _name, width in _HTML_COLUMNS)
    head_cells = "".join(
        f'<th scope="col">{_esc(name)}</th>' for name, _width in _HTML_COLUMNS
    )
    body: list[str] = []
    group = None
    for number, row in enumerate(review.rows, start=1):
        if row.group != group:
            group = row.group
            span = len(_HTML_COLUMNS)
            body.append(
                f'<tr class="group"><th colspan="{span}" scope="rowgroup">'
                f"{_esc(group)}</th></tr>"
            )
        body.append(_html_row(number, row))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>ALS-assistent: alle antwoorden ter controle</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        "<h1>ALS-assistent: alle antwoorden ter controle</h1>\n"
        f'<p class="meta">Gemaakt op {_esc(created)} met '
        "<code>python -m bot review</code> uit domain.yml, data/nlu, data/rules en "
        f"de database. {len(review.rows)} onderwerpen. De gebruiker ziet de bron als "
        "laatste regel van het antwoord; hier staat die in de kolom Bron.</p>\n"
        f"{summary}\n"
        "<table>\n<caption>Onderwerpen, voorbeeldvragen en antwoorden</caption>\n"
        f"<colgroup>{columns}</colgroup>\n"
        f"<thead><tr>{head_cells}</tr></thead>\n<tbody>\n"
        + "\n".join(body)
        + "\n</tbody>\n</table>\n</body>\n</html>\n"
    )


def default_output(fmt: str) -> Path:
    """Return ``var/review/review.<fmt>``."""
    return REVIEW_DIR / f"review.{fmt}"


def write_review(review: Review, path: Path, fmt: str, delimiter: str = ",") -> None:
    """Write the review as HTML (UTF-8) or CSV (UTF-8 with BOM, for Excel).

    Args:
        review: The review.
        path: Output file; its folder is created when needed.
        fmt: ``html`` or ``csv``.
        delimiter: CSV field separator.

    Raises:
        ValueError: For an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown review format {fmt!r}; use html or csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        path.write_text(render_csv(review, delimiter), encoding="utf-8-sig", newline="")
    else:
        path.write_text(render_html(review), encoding="utf-8")
