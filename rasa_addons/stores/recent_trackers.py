"""The trackers of recent conversations, kept in memory so a turn need not rebuild them.

Why: Rasa reads a conversation's tracker at the start of every turn by loading all of its stored
events and replaying them one by one, and counts the stored events again before saving. For a
screening conversation of 150 events that was about a sixth of a Rasa server's time per message
(`make bench`, docs/benchmarks.md). The tracker that was just saved is the one the next
turn would rebuild, so it is kept and handed out again.

It is handed out only when it is known to be what the database holds, checked on every turn with
one small query (the `StoredMark` below):

- the database still holds exactly the rows it held when the tracker was last loaded or saved
  (same row count, same highest row id), so no other server, worker or purge changed the
  conversation since; and
- the tracker still has exactly the events it had then, so no turn that failed before saving
  left events in it that the database does not hold.

Anything else (a miss, a conversation changed elsewhere, a failed turn) falls back to loading
from the database, as Rasa does. Trackers are shared objects: Rasa's lock store lets one turn at
a time work on a conversation, on any server, which is what makes handing out the same object safe.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional, Text, Tuple

from rasa.shared.core.trackers import DialogueStateTracker


@dataclass(frozen=True)
class StoredMark:
    """What the database holds for one conversation: its row count and its highest row id."""

    rows: int
    highest_id: Optional[int]


@dataclass
class _Kept:
    tracker: DialogueStateTracker
    events_stored: int  # len(tracker.events) when it matched the database
    mark: StoredMark


class RecentTrackers:
    """At most `capacity` trackers, the least recently used dropped first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._kept: "OrderedDict[Text, _Kept]" = OrderedDict()
        # The store works in threads (several conversations at once): one change at a time here.
        self._lock = threading.Lock()

    def get(self, sender_id: Text, mark: StoredMark) -> Optional[DialogueStateTracker]:
        """The kept tracker, if the database and the tracker are both as they were when kept."""
        with self._lock:
            kept = self._kept.get(sender_id)
            if kept is None or kept.mark != mark or len(kept.tracker.events) != kept.events_stored:
                self._kept.pop(sender_id, None)
                return None
            self._kept.move_to_end(sender_id)
            return kept.tracker

    def kept_state(self, tracker: DialogueStateTracker) -> Optional[Tuple[int, StoredMark]]:
        """How many of `tracker`'s events the database held, and its mark, when `tracker` was
        kept; None when `tracker` is not the kept object (only the database can say then)."""
        with self._lock:
            kept = self._kept.get(tracker.sender_id)
        if kept is None or kept.tracker is not tracker:
            return None
        return kept.events_stored, kept.mark

    def keep(self, tracker: DialogueStateTracker, mark: StoredMark) -> None:
        """Remember `tracker` as matching the database's `mark` now."""
        if self.capacity <= 0 or tracker.events.maxlen is not None:
            return  # a capped event history cannot show by its length that events were added
        with self._lock:
            self._kept[tracker.sender_id] = _Kept(tracker, len(tracker.events), mark)
            self._kept.move_to_end(tracker.sender_id)
            while len(self._kept) > self.capacity:
                self._kept.popitem(last=False)

    def forget(self, sender_id: Text) -> None:
        with self._lock:
            self._kept.pop(sender_id, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)
