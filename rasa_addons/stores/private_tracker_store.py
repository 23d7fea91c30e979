"""Rasa's SQL tracker store, with contact details sealed and outages made visible.

Two changes to `SQLTrackerStore`, both about what happens in the stored conversation:

- Every event is written with its phone numbers and email addresses sealed
  (intake.privacy.masking) and read back opened, so the database holds none of them readable
  while the forms and the front desk's transcripts work as before.
- When the database cannot be reached, the turn stops with `TrackerStorageUnavailable`, which the
  channels turn into a clear message to the person (rasa_addons.channels.turn_guard). Rasa wraps
  every tracker store in a `FailSafeTrackerStore` that catches each `Exception` and carries on with
  an empty in-memory conversation: the person would be answered as a stranger mid-screening and
  what they said next would be lost. The error therefore derives from BaseException, which that
  wrapper does not catch. A turn's events are written in one transaction, so a failed save
  leaves the stored conversation exactly as it was before the turn.
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable, Optional, Text, TypeVar

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import DBAPIError

from intake.privacy.masking import ContactSeal, tracker_seal
from intake.storage.db import use_write_ahead_log

logger = logging.getLogger(__name__)
T = TypeVar("T")
# A connection dropped by a database restart fails once and works on the next try.
ATTEMPTS = 2
RETRY_PAUSE_S = 0.3


class TrackerStorageUnavailable(BaseException):
    """The conversation store cannot be read or written now (see the module docstring for why
    this is a BaseException)."""


class PrivateSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that seals contact details in stored events (endpoints.yml `type:`)."""

    def __init__(self, *args: Any, seal: Optional[ContactSeal] = None, **kwargs: Any) -> None:
        self.seal = seal or tracker_seal()
        super().__init__(*args, **kwargs)
        use_write_ahead_log(self.engine)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return self._with_database(lambda: self._load(sender_id, all_sessions=False))

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return self._with_database(lambda: self._load(conversation_id, all_sessions=True))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        self._with_database(lambda: self._store_new_events(tracker))

    def _load(self, sender_id: Text, all_sessions: bool) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=all_sessions).all()
            events = [self._opened(row.data) for row in rows]
        if not events or not self.domain:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _opened(self, stored: str) -> Any:
        """One stored event, its sealed details opened (most events hold none: skip the walk)."""
        data = json.loads(stored)
        return self.seal.open(data) if "[[sealed:" in stored else data

    def _store_new_events(self, tracker: DialogueStateTracker) -> None:
        """Insert the events not stored yet, sealed, in one transaction."""
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
                    intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"), data=json.dumps(self.seal.seal(data)),
                ))
            session.commit()

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
