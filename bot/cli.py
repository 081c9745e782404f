"""Command line: ``python -m bot db|lookup|lint|inbox|privacy|ask|review``.

Each top-level command lives in a function (or module) that adds its own
subparser; add new ones to ``COMMANDS``. ``ask`` loads the trained Rasa model,
so its Rasa code lives in ``components.nurse_ask`` and is imported only when
``ask`` runs: importing ``bot`` never imports rasa.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.content_lint import format_report, lint
from bot.db import migrations
from bot.db.repositories import ContactRepository, StudyRepository
from bot.db.seed import DEFAULT_CATALOG, CatalogError, load_catalog, seed
from bot.db.session import make_engine, make_session_factory, session_scope
from bot.inbox import LOW_CONFIDENCE, collect, export_candidates, format_inbox
from bot.lookup import LOOKUP_FILE, write_lookup
from bot.retention import cutoff, forget, purge
from bot.review import FORMATS, build_review, default_output, write_review
from bot.settings import PROJECT_ROOT, get_settings

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


QUIET_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "RASA_TELEMETRY_ENABLED": "false",
}
"""Set before rasa is imported; TensorFlow reads its log level on import.

SQLAlchemy is already imported by then, so its 2.0 warning is also filtered.
"""

DEFAULT_MODEL = PROJECT_ROOT / "models" / "als-assistent.tar.gz"
DEFAULT_ENDPOINTS = PROJECT_ROOT / "endpoints.yml"


def _drop_warning(*_args: object, **_kwargs: object) -> None:
    """Show no warning: libraries imported by rasa re-enable their own filters."""


@contextlib.contextmanager
def _quiet_import(verbose: bool) -> Iterator[None]:
    """Keep the warnings and logs of importing rasa and TensorFlow off the screen.

    Args:
        verbose: Only set the environment; show whatever the libraries say.

    Yields:
        Nothing; the warning filters and the root log level are restored after.
    """
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    if verbose:
        yield
        return
    root = logging.getLogger()
    level = root.level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.showwarning = _drop_warning
        root.setLevel(logging.CRITICAL)
        try:
            yield
        finally:
            root.setLevel(level)


def _ask(args: argparse.Namespace) -> int:
    with _quiet_import(args.verbose):
        from components import nurse_ask

    return nurse_ask.run(
        args.questions,
        model=args.model,
        endpoints=args.endpoints,
        as_json=args.json,
        verbose=args.verbose,
    )


def register_ask(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``ask`` command: answer questions with the trained model."""
    ask = subparsers.add_parser(
        "ask",
        help="ask the trained assistant; show topic, confidence, answer and source",
        description=(
            "Ask the trained assistant one or more questions and show the "
            "recognised topic, its confidence, the next two candidates, the "
            "answer with its buttons and its source. Custom actions need the "
            "action server (`make actions`)."
        ),
    )
    ask.add_argument("questions", nargs="+", metavar="QUESTION")
    ask.add_argument(
        "--model",
        type=Path,
        default=DEFAULT_MODEL,
        help="trained model (default: models/als-assistent.tar.gz)",
    )
    ask.add_argument(
        "--endpoints",
        type=Path,
        default=DEFAULT_ENDPOINTS,
        help="endpoints file with the action server (default: endpoints.yml)",
    )
    ask.add_argument("--json", action="store_true", help="print JSON")
    ask.add_argument(
        "--verbose", action="store_true", help="show Rasa's log messages on stderr"
    )
    ask.set_defaults(handler=_ask)


def _review(args: argparse.Namespace) -> int:
    output: Path = args.output or default_output(args.format)
    engine = make_engine(_database_url(args))
    try:
        review = build_review(make_session_factory(engine))
    finally:
        engine.dispose()
    write_review(review, output, args.format, args.delimiter)
    sys.stdout.write(
        f"Review of {len(review.rows)} topics written to {output} "
        f"({review.warning_count} warnings).\n"
    )
    return 0


