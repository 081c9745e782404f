"""The seed file is the single source of truth, and seeding is idempotent."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.constants import INTENT_TO_STUDY
from bot.db.models import Contact, Study
from bot.db.repositories import ContactRepository, StudyRepository
from bot.db.seed import DEFAULT_CATALOG, CatalogError, SeedReport, load_catalog
from bot.db.session import make_engine, make_session_factory, session_scope

Reseed = Callable[..., SeedReport]

STUDY_SLUGS = {
    "mri",
    "tudca-als",
    "biobank",
    "hersendonatie",
    "project-mine",
    "tricals",
    "pan",
}
CONTACT_SLUGS = {
    "eigen-arts",
    "als-centrum",
    "nmrc",
    "stichting-als-nederland",
    "spierziekten-nederland",
    "113-zelfmoordpreventie",
}
SOURCE_FILES = {
    "000_4086668c046af4da.txt",
    "001_e8757f3ad385b272.txt",
    "002_2eb32f77b748df56.txt",
    "003_e35385fb96bc56a9.txt",
    "004_9378580a4c29d837.txt",
    "extra-public-facts.md",
}
ALLOWED_WEB = {"www.als-centrum.nl", "www.als.nl", "www.spierziekten.nl", "www.113.nl"}
ALLOWED_PHONES = {"112", "113", "0800-0113"}


def _rows(url: str) -> dict[str, dict[str, Any]]:
    """Every column of every row, keyed by ``kind:slug``."""
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            rows = {}
            for model in (Study, Contact):
                for row in session.execute(select(model)).scalars():
                    columns = {
                        column.key: getattr(row, column.key)
                        for column in model.__table__.columns
                    }
                    rows[f"{model.__tablename__}:{row.slug}"] = columns
            return rows
    finally:
        engine.dispose()


def _edited_catalog(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    data = yaml.safe_load(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "catalog.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _study(data: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(entry for entry in data["studies"] if entry["slug"] == slug)


def test_seed_loads_every_study_and_contact(session_factory: sessionmaker) -> None:
    with session_scope(session_factory) as session:
        studies = {study.slug: study for study in StudyRepository(session).list_all()}
        contacts = {c.slug for c in ContactRepository(session).list_all()}

    assert set(studies) == STUDY_SLUGS
    assert contacts == CONTACT_SLUGS
    assert studies["mri"].contact.slug == "als-centrum"
    assert studies["hersendonatie"].contact.slug == "nmrc"
    assert studies["hersendonatie"].contact_person == "Nikita Lamaire"


def test_seed_twice_changes_nothing(seeded_url: str, reseed: Reseed) -> None:
    before = _rows(seeded_url)

    report = reseed(seeded_url)

    assert not report.changed, report.summary()
    assert _rows(seeded_url) == before


def test_changed_field_in_seed_file_updates_the_row(
    seeded_url: str, reseed: Reseed, tmp_path: Path
) -> None:
    before = _rows(seeded_url)
    path = _edited_catalog(
        tmp_path, lambda data: _study(data, "mri").update(location="Elders")
    )

    report = reseed(seeded_url, path)

    assert report.updated == ["study:mri"]
    assert not report.created and not report.deleted
    after = _rows(seeded_url)
    assert after["studies:mri"]["location"] == "Elders"
    assert after["studies:mri"]["id"] == before["studies:mri"]["id"]
    assert after["studies:tudca-als"] == before["studies:tudca-als"]


def test_study_removed_from_seed_file_is_removed(
    seeded_url: str, reseed: Reseed, tmp_path: Path
) -> None:
    def drop_pan(data: dict[str, Any]) -> None:
        data["studies"] = [s for s in data["studies"] if s["slug"] != "pan"]

    report = reseed(seeded_url, _edited_catalog(tmp_path, drop_pan))

    assert report.deleted == ["study:pan"]
    assert "studies:pan" not in _rows(seeded_url)


def test_contact_can_be_moved_and_removed(
    seeded_url: str, reseed: Reseed, tmp_path: Path
) -> None:
    def drop_nmrc(data: dict[str, Any]) -> None:
        data["contacts"] = [c for c in data["contacts"] if c["slug"] != "nmrc"]
        for entry in data["studies"]:
            if entry["contact"]["organisation"] == "nmrc":
                entry["contact"] = {"organisation": "eigen-arts", "person": None}

    report = reseed(seeded_url, _edited_catalog(tmp_path, drop_nmrc))

    assert "contact:nmrc" in report.deleted
    rows = _rows(seeded_url)
    assert "contacts:nmrc" not in rows
    own_doctor = rows["contacts:eigen-arts"]["id"]
    assert rows["studies:tudca-als"]["contact_id"] == own_doctor


def test_every_intent_mapping_names_a_study_in_the_seed_file() -> None:
    slugs = {row["slug"] for row in load_catalog().studies}

    assert set(INTENT_TO_STUDY.values()) <= slugs


def test_mri_study_carries_the_facts_from_the_source() -> None:
    mri = next(row for row in load_catalog().studies if row["slug"] == "mri")
    text = " ".join(str(value) for value in mri.values())

    for fact in (
        "UMC Utrecht",
        "2009",
        "1.700",
        "3.600",
        "3 tot 6 maanden",
        "vijf keer",
        "controlepersonen",
        "familieleden",
        "www.als-centrum.nl",
    ):
        assert fact in text


def test_donation_study_carries_the_facts_from_the_source() -> None:
    study = next(r for r in load_catalog().studies if r["slug"] == "hersendonatie")
    text = " ".join(str(value) for value in study.values())

    for fact in ("autopsie", "24 uur", "gratis", "opgebaard", "vervoer"):
        assert fact in text


def test_seed_file_uses_only_allowed_contact_details_and_sources() -> None:
    catalog = load_catalog()
    for row in [*catalog.contacts, *catalog.studies]:
        assert row["source_file"], row["slug"]
        files = {name.strip() for name in row["source_file"].split(",")}
        assert files <= SOURCE_FILES, row["slug"]
        assert row["last_reviewed"] == date(2026, 12, 3)
        for value in row.values():
            if not isinstance(value, str):
                continue
            assert not re.search(r"https?://|@", value), row["slug"]
            assert set(re.findall(r"www\.[a-z0-9.-]+[a-z]", value)) <= ALLOWED_WEB
            for number in re.findall(r"\b\d[\d -]{2,}\d\b", value):
                assert number in ALLOWED_PHONES or number.isdigit(), number
    for contact in catalog.contacts:
        assert contact["email"] is None
        assert contact["address"] is None
        assert contact["web"] in ALLOWED_WEB | {None}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: _study(d, "mri").update(status="open"), "status"),
        (lambda d: _study(d, "mri").update(adress="x"), "unknown field"),
        (lambda d: _study(d, "mri").update(name=""), "'name' is required"),
        (lambda d: _study(d, "mri").update(slug="pan"), "appears twice"),
        (lambda d: _study(d, "mri").update(slug="MRI study"), "slug"),
        (
            lambda d: _study(d, "mri").update(contact={"organisation": "nobody"}),
            "not a contact",
        ),
        (lambda d: _study(d, "mri").update(last_reviewed="gisteren"), "YYYY"),
    ],
)
def test_invalid_seed_file_is_rejected_with_a_clear_message(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    with pytest.raises(CatalogError, match=message):
        load_catalog(_edited_catalog(tmp_path, edit))


def test_invalid_seed_file_leaves_the_database_alone(
    seeded_url: str, reseed: Reseed, tmp_path: Path
) -> None:
    before = _rows(seeded_url)
    path = _edited_catalog(tmp_path, lambda d: _study(d, "pan").update(status="?"))

    with pytest.raises(CatalogError):
        reseed(seeded_url, path)

    assert _rows(seeded_url) == before
