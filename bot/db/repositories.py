"""Queries on studies and contacts; the caller owns the session."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.db.models import Contact, Study


class StudyRepository:
    """Read access to studies."""

    def __init__(self, session: Session) -> None:
        """Use ``session`` for every query.

        Args:
            session: An open session; the repository never commits or closes it.
        """
        self._session = session

    def list_all(self) -> list[Study]:
        """Return every study in seed-file order, with its contact loaded."""
        statement = (
            select(Study)
            .options(selectinload(Study.contact))
            .order_by(Study.position, Study.name)
        )
        return list(self._session.execute(statement).scalars().all())

    def get_by_slug(self, slug: str) -> Study | None:
        """Return the study with this slug, or ``None``."""
        statement = (
            select(Study).options(selectinload(Study.contact)).where(Study.slug == slug)
        )
        return self._session.execute(statement).scalar_one_or_none()

    def count(self) -> int:
        """Return the number of studies."""
        return int(self._session.execute(select(func.count(Study.id))).scalar_one())


class ContactRepository:
    """Read access to contacts."""

    def __init__(self, session: Session) -> None:
        """Use ``session`` for every query.

        Args:
            session: An open session; the repository never commits or closes it.
        """
        self._session = session

    def list_all(self) -> list[Contact]:
        """Return every contact in seed-file order."""
        statement = select(Contact).order_by(Contact.position, Contact.name)
        return list(self._session.execute(statement).scalars().all())

    def list_general(self) -> list[Contact]:
        """Return the contacts for the general route, in seed-file order."""
        statement = (
            select(Contact)
            .where(Contact.is_general.is_(True))
            .order_by(Contact.position, Contact.name)
        )
        return list(self._session.execute(statement).scalars().all())

    def get_by_slug(self, slug: str) -> Contact | None:
        """Return the contact with this slug, or ``None``."""
        statement = select(Contact).where(Contact.slug == slug)
        return self._session.execute(statement).scalar_one_or_none()

    def count(self) -> int:
        """Return the number of contacts."""
        return int(self._session.execute(select(func.count(Contact.id))).scalar_one())
