"""Retention purge: delete what the assistant stored about people once it is older than the
clinic's retention period (privacy.retention_days in config/clinic.yml), from the app database
and from Rasa's tracker store. Run it daily (cron, a systemd timer or a Kubernetes CronJob).

    python -m intake.privacy.purge                      # the configured period, endpoints.yml
    python -m intake.privacy.purge --dry-run            # counts only, deletes nothing
    python -m intake.privacy.purge --older-than-days 400 --endpoints config/endpoints.production.yml

What is kept however old (open handoffs, unresolved alerts, upcoming bookings, the conversations
they belong to, SMS opt-outs) is explained in intake/privacy/retention.py. The output is counts
per table, never anything about a person. Each database is purged in one transaction: a failure
leaves it as it was, and the next run finishes the work.

Exit status: 0 done; 2 a bad argument or configuration (nothing deleted); 3 a database could
not be reached or the purge failed in it (its transaction rolled back).
"""
from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Collection, Iterator, List, Optional, Sequence, Set, Union

import yaml
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from intake.privacy.retention import (AppPurge, RetentionConfigError, configured_retention_days, cutoff_for,
                                      held_conversations, purge_app_database, retention_days)
from intake.privacy.tracker_db import (DEFAULT_ENDPOINTS, TrackerDatabase, TrackerStoreConfigError,
                                       describe_database, find_tracker_database)
from intake.privacy.tracker_events import (TrackerPurge, active_conversations, purge_old_conversations,
                                           tracker_connection)
from intake.settings import settings

EXIT_OK = 0
EXIT_BAD_CONFIGURATION = 2  # also argparse's status for a bad argument
EXIT_DATABASE_FAILED = 3


class PurgeFailed(RuntimeError):
    """A database could not be reached or refused a statement; says which, without any data."""


@dataclass
class PurgeOutcome:
    """One run: the period, the cutoff, and the counts for each database."""

    retention_days: int
    cutoff: datetime
    dry_run: bool
    app_database: str
    app: AppPurge
    tracker_database: Optional[str] = None  # None: no tracker store is configured
    tracker: TrackerPurge = field(default_factory=TrackerPurge)


@contextmanager
def _failures_named(which: str) -> Iterator[None]:
    """Turn a database error into PurgeFailed naming the database; the message of a driver error
    is about the connection or the schema, never a row's content."""
    try:
        yield
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise PurgeFailed(f"{which}: {type(error).__name__}: {reason}") from error


@contextmanager
def _transaction(connection: Connection, dry_run: bool) -> Iterator[Connection]:
    """Commit at the end of the block, roll back on an error, and always roll back a dry run."""
    transaction = connection.begin()
    try:
        yield connection
    except BaseException:
        transaction.rollback()
        raise
    if dry_run:
        transaction.rollback()
    else:
        transaction.commit()


@contextmanager
def _tracker_transaction(database: Optional[TrackerDatabase], dry_run: bool) -> Iterator[Optional[Connection]]:
    """A transaction on the tracker store's database, or None when no tracker store is configured."""
    if database is None:
        yield None
        return
    with tracker_connection(database) as connection, _transaction(connection, dry_run):
        yield connection


def _app_engine(url: str) -> Engine:
    """The app database's engine, migrated to the current schema like in every other process.

    A SQLite file that does not exist is an error, not an empty database to create: with a
    mistyped path the purge would find no open handoffs or bookings, and would then delete their
    conversations from the tracker store."""
    from intake.storage.db import database

    parts = make_url(url)
    if parts.get_backend_name() == "sqlite" and parts.database not in (None, "", ":memory:") \
            and not Path(parts.database).exists():
        raise PurgeFailed(f"the app database ({describe_database(url)}) does not exist; check "
                          f"INTAKE_DATABASE_URL or storage.database_url")
    return database(url).engine


