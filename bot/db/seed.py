"""Load ``content/catalog.yml`` into the database: an idempotent upsert.

Running the seed twice changes nothing. A changed field in the file updates its
row; a study or contact removed from the file is removed from the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import STUDY_STATUSES, Contact, Study
from bot.settings import PROJECT_ROOT

DEFAULT_CATALOG = PROJECT_ROOT / "content" / "catalog.yml"

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

_CONTACT_TEXT_REQUIRED = ("slug", "name", "contact_for")
_CONTACT_TEXT_OPTIONAL = ("role", "phone", "email", "web", "address")
_CONTACT_KEYS = {
    *_CONTACT_TEXT_REQUIRED,
    *_CONTACT_TEXT_OPTIONAL,
    "needs",
    "general",
    "source",
    "last_reviewed",
}
_STUDY_TEXT_REQUIRED = ("slug", "name", "description")
_STUDY_TEXT_OPTIONAL = ("eligibility", "participation", "location", "signup")
_STUDY_KEYS = {
    *_STUDY_TEXT_REQUIRED,
    *_STUDY_TEXT_OPTIONAL,
    "aliases",
    "status",
    "contact",
    "source",
    "last_reviewed",
}


class CatalogError(ValueError):
    """The seed file is not valid; the message says where."""


@dataclass(frozen=True)
class Catalog:
    """Validated rows from the seed file, as column values in file order."""

    contacts: list[dict[str, Any]]
    studies: list[dict[str, Any]]
    study_contacts: dict[str, str | None]


@dataclass
class SeedReport:
    """What a seed run changed, as ``kind:slug`` labels."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the run changed anything."""
        return bool(self.created or self.updated or self.deleted)

    def summary(self) -> str:
        """Return a one-line summary for the command line."""
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.deleted)} deleted"
        )


def _text(entry: Mapping[str, Any], key: str, where: str, *, required: bool) -> Any:
    value = entry.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise CatalogError(f"{where}: '{key}' is required")
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise CatalogError(f"{where}: '{key}' must be text")
    return " ".join(value.split())


