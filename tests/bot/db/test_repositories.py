"""Repositories read studies and contacts with bound parameters only."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker

from bot.db.repositories import ContactRepository, StudyRepository
from bot.db.session import session_scope

HOSTILE = [
    "'; DROP TABLE studies; --",
    "mri' OR '1'='1",
    "x" * 10_000,
    "🧠🙂",
]


def test_studies_come_in_seed_file_order_with_their_contact(
    session_factory: sessionmaker,
) -> None:
    with session_scope(session_factory) as session:
        studies = StudyRepository(session).list_all()
        slugs = [study.slug for study in studies]
        contacts = {study.slug: study.contact.name for study in studies}

    assert slugs[:4] == ["mri", "tudca-als", "biobank", "hersendonatie"]
    assert contacts["mri"] == "ALS Centrum Nederland"


def test_get_study_by_slug(session_factory: sessionmaker) -> None:
    with session_scope(session_factory) as session:
        study = StudyRepository(session).get_by_slug("tudca-als")
        missing = StudyRepository(session).get_by_slug("nope")

        assert study is not None
        assert study.name == "TUDCA-ALS studie"
        assert missing is None


def test_general_contacts_are_own_doctor_and_als_centrum(
    session_factory: sessionmaker,
) -> None:
    with session_scope(session_factory) as session:
        slugs = [c.slug for c in ContactRepository(session).list_general()]

    assert slugs == ["eigen-arts", "als-centrum"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_slug_finds_nothing_and_leaves_tables_intact(
    session_factory: sessionmaker, value: str
) -> None:
    with session_scope(session_factory) as session:
        assert StudyRepository(session).get_by_slug(value) is None
        assert ContactRepository(session).get_by_slug(value) is None

    with session_scope(session_factory) as session:
        assert StudyRepository(session).count() == 7
        assert ContactRepository(session).count() == 6
