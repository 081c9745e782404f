"""Command line for maintainers: ``python -m bot db upgrade|seed|list``.

Each top-level command lives in a function (or module) that adds its own
subparser; add new ones, such as ``ask`` or ``review``, to ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.db import migrations
from bot.db.repositories import ContactRepository, StudyRepository
from bot.db.seed import DEFAULT_CATALOG, CatalogError, load_catalog, seed
from bot.db.session import make_engine, make_session_factory, session_scope
from bot.lookup import LOOKUP_FILE, write_lookup
from bot.settings import get_settings

Handler = Callable[[argparse.Namespace], int]

MAX_CELL = 42


def _database_url(args: argparse.Namespace) -> str:
    return str(args.database_url or get_settings().database_url)


@contextlib.contextmanager
def _session(url: str) -> Iterator[Session]:
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Lay out rows as a plain-text table with padded columns.

    Args:
        headers: Column titles.
        rows: One sequence of cell values per row; ``None`` shows as empty.

    Returns:
        The table, one line per row, without a trailing newline.
    """
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [
        max([len(header), *(len(row[index]) for row in cells)])
        for index, header in enumerate(headers)
    ]
    lines = [list(headers), ["-" * width for width in widths], *cells]
    return "\n".join(
        "  ".join(
            cell.ljust(width) for cell, width in zip(line, widths, strict=True)
        ).rstrip()
        for line in lines
    )


def _db_upgrade(args: argparse.Namespace) -> int:
    url = _database_url(args)
    migrations.upgrade(url, args.revision)
    revision = migrations.current_revision(url)
    sys.stdout.write(f"Database is at revision {revision}.\n")
    return 0


def _db_seed(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.file)
    with _session(_database_url(args)) as session:
        report = seed(session, catalog)
    sys.stdout.write(f"Seeded from {args.file}: {report.summary()}.\n")
    for label in (*report.created, *report.updated, *report.deleted):
        sys.stdout.write(f"  {label}\n")
    return 0


def _db_list(args: argparse.Namespace) -> int:
    with _session(_database_url(args)) as session:
        studies = StudyRepository(session).list_all()
        contacts = ContactRepository(session).list_all()
        study_rows = [
            (
                study.slug,
                study.name,
                study.status,
                study.contact.slug if study.contact else None,
                study.last_reviewed,
            )
            for study in studies
        ]
        contact_rows = [
            (
                contact.slug,
                contact.name,
                contact.phone,
                contact.email,
                contact.web,
                "yes" if contact.is_general else "",
            )
            for contact in contacts
        ]
    sys.stdout.write(f"Studies ({len(study_rows)})\n")
    study_headers = ("slug", "name", "status", "contact", "last reviewed")
    sys.stdout.write(format_table(study_headers, study_rows) + "\n\n")
    sys.stdout.write(f"Contacts ({len(contact_rows)})\n")
    contact_headers = ("slug", "name", "phone", "email", "web", "general")
    sys.stdout.write(format_table(contact_headers, contact_rows) + "\n")
    return 0


def register_db(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``db`` command: ``upgrade``, ``seed`` and ``list``."""
    db = subparsers.add_parser(
        "db",
        help="manage the studies and contacts database",
        description="Manage the studies and contacts database.",
    )
    db.add_argument(
        "--database-url",
        help="SQLAlchemy URL to use instead of DATABASE_URL",
    )
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    upgrade = actions.add_parser(
        "upgrade", help="apply the Alembic migrations (creates the tables)"
    )
    upgrade.add_argument(
        "--revision", default="head", help="target revision (default: head)"
    )
    upgrade.set_defaults(handler=_db_upgrade)

    seed_parser = actions.add_parser(
        "seed", help="load the seed file into the database (idempotent)"
    )
    seed_parser.add_argument(
        "--file",
        type=Path,
        default=DEFAULT_CATALOG,
        help="seed file (default: %(default)s)",
    )
    seed_parser.set_defaults(handler=_db_seed)

    list_parser = actions.add_parser("list", help="print the studies and contacts")
    list_parser.set_defaults(handler=_db_list)


def _lookup(args: argparse.Namespace) -> int:
    changed = write_lookup(args.output, args.file)
    state = "written" if changed else "already up to date"
    sys.stdout.write(f"Study lookup table {state}: {args.output}\n")
    return 0


def register_lookup(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``lookup`` command: the study lookup table from the catalog."""
    lookup = subparsers.add_parser(
        "lookup",
        help="write the study lookup table for training from the catalog",
        description="Write data/nlu/lookups/study.yml from content/catalog.yml.",
    )
    lookup.add_argument("--file", type=Path, default=DEFAULT_CATALOG)
    lookup.add_argument("--output", type=Path, default=LOOKUP_FILE)
    lookup.set_defaults(handler=_lookup)


COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    register_db,
    register_lookup,
)
"""Functions that each add one top-level command."""


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered command."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Maintenance tools for the ALS assistant.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name; defaults to ``sys.argv``.

    Returns:
        The exit code: 0 on success, 1 when the command failed.
    """
    args = build_parser().parse_args(argv)
    try:
        logging.basicConfig(
            level=get_settings().log_level,
            format="%(levelname)s %(name)s: %(message)s",
        )
        handler: Handler = args.handler
        return handler(args)
    except CatalogError as error:
        sys.stderr.write(f"Seed file error: {error}\n")
    except (SQLAlchemyError, OSError, ValueError) as error:
        sys.stderr.write(f"Error: {type(error).__name__}: {error}\n")
    return 1