def _words(entry: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = entry.get(key) or []
    if not isinstance(value, list):
        raise CatalogError(f"{where}: '{key}' must be a list")
    words = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or not item.strip():
            raise CatalogError(f"{where}: '{key}' must hold non-empty text")
        words.append(" ".join(item.split()))
    return words


def _common(entry: Any, where: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise CatalogError(f"{where}: must be a mapping")
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {', '.join(unknown)}")
    source = entry.get("source")
    if not isinstance(source, Mapping):
        raise CatalogError(f"{where}: 'source' needs 'name' and 'file'")
    reviewed = entry.get("last_reviewed")
    if isinstance(reviewed, str):
        try:
            reviewed = date.fromisoformat(reviewed)
        except ValueError:
            raise CatalogError(f"{where}: 'last_reviewed' must be YYYY-MM-DD") from None
    if not isinstance(reviewed, date):
        raise CatalogError(f"{where}: 'last_reviewed' must be YYYY-MM-DD")
    return {
        "source_name": _text(source, "name", f"{where}.source", required=True),
        "source_file": _text(source, "file", f"{where}.source", required=True),
        "last_reviewed": reviewed,
    }


def _contact(entry: Any, where: str) -> dict[str, Any]:
    values = _common(entry, where, _CONTACT_KEYS)
    for key in _CONTACT_TEXT_REQUIRED:
        values[key] = _text(entry, key, where, required=True)
    for key in _CONTACT_TEXT_OPTIONAL:
        values[key] = _text(entry, key, where, required=False)
    values["needs"] = _words(entry, "needs", where)
    general = entry.get("general", False)
    if not isinstance(general, bool):
        raise CatalogError(f"{where}: 'general' must be true or false")
    values["is_general"] = general
    return values


def _study(entry: Any, where: str) -> tuple[dict[str, Any], str | None]:
    values = _common(entry, where, _STUDY_KEYS)
    for key in _STUDY_TEXT_REQUIRED:
        values[key] = _text(entry, key, where, required=True)
    for key in _STUDY_TEXT_OPTIONAL:
        values[key] = _text(entry, key, where, required=False)
    values["aliases"] = _words(entry, "aliases", where)
    status = entry.get("status") or "unknown"
    if status not in STUDY_STATUSES:
        raise CatalogError(f"{where}: 'status' must be one of {STUDY_STATUSES}")
    values["status"] = status
    contact = entry.get("contact") or {}
    if not isinstance(contact, Mapping):
        raise CatalogError(f"{where}: 'contact' needs 'organisation' and 'person'")
    organisation = _text(contact, "organisation", f"{where}.contact", required=False)
    values["contact_person"] = _text(
        contact, "person", f"{where}.contact", required=False
    )
    return values, organisation


def _check_slugs(rows: list[dict[str, Any]], kind: str) -> None:
    seen: set[str] = set()
    for row in rows:
        slug = row["slug"]
        if not _SLUG.match(slug):
            raise CatalogError(f"{kind} '{slug}': slug must be lowercase a-z, 0-9, -")
        if slug in seen:
            raise CatalogError(f"{kind} '{slug}' appears twice")
        seen.add(slug)


def load_catalog(path: Path = DEFAULT_CATALOG) -> Catalog:
    """Read and validate the seed file.

    Args:
        path: The YAML seed file.

    Returns:
        The validated catalog.

    Raises:
        CatalogError: When the file is missing a field, has an unknown field,
            a duplicate slug or a study contact that is not in ``contacts``.
        OSError: When the file cannot be read.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CatalogError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, Mapping):
        raise CatalogError(f"{path}: expected 'contacts' and 'studies'")
    raw_contacts = data.get("contacts") or []
    raw_studies = data.get("studies") or []
    if not isinstance(raw_contacts, list) or not isinstance(raw_studies, list):
        raise CatalogError(f"{path}: 'contacts' and 'studies' must be lists")
    contacts = [
        _contact(entry, f"contacts[{index}]")
        for index, entry in enumerate(raw_contacts)
    ]
    _check_slugs(contacts, "contact")
    studies: list[dict[str, Any]] = []
    study_contacts: dict[str, str | None] = {}
    contact_slugs = {row["slug"] for row in contacts}
    for index, entry in enumerate(raw_studies):
        values, organisation = _study(entry, f"studies[{index}]")
        if organisation is not None and organisation not in contact_slugs:
            raise CatalogError(
                f"study '{values['slug']}': contact '{organisation}' is not a contact"
            )
        studies.append(values)
        study_contacts[values["slug"]] = organisation
    _check_slugs(studies, "study")
    return Catalog(contacts=contacts, studies=studies, study_contacts=study_contacts)


def _apply(row: Any, values: Mapping[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


def seed(session: Session, catalog: Catalog) -> SeedReport:
    """Make the database hold exactly the catalog's studies and contacts.

    Rows are matched by slug. Only fields that differ are written, so a second
    run finds nothing to do. The caller commits (``session_scope`` does).

    Args:
        session: An open session.
        catalog: The validated seed file.

    Returns:
        What was created, updated and deleted.
    """
    report = SeedReport()
    contacts = {row.slug: row for row in session.execute(select(Contact)).scalars()}
    for position, values in enumerate(catalog.contacts):
        wanted = {**values, "position": position}
        row = contacts.get(values["slug"])
        if row is None:
            row = Contact(**wanted)
            session.add(row)
            contacts[row.slug] = row
            report.created.append(f"contact:{row.slug}")
        elif _apply(row, wanted):
            report.updated.append(f"contact:{row.slug}")
    session.flush()

    studies = {row.slug: row for row in session.execute(select(Study)).scalars()}
    for position, values in enumerate(catalog.studies):
        organisation = catalog.study_contacts.get(values["slug"])
        contact_id = contacts[organisation].id if organisation else None
        wanted = {**values, "position": position, "contact_id": contact_id}
        row = studies.get(values["slug"])
        if row is None:
            session.add(Study(**wanted))
            report.created.append(f"study:{values['slug']}")
        elif _apply(row, wanted):
            report.updated.append(f"study:{row.slug}")

    wanted_studies = {values["slug"] for values in catalog.studies}
    for slug, row in studies.items():
        if slug not in wanted_studies:
            session.delete(row)
            report.deleted.append(f"study:{slug}")
    session.flush()
    wanted_contacts = {values["slug"] for values in catalog.contacts}
    for slug, row in contacts.items():
        if slug not in wanted_contacts:
            session.delete(row)
            report.deleted.append(f"contact:{slug}")
    session.flush()
    return report
