"""SQLAlchemy models for the studies a patient can join and whom to contact."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeMeta, registry, relationship

STUDY_STATUSES = ("recruiting", "closed", "unknown")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

mapper_registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class Base(metaclass=DeclarativeMeta):
    """Declarative base of all models (the SQLAlchemy 1.4 form mypy understands)."""

    __abstract__ = True
    registry = mapper_registry
    metadata = mapper_registry.metadata
    __init__ = mapper_registry.constructor


class Contact(Base):
    """An organisation or route a patient can contact.

    Empty contact fields mean the sources do not give them; they are never
    filled in from elsewhere.

    Attributes:
        slug: Stable key used in the seed file, e.g. ``als-centrum``.
        role: Who they are, in one or two sentences.
        contact_for: What a patient can contact them for.
        needs: Lower-case keywords matched against what a user asks for.
        is_general: Part of the short list shown when no need is recognised.
        source_name: Human-readable name of the source document(s).
        source_file: File name(s) of the source document(s).
        position: Order in the seed file.
    """

    __tablename__ = "contacts"

    id = Column(Integer, primary_key=True)
    slug = Column(String(64), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    role = Column(Text, nullable=True)
    contact_for = Column(Text, nullable=False)
    needs = Column(JSON, nullable=False, default=list)
    phone = Column(String(100), nullable=True)
    email = Column(String(200), nullable=True)
    web = Column(String(300), nullable=True)
    address = Column(Text, nullable=True)
    is_general = Column(Boolean, nullable=False, default=False)
    source_name = Column(String(300), nullable=False)
    source_file = Column(String(300), nullable=False)
    last_reviewed = Column(Date, nullable=False)
    position = Column(Integer, nullable=False, default=0)

    studies = relationship("Study", back_populates="contact")

    def __repr__(self) -> str:
        """Return a short debugging representation."""
        return f"<Contact {self.slug}>"


class Study(Base):
    """A study or research programme a patient can ask about or join.

    Attributes:
        slug: Stable key used in the seed file and button payloads, e.g. ``mri``.
        aliases: Other names, misspellings and Flemish or English forms.
        description: Short explanation in plain Dutch (B1).
        eligibility: Who can take part.
        participation: What taking part involves.
        location: Where the study takes place.
        status: ``recruiting``, ``closed`` or ``unknown``.
        signup: How to sign up.
        contact_id: The organisation to contact about this study.
        contact_person: A person named by the source, if any.
        position: Order in the seed file.
    """

    __tablename__ = "studies"
    __table_args__ = (
        CheckConstraint("status IN ('recruiting', 'closed', 'unknown')", name="status"),
    )

    id = Column(Integer, primary_key=True)
    slug = Column(String(64), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    aliases = Column(JSON, nullable=False, default=list)
    description = Column(Text, nullable=False)
    eligibility = Column(Text, nullable=True)
    participation = Column(Text, nullable=True)
    location = Column(String(300), nullable=True)
    status = Column(String(20), nullable=False, default="unknown")
    signup = Column(Text, nullable=True)
    contact_id = Column(
        Integer,
        ForeignKey("contacts.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    )
    contact_person = Column(String(200), nullable=True)
    source_name = Column(String(300), nullable=False)
    source_file = Column(String(300), nullable=False)
    last_reviewed = Column(Date, nullable=False)
    position = Column(Integer, nullable=False, default=0)

    contact = relationship("Contact", back_populates="studies")

    def __repr__(self) -> str:
        """Return a short debugging representation."""
        return f"<Study {self.slug}>"