def register_review(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``review`` command: every topic with examples, answer and source."""
    review = subparsers.add_parser(
        "review",
        help="write a table (HTML or CSV) of every topic, its answer and source",
        description=(
            "Write one table of every topic the assistant answers: example "
            "questions, the answer as the user sees it, buttons, source and "
            "warnings. Reads domain.yml, data/ and the database; no model needed."
        ),
    )
    review.add_argument("--format", choices=FORMATS, default="html")
    review.add_argument(
        "--output",
        type=Path,
        help="output file (default: var/review/review.html or .csv)",
    )
    review.add_argument(
        "--delimiter",
        choices=(",", ";"),
        default=",",
        metavar="CHAR",
        help="CSV field separator (default ','; ';' for Excel with Dutch settings)",
    )
    review.add_argument(
        "--database-url",
        help="SQLAlchemy URL to use instead of DATABASE_URL",
    )
    review.set_defaults(handler=_review)


def _lint(args: argparse.Namespace) -> int:
    report = lint()
    sys.stdout.write(format_report(report) + "\n")
    return 0 if report.ok else 1


def register_lint(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``lint`` command: the content linter."""
    parser = subparsers.add_parser(
        "lint",
        help="check answers and training data (sources, length, readability)",
        description="Check every answer and the training data; exit 1 on errors.",
    )
    parser.set_defaults(handler=_lint)


def _inbox(args: argparse.Namespace) -> int:
    url = args.tracker_db_url or get_settings().tracker_db_url
    engine = create_engine(url, future=True)
    try:
        items = collect(engine, low_confidence=args.low_confidence)
    finally:
        engine.dispose()
    if args.export:
        numbers = [int(part) for part in args.export.split(",") if part.strip()]
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(export_candidates(items, numbers), encoding="utf-8")
        sys.stdout.write(f"{len(numbers)} candidates written to {args.output}\n")
        return 0
    sys.stdout.write(format_inbox(items))
    return 0


def register_inbox(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``inbox`` command: the maintainers' review queue."""
    parser = subparsers.add_parser(
        "inbox",
        help="list messages that fell to the fallback, were unsure or got thumbs down",
        description=(
            "List user messages to review, grouped by likely topic; "
            "--export 1,4,7 writes chosen ones as candidate training examples."
        ),
    )
    parser.add_argument("--tracker-db-url", help="instead of TRACKER_DB_URL")
    parser.add_argument("--low-confidence", type=float, default=LOW_CONFIDENCE)
    parser.add_argument("--export", help="numbers to export, e.g. 1,4,7")
    parser.add_argument(
        "--output", type=Path, default=PROJECT_ROOT / "var" / "inbox" / "candidates.yml"
    )
    parser.set_defaults(handler=_inbox)


def _tracker_engine(args: argparse.Namespace) -> Engine:
    return create_engine(
        args.tracker_db_url or get_settings().tracker_db_url, future=True
    )


def _privacy_purge(args: argparse.Namespace) -> int:
    days: int = args.days if args.days is not None else get_settings().retention_days
    now = time.time()
    before = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(cutoff(days, now)))
    engine = _tracker_engine(args)
    try:
        deleted = purge(engine, days, now=now, dry_run=args.dry_run)
    finally:
        engine.dispose()
    verb = "Would delete" if args.dry_run else "Deleted"
    sys.stdout.write(
        f"{verb} {deleted.conversations} conversations ({deleted.events} events) "
        f"whose latest event is older than {days} days (before {before}).\n"
    )
    if args.dry_run:
        sys.stdout.write("Dry run: nothing was deleted.\n")
    return 0


def _privacy_forget(args: argparse.Namespace) -> int:
    engine = _tracker_engine(args)
    try:
        events = forget(engine, args.sender_id)
    finally:
        engine.dispose()
    if not events:
        sys.stderr.write(
            f"No conversation with sender id {args.sender_id!r}: nothing deleted.\n"
        )
        return 1
    sys.stdout.write(f"Deleted conversation {args.sender_id!r} ({events} events).\n")
    return 0


def register_privacy(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``privacy`` command: ``purge`` old and ``forget`` one conversation."""
    privacy = subparsers.add_parser(
        "privacy",
        help="delete conversations from the tracker store (retention, requests)",
        description=(
            "Delete conversations from the tracker store (TRACKER_DB_URL): "
            "`purge` those whose latest event is older than the retention "
            "period, `forget` one on request."
        ),
    )
    actions = privacy.add_subparsers(
        dest="privacy_command", metavar="ACTION", required=True
    )
    purge_parser = actions.add_parser(
        "purge",
        help="delete conversations older than the retention period",
        description=(
            "Delete every conversation whose latest event is older than --days "
            "(default: RETENTION_DAYS from .env), with all its events."
        ),
    )
    purge_parser.add_argument(
        "--days",
        type=int,
        help="retention period in days (default: RETENTION_DAYS in .env, 30)",
    )
    purge_parser.add_argument(
        "--dry-run", action="store_true", help="only count, delete nothing"
    )
    purge_parser.set_defaults(handler=_privacy_purge)
    forget_parser = actions.add_parser(
        "forget",
        help="delete one conversation (a request by e-mail)",
        description="Delete every event of one conversation; exit 1 if none.",
    )
    forget_parser.add_argument("sender_id", metavar="SENDER_ID")
    forget_parser.set_defaults(handler=_privacy_forget)
    for parser in (purge_parser, forget_parser):
        parser.add_argument("--tracker-db-url", help="instead of TRACKER_DB_URL")


COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    register_db,
    register_lookup,
    register_lint,
    register_inbox,
    register_privacy,
    register_ask,
    register_review,
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
