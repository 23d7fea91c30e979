"""Old conversations in Rasa's tracker store: found by their latest event, deleted whole.

Rasa's SQL tracker store keeps a conversation as rows of one table, `events` (id, sender_id,
type_name, timestamp as unix seconds, intent_name, action_name, data). A conversation is deleted
whole, never event by event: a tracker missing its start would be replayed wrongly by Rasa. So a
conversation is old when its *latest* event is before the cutoff; one that is still going (an SMS
number texting again after a year keeps the same conversation id) is kept with all its history.
Conversations held by the app database (an open handoff, a live booking, an unresolved alert;
see intake.privacy.retention) are kept too, as the front desk reads their transcripts.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Collection, Iterator, List, Set

from sqlalchemy import column, create_engine, delete, exists, func, inspect, select, table
from sqlalchemy.engine import Connection, Engine

from intake.privacy.tracker_db import TrackerDatabase

EVENTS = table("events", column("id"), column("sender_id"), column("timestamp"))
CHUNK = 500
# Seconds to wait for the tracker's PostgreSQL before reporting it unreachable.
CONNECT_TIMEOUT_S = 10
# Seconds to wait for a SQLite file that a Rasa server is writing to.
SQLITE_BUSY_TIMEOUT_S = 30


@dataclass
class TrackerPurge:
    """What the purge deleted from the tracker store (or would, in a dry run): counts only."""

    conversations: int = 0
    events: int = 0
    held: int = 0  # old conversations kept because the app database still needs them
    events_table: bool = True  # False when Rasa has not created its table yet


@contextmanager
def tracker_connection(database: TrackerDatabase) -> Iterator[Connection]:
    """A connection to the tracker store's database (the caller runs its transaction).

    A SQLite file that does not exist yet is opened in memory instead of being created: the
    purge should not leave an empty database behind where Rasa will create its own."""
    url = database.url
    if database.sqlite_path is not None and not database.sqlite_path.exists():
        url = url.set(database=":memory:")
    connect_args = dict(database.engine_options.get("connect_args") or {})
    if database.dialect == "postgresql":
        connect_args.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    else:
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)  # Rasa may be writing a turn
    engine: Engine = create_engine(url, future=True, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def has_events_table(connection: Connection) -> bool:
    return inspect(connection).has_table("events")


def active_conversations(connection: Connection, conversation_ids: Collection[str], cutoff: datetime) -> Set[str]:
    """Those of `conversation_ids` with an event at or after the cutoff (still going)."""
    if not conversation_ids or not has_events_table(connection):
        return set()
    ids = list(conversation_ids)
    active: Set[str] = set()
    for start in range(0, len(ids), CHUNK):
        active.update(connection.execute(
            select(EVENTS.c.sender_id).distinct()
            .where(EVENTS.c.sender_id.in_(ids[start:start + CHUNK]), EVENTS.c.timestamp >= cutoff.timestamp())
        ).scalars())
    return active


def purge_old_conversations(connection: Connection, cutoff: datetime, held: Collection[str],
                            dry_run: bool = False) -> TrackerPurge:
    """Delete every conversation whose latest event is before the cutoff, unless it is held,
    inside the caller's transaction. In a dry run nothing is deleted."""
    if not has_events_table(connection):
        return TrackerPurge(events_table=False)
    cutoff_ts = cutoff.timestamp()
    old = connection.execute(
        select(EVENTS.c.sender_id, func.count()).group_by(EVENTS.c.sender_id)
        .having(func.max(EVENTS.c.timestamp) < cutoff_ts).order_by(EVENTS.c.sender_id)
    ).all()
    held_ids = set(held)
    to_delete: List[str] = [sender for sender, _ in old if sender not in held_ids]
    report = TrackerPurge(conversations=len(to_delete), held=len(old) - len(to_delete))
    if dry_run:
        report.events = sum(count for sender, count in old if sender not in held_ids)
        return report
    recent = EVENTS.alias("recent")
    # Checked again in the statement: an event written since the read keeps its conversation.
    no_recent_event = ~exists().where(recent.c.sender_id == EVENTS.c.sender_id, recent.c.timestamp >= cutoff_ts)
    for start in range(0, len(to_delete), CHUNK):
        report.events += connection.execute(
            delete(EVENTS).where(EVENTS.c.sender_id.in_(to_delete[start:start + CHUNK]), no_recent_event)
        ).rowcount
    return report
