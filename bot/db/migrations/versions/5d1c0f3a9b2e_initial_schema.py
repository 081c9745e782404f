"""Initial schema: contacts and studies.

Revision ID: 5d1c0f3a9b2e
Revises:
Create Date: 2026-11-25 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5d1c0f3a9b2e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the contacts and studies tables."""
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("contact_for", sa.Text(), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("phone", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("web", sa.String(length=300), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("is_general", sa.Boolean(), nullable=False),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("source_file", sa.String(length=300), nullable=False),
        sa.Column("last_reviewed", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("slug", name=op.f("uq_contacts_slug")),
    )
    op.create_table(
        "studies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("eligibility", sa.Text(), nullable=True),
        sa.Column("participation", sa.Text(), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("signup", sa.Text(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("contact_person", sa.String(length=200), nullable=True),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("source_file", sa.String(length=300), nullable=False),
        sa.Column("last_reviewed", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('recruiting', 'closed', 'unknown')",
            name=op.f("ck_studies_status"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_studies_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studies")),
        sa.UniqueConstraint("slug", name=op.f("uq_studies_slug")),
    )
    with op.batch_alter_table("studies") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_studies_contact_id"), ["contact_id"], unique=False
        )


def downgrade() -> None:
    """Drop the studies and contacts tables."""
    with op.batch_alter_table("studies") as batch_op:
        batch_op.drop_index(batch_op.f("ix_studies_contact_id"))
    op.drop_table("studies")
    op.drop_table("contacts")
