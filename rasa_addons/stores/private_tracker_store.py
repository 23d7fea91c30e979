"""Rasa's SQL tracker store, with contact details sealed, outages made visible, and recent
conversations kept in memory.

Four changes to `SQLTrackerStore`:

- Every event is written sealed (intake.privacy.masking: what the person wrote and was told and
  every text slot value whole, contact details anywhere) and read back opened, so the database
  holds nothing a person said readable while the forms and the front desk's transcripts work as
  before.
- When the database cannot be reached, the turn stops with `TrackerStorageUnavailable`, which the
  channels turn into a clear message to the person (rasa_addons.channels.turn_guard). Rasa wraps
  every tracker store in a `FailSafeTrackerStore` that catches each `Exception` and carries on with
  an empty in-memory conversation: the person would be answered as a stranger mid-screening and
  what they said next would be lost. The error therefore derives from BaseException, which that
  wrapper does not catch. A turn's events are written in one transaction, so a failed save
  leaves the stored conversation exactly as it was before the turn.
- Reads and writes run in the store's own threads, never on the server's event loop: a database
  that does not answer holds its conversation's turn, not every conversation of the server.
- The tracker of a recent conversation is handed out again instead of being rebuilt from its
  events, when one small query shows the database unchanged (rasa_addons.stores.recent_trackers,
  which says why and when that is safe). How many are kept: `recent_trackers` in the endpoints
  file (0 turns it off).

On SQLite (the embedded default) connections are pooled rather than opened for every read and
write, and on every database a failed statement is logged without its parameters, which hold
what people wrote.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, Callable, List, Optional, Text, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from intake.privacy.masking import ContactSeal, tracker_seal
from intake.storage.db import postgres_timeouts, use_write_ahead_log
from rasa_addons.stores.recent_trackers import RecentTrackers, StoredMark

logger = logging.getLogger(__name__)
T = TypeVar("T")
# A connection dropped by a database restart fails once and works on the next try.
ATTEMPTS = 2
RETRY_PAUSE_S = 0.3
# Conversations whose trackers are kept when the endpoints file does not say (both say 256): far
# more than a clinic's chats at one time. A 16-message screening conversation takes about 0.35 MB
# in memory (about 22 kB per message), so 256 of them about 90 MB.
DEFAULT_RECENT_TRACKERS = 256


DATABASE_THREADS = 8


@lru_cache(maxsize=1)
def _database_threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=DATABASE_THREADS, thread_name_prefix="tracker-store")


class TrackerStorageUnavailable(BaseException):
    """The conversation store cannot be read or written now (see the module docstring for why
    this is a BaseException)."""


class PrivateSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that seals contact details in stored events (endpoints.yml `type:`)."""

    def __init__(self, *args: Any, seal: Optional[ContactSeal] = None,
                 recent_trackers: int = DEFAULT_RECENT_TRACKERS, **kwargs: Any) -> None:
        self.seal = seal or tracker_seal()
        self.recent = RecentTrackers(int(recent_trackers))
        super().__init__(*args, **kwargs)
        self._use_quiet_pooled_engine()
        use_write_ahead_log(self.engine)

    def _use_quiet_pooled_engine(self) -> None:
        """Rasa's engine again, with parameters kept out of error logs; on SQLite a pool (Rasa's
        SQLite engine opens and closes a connection for every read and every write), on PostgreSQL
        connect and statement timeouts (a database that never answers would otherwise hold one of
        the store's threads, and its conversation, for good)."""
        url = self.engine.url
        options: dict = {**create_engine_kwargs(url), "hide_parameters": True}
        if self.engine.dialect.name == "sqlite":
            options.update(poolclass=QueuePool, connect_args={"check_same_thread": False})
        else:  # the app database's connect and statement timeouts: a hung database fails the turn
            options["connect_args"] = postgres_timeouts(url.drivername)
        self.engine.dispose()
        self.engine = sa.create_engine(url, **options)
        self.sessionmaker = sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._in_database_thread(lambda: self._latest_session(sender_id))

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self._in_database_thread(lambda: self._load(conversation_id, all_sessions=True))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        await self._in_database_thread(lambda: self._store_new_events(tracker))

    async def _in_database_thread(self, work: Callable[[], T]) -> T:
        """`work` (with its retry) in the store's own threads: a database that does not answer holds
        those, never the server's event loop, so other conversations and the crisis replies ahead of
        a slow turn (rasa_addons/channels/failure_replies.py) go on. Its own pool, so that waiting
        database calls never take the threads the channels use to read a message for risk."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_database_threads(), self._with_database, work)

    def _stored_mark(self, session: Session, sender_id: Text) -> StoredMark:
        events = self.SQLEvent.__table__
        rows, highest_id = session.execute(
            sa.select(sa.func.count(events.c.id), sa.func.max(events.c.id)).where(events.c.sender_id == sender_id)
        ).one()
        return StoredMark(int(rows), highest_id)

    def _latest_session(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The kept tracker when the database is unchanged, else the latest session loaded.

        The mark is read before the events: a row written in between then shows as a changed
        mark on the next turn (a reload), never as an unchanged mark over missing events."""
        with self.session_scope() as session:
            mark = self._stored_mark(session, sender_id)
            tracker = self.recent.get(sender_id, mark)
            if tracker is None:
                tracker = self._tracker_from(sender_id, self._event_query(
                    session, sender_id, fetch_events_from_all_sessions=False).all())
                if tracker is not None:
                    self.recent.keep(tracker, mark)
        return tracker

    def _load(self, sender_id: Text, all_sessions: bool) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=all_sessions).all()
            return self._tracker_from(sender_id, rows)

    def _tracker_from(self, sender_id: Text, rows: List[Any]) -> Optional[DialogueStateTracker]:
        events = [self._opened(row.data) for row in rows]
        if not events or not self.domain:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _opened(self, stored: str) -> Any:
        """One stored event, its sealed details opened (most events hold none: skip the walk)."""
        data = json.loads(stored)
        return self.seal.open(data) if "[[sealed:" in stored else data

    def _store_new_events(self, tracker: DialogueStateTracker) -> None:
        """Insert the events not stored yet, sealed, in one transaction, and keep the tracker when
        it then matches the database event for event.

        For the kept tracker the new events are those added since it was kept: under Rasa's lock
        no other turn of this conversation can have written since. Had one written anyway, the
        mark worked out here would differ from the database's and the next turn would reload."""
        kept = self.recent.kept_state(tracker)
        with self.session_scope() as session:
            if kept is None:
                mark = self._stored_mark(session, tracker.sender_id)
                stored = 0 if mark.rows == 0 else None  # 0: a new conversation, none of it stored
            else:
                stored, mark = kept
            new_events = list(itertools.islice(tracker.events, stored, None) if stored is not None
                              else self._additional_events(session, tracker))
            rows = [self._row(tracker.sender_id, event) for event in new_events]
            session.add_all(rows)
            session.flush()  # assigns the row ids, read below once the session is closed
            new_ids = [row.id for row in rows]
            session.commit()
        if stored is None or any(isinstance(event, SessionStarted) for event in new_events):
            # Rasa's own count decided what was new, or a new session began: the next turn reads
            # the latest session from the database.
            self.recent.forget(tracker.sender_id)
        else:
            self.recent.keep(tracker, StoredMark(mark.rows + len(rows), max(new_ids, default=mark.highest_id)))

    def _row(self, sender_id: Text, event: Event) -> Any:
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"), data=json.dumps(self.seal.seal_event(data)),
        )

    def _with_database(self, work: Callable[[], T]) -> T:
        """Run `work`, retrying once after a dropped connection; TrackerStorageUnavailable if the
        database still cannot be reached."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return work()
            except DBAPIError as error:
                if attempt == ATTEMPTS:
                    # The error names the database and the failure, never conversation content.
                    logger.error("the tracker store's database cannot be reached: %s",
                                 type(error.orig).__name__ if error.orig else type(error).__name__)
                    # Not chained: the database error quotes the statement and its data.
                    raise TrackerStorageUnavailable(type(error).__name__) from None
                time.sleep(RETRY_PAUSE_S)
        raise AssertionError("unreachable")