def run_purge(app_database_url: str, tracker_database: Optional[TrackerDatabase], days: int,
              dry_run: bool = False, now: Optional[datetime] = None) -> PurgeOutcome:
    """Purge both databases of what is older than `days` (before `now`, by default the present).

    The tracker store's transaction sits inside the app database's, so an error in either rolls
    both back. Which conversations are held is read once, from the app database, before anything
    is deleted; the tracker store tells which SMS contacts are still texting."""
    cutoff = cutoff_for(days, now)
    app_name = f"the app database ({describe_database(app_database_url)})"
    tracker_name = f"the tracker store ({tracker_database.describe()})" if tracker_database else "the tracker store"

    with _failures_named(app_name):
        engine = _app_engine(app_database_url)
        with engine.connect() as app, _transaction(app, dry_run):
            held = held_conversations(app, cutoff)
            with _failures_named(tracker_name), _tracker_transaction(tracker_database, dry_run) as tracker:

                def still_going(conversation_ids: Collection[str]) -> Set[str]:
                    if tracker is None:
                        return set()
                    with _failures_named(tracker_name):
                        return active_conversations(tracker, conversation_ids, cutoff)

                with _failures_named(app_name):
                    app_report = purge_app_database(app, cutoff, held, still_going, dry_run)
                tracker_report = (purge_old_conversations(tracker, cutoff, held, dry_run) if tracker is not None
                                  else TrackerPurge(events_table=False))
    return PurgeOutcome(days, cutoff, dry_run, describe_database(app_database_url), app_report,
                        tracker_database.describe() if tracker_database else None, tracker_report)


# -- output ----------------------------------------------------------------------------------------
def report_lines(outcome: PurgeOutcome, endpoints: Union[str, Path]) -> List[str]:
    """What the run did, in counts per table; nothing about any person."""
    verb = "would be deleted" if outcome.dry_run else "deleted"
    lines = []
    if outcome.dry_run:
        lines.append("DRY RUN: nothing was deleted; the counts are what a real run would delete.")
    lines.append(f"Retention purge: {outcome.retention_days} days; older than "
                 f"{outcome.cutoff:%Y-%m-%d %H:%M} UTC.")
    lines.append(f"App database ({outcome.app_database}):")
    for table, count in outcome.app.deleted.items():
        lines.append(f"  {table:<24} {count:>7} {verb}")
    if outcome.app.kept:
        lines.append("  kept although old:")
        lines.extend(f"    {reason}: {count}" for reason, count in outcome.app.kept.items())
    if outcome.tracker_database is None:
        lines.append(f"Tracker store: none configured in {endpoints} (conversations only in memory); nothing to purge.")
        return lines
    lines.append(f"Tracker store ({outcome.tracker_database}):")
    if not outcome.tracker.events_table:
        lines.append("  no events table yet; nothing to purge.")
        return lines
    lines.append(f"  {'events':<24} {outcome.tracker.events:>7} {verb} "
                 f"({outcome.tracker.conversations} conversations)")
    if outcome.tracker.held:
        lines.append("  kept although old:")
        lines.append(f"    conversations still held (open handoff, live booking or unresolved alert): "
                     f"{outcome.tracker.held}")
    return lines


# -- command line ------------------------------------------------------------------------------------
def _days_argument(value: str) -> int:
    try:
        return retention_days(value, "--older-than-days")
    except RetentionConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m intake.privacy.purge", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--older-than-days", type=_days_argument, metavar="N",
                        help="delete what is older than N days (default: privacy.retention_days of the clinic file)")
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    parser.add_argument("--endpoints", default=str(DEFAULT_ENDPOINTS), metavar="PATH",
                        help="Rasa endpoints file naming the tracker store (default: endpoints.yml of the project)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command; returns the exit status (see the module docstring)."""
    args = _parser().parse_args(argv)
    try:
        clinic = settings()
        days = args.older_than_days or configured_retention_days(clinic.section("privacy"))
        tracker = find_tracker_database(args.endpoints)
    except (RetentionConfigError, TrackerStoreConfigError, OSError, KeyError, TypeError, yaml.YAMLError) as error:
        print(f"purge: error: {error}. Nothing was deleted.", file=sys.stderr)
        return EXIT_BAD_CONFIGURATION
    try:
        outcome = run_purge(clinic.database_url, tracker, days, dry_run=args.dry_run)
    except PurgeFailed as error:
        print(f"purge: error: {error}. Nothing was deleted from the database that failed "
              f"(its transaction was rolled back); run the purge again once it is reachable.", file=sys.stderr)
        return EXIT_DATABASE_FAILED
    print("\n".join(report_lines(outcome, args.endpoints)))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
