"""Turn studies and contacts into short Dutch messages (B1, "u") with buttons.

Every text ends with the line ``Bron: <source>. Laatst nagekeken: <date>.``
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.constants import (
    CONTACT_OWN_DOCTOR,
    INTENT_ONDERZOEK_INFO,
    PAYLOAD_CONTACT,
    PAYLOAD_LIST_STUDIES,
    SLOT_STUDY,
)
from bot.db.models import Contact, Study

Button = dict[str, str]

SOURCE_PREFIX = "Bron:"
"""How the closing source line of every answer starts."""
FALLBACK_SOURCE = (
    "patiëntenfolder ALS; www.als-centrum.nl",
    "004_9378580a4c29d837.txt, extra-public-facts.md",
)
"""The sources of ``GENERAL_ROUTE``: the ALS team (leaflet), the website."""
FALLBACK_REVIEWED = date(2026, 12, 3)
GENERAL_ROUTE = (
    "Met vragen kunt u terecht bij uw eigen arts of uw ALS-team. "
    "Kijk ook op www.als-centrum.nl."
)

CONTACT_FOLLOW_UPS: list[Button] = [
    {"title": "Meedoen aan onderzoek", "payload": "/onderzoek_meedoen"},
    {"title": "Het ALS-team", "payload": "/faq_zorgteam"},
    {"title": "Alle onderwerpen", "payload": "/show_topics"},
]
ASK_OWN_DOCTOR = "Vraag ernaar bij uw eigen arts of ALS-team."
SAFETY_LINE = (
    "Bij nood: bel 112. Denkt u aan zelfdoding? Bel 113 of 0800-0113 (gratis)."
)
"""The standing line after every fallback reply (``utter_safety_line`` too)."""
DANGER_LINE = "Is er nu direct gevaar? Bel 112."
"""The standing line after the end-of-life answer (``utter_danger_line`` too)."""

_STATUS_TEXT = {
    "recruiting": "Dit onderzoek zoekt deelnemers.",
    "closed": "Dit onderzoek zoekt geen deelnemers meer.",
}


@dataclass(frozen=True)
class Message:
    """A reply: text plus optional buttons."""

    text: str
    buttons: list[Button] = field(default_factory=list)


def format_date(day: date) -> str:
    """Format a date the Dutch way, e.g. ``25-11-2026``."""
    return day.strftime("%d-%m-%Y")


def source_line(sources: Iterable[tuple[str, str, date]]) -> str:
    """Build the closing ``Bron: ... Laatst nagekeken: ...`` line.

    Args:
        sources: ``(name, file, last_reviewed)`` per item shown; repeats are
            named once and the oldest review date is given. Patients see the
            readable name; the file stays in the database for maintainers.

    Returns:
        The line, without a trailing newline.
    """
    names: list[str] = []
    oldest: date | None = None
    for name, _file, reviewed in sources:
        for part in name.split("; "):
            if part not in names:
                names.append(part)
        oldest = reviewed if oldest is None else min(oldest, reviewed)
    if not names or oldest is None:
        names, oldest = [FALLBACK_SOURCE[0]], FALLBACK_REVIEWED
    return f"Bron: {'; '.join(names)}. Laatst nagekeken: {format_date(oldest)}."


def split_source(text: str) -> tuple[str, str | None]:
    """Split an answer into its body and its ``Bron: ...`` line.

    Args:
        text: The answer as the user sees it.

    Returns:
        The text without the source line, and the last line that starts with
        ``Bron:`` (``None`` when there is none).
    """
    lines = text.split("\n")
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip().startswith(SOURCE_PREFIX):
            body = "\n".join(lines[:index] + lines[index + 1 :]).strip("\n")
            return body, lines[index].strip()
    return text, None


def _study_source(study: Study) -> tuple[str, str, date]:
    return (study.source_name, study.source_file, study.last_reviewed)


def _contact_source(contact: Contact) -> tuple[str, str, date]:
    return (contact.source_name, contact.source_file, contact.last_reviewed)


def study_payload(slug: str) -> str:
    """Return the button payload that asks about one study."""
    entities = json.dumps({SLOT_STUDY: slug}, ensure_ascii=False)
    return f"/{INTENT_ONDERZOEK_INFO}{entities}"


def study_buttons(studies: Sequence[Study]) -> list[Button]:
    """Return one button per study."""
    return [
        {"title": study.name, "payload": study_payload(study.slug)} for study in studies
    ]


def _contact_details(contact: Contact) -> str:
    """Phone, e-mail, web and address as far as the source gives them."""
    parts = [
        f"{label}{value}"
        for label, value in (
            ("tel. ", contact.phone),
            ("e-mail ", contact.email),
            ("", contact.web),
            ("adres ", contact.address),
        )
        if value
    ]
    return ", ".join(parts)


def _contact_name(contact: Contact, person: str | None) -> str:
    """Name, contact person and details, e.g. ``ALS Centrum (www.…)``."""
    extras = [f"contactpersoon: {person}"] if person else []
    details = _contact_details(contact)
    if details:
        extras.append(details)
    return f"{contact.name} ({'; '.join(extras)})" if extras else contact.name


def _contact_line(contact: Contact | None, person: str | None) -> tuple[str, bool]:
    """Return the contact line and whether it gives a way to reach them."""
    if contact is None:
        return GENERAL_ROUTE, True
    line = f"Contact: {_contact_name(contact, person)}."
    if _contact_details(contact):
        return line, True
    return f"{line} Contactgegevens staan niet in onze bron.", False


def study_card(study: Study, *, take_part_first: bool = False) -> Message:
    """Describe one study: what it is, who can join, how, and whom to contact.

    Details the source does not give are named as missing, with the own
    doctor or ALS team as the place to ask.

    Args:
        study: The study, with its contact loaded.
        take_part_first: Start with who can take part and how (the user asked
            "kan ik meedoen?" or "wat moet ik doen?").

    Returns:
        The message, with buttons for contact and the other studies.
    """
    title = f"{study.name} ({study.location})" if study.location else study.name
    take_part: list[str] = []
    gaps: list[str] = []
    status = _STATUS_TEXT.get(study.status)
    if status:
        take_part.append(status)
    elif not study.signup:
        gaps.append("of er nu deelnemers gezocht worden")
    for label, value, absent in (
        ("Wie kan meedoen", study.eligibility, "wie kan meedoen"),
        ("Wat u doet", study.participation, "wat meedoen inhoudt"),
        ("Aanmelden", study.signup, "hoe u zich aanmeldt"),
    ):
        if value:
            take_part.append(f"{label}: {value}")
        else:
            gaps.append(absent)
    contact, reachable = _contact_line(study.contact, study.contact_person)
    if gaps or not reachable:
        missing = f"Niet in onze bron: {', '.join(gaps)}. " if gaps else ""
        take_part.append(f"{missing}{ASK_OWN_DOCTOR}")
    if take_part_first:
        body = [*take_part, study.description]
    else:
        body = [study.description, *take_part]
    lines = [title, *body, contact, source_line([_study_source(study)])]
    buttons = [
        {"title": "Contact", "payload": PAYLOAD_CONTACT},
        {"title": "Andere onderzoeken", "payload": PAYLOAD_LIST_STUDIES},
    ]
    return Message(text="\n".join(lines), buttons=buttons)


def _studies_overview(intro: str, studies: Sequence[Study]) -> Message:
    if not studies:
        return no_data()
    names = [f"- {study.name}" for study in studies]
    lines = [intro, *names, source_line(_study_source(study) for study in studies)]
    return Message(text="\n".join(lines), buttons=study_buttons(studies))


def study_list(studies: Sequence[Study]) -> Message:
    """List the known studies, one button each."""
    return _studies_overview(
        "Dit zijn de onderzoeken die ik ken. Kies er een voor meer uitleg:",
        studies,
    )


def study_not_found(studies: Sequence[Study]) -> Message:
    """Say the study is unknown, then list the known ones as buttons."""
    return _studies_overview(
        "Dat onderzoek ken ik niet, of ik weet niet welk onderzoek u bedoelt. "
        "Dit zijn de onderzoeken die ik ken:",
        studies,
    )


def contact_list(
    contacts: Sequence[Contact],
    *,
    topic: str | None = None,
    person: str | None = None,
) -> Message:
    """Say whom to contact, with only the contact details the sources give.

    Args:
        contacts: The contacts to show, best first.
        topic: What the user asked about, e.g. a study name; starts the text.
        person: A contact person named by the source, shown with the first
            contact.

    Returns:
        The message; without contacts, the general route.
    """
    if not contacts:
        return no_data()
    intro = f"{topic}. U kunt terecht bij:" if topic else "U kunt terecht bij:"
    lines = [intro]
    unreachable: list[str] = []
    for index, contact in enumerate(contacts):
        name = _contact_name(contact, person if index == 0 else None)
        lines.append(f"- {name}: {contact.contact_for.strip()}")
        if not _contact_details(contact) and contact.slug != CONTACT_OWN_DOCTOR:
            unreachable.append(contact.name)
    if unreachable:
        lines.append(
            f"Contactgegevens van {' en '.join(unreachable)} staan niet in onze "
            "bron. Vraag uw eigen arts of ALS-team hoe u hen bereikt."
        )
    lines.append(source_line(_contact_source(contact) for contact in contacts))
    return Message(text="\n".join(lines), buttons=CONTACT_FOLLOW_UPS)


def _general_route(first_line: str) -> Message:
    return Message(text="\n".join([first_line, GENERAL_ROUTE, source_line([])]))


def no_data() -> Message:
    """The reply when the database answered but holds nothing to show."""
    return _general_route("Ik heb hier nu geen gegevens over.")


def database_unavailable() -> Message:
    """The reply when the database cannot be reached: the general route."""
    return _general_route(
        "Het lukt mij nu niet om de gegevens op te halen. Excuses daarvoor."
    )


OTHER_ILLNESS_BUTTONS: list[Button] = [
    {"title": "Wat is ALS?", "payload": "/faq_wat_is_als"},
    {"title": "Alle onderwerpen", "payload": "/show_topics"},
]


def other_illness_reply(name: str | None) -> Message:
    """The honest reply to a question about another illness, naming it if known."""
    about = (
        f"Over {name} kan ik u niets vertellen."
        if name
        else ("Over andere ziektes kan ik u niets vertellen.")
    )
    return Message(
        text=(
            f"Ik geef alleen informatie over ALS. {about} "
            "Vraag het uw huisarts of uw eigen arts. "
            "Heeft u een vraag over ALS? Kies dan een onderwerp."
        ),
        buttons=OTHER_ILLNESS_BUTTONS,
    )
