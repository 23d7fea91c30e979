"""The read-only view of a handoff item that the console, the CLI and the actions share."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import List, Optional

# Lower is more urgent; the queue is sorted by this rank, then by age.
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2}
OPEN_STATUSES = ("new", "claimed")


@dataclass(frozen=True)
class HandoffItem:
    """One conversation in the front-desk queue, detached from any database session."""

    id: int
    conversation_id: str
    channel: Optional[str]
    priority: str
    reasons: List[str]
    status: str  # new, claimed, closed
    claimed_by: Optional[str]
    created_at: datetime
    updated_at: datetime
    claimed_at: Optional[datetime]
    closed_at: Optional[datetime]
    last_user_message_at: Optional[datetime]
    urgent_at: Optional[datetime] = None  # when it last became urgent
    acknowledged_at: Optional[datetime] = None
    acknowledged_by: Optional[str] = None
    language: Optional[str] = None  # the conversation's, latest known: "en", "es"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def needs_acknowledgement(self) -> bool:
        """Urgent, open, and nobody has acknowledged it since it became urgent: the escalation
        clock (intake.notifications.escalation) is running."""
        return self.priority == "urgent" and self.is_open and self.acknowledged_at is None


def aware_utc(value: Optional[datetime]) -> Optional[datetime]:
    """SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones. Always aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def is_higher(priority: str, than: str) -> bool:
    """True when `priority` is more urgent than `than`."""
    return PRIORITY_RANK[priority] < PRIORITY_RANK[than]
