"""Which staff member opened which conversation, and when: the record an administrator reads
(`python -m intake.frontdesk.staff reads`) to see who looked at a person's health information.

Opening an item's page records a read; the page's refreshes (every few seconds) do not add one
more row each, only one per staff member, conversation and `REPEAT_AFTER`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from sqlalchemy import select

from intake.frontdesk.config import as_utc
from intake.storage import StaffRead, session_scope

REPEAT_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Read:
    staff_username: str
    conversation_id: str
    handoff_id: Optional[int]
    what: str
    read_at: datetime


def record_read(staff_username: str, conversation_id: str, handoff_id: Optional[int], what: str = "item",
                now: Optional[datetime] = None, database_url: Optional[str] = None) -> bool:
    """Record that `staff_username` opened the conversation; False when the same read was recorded
    less than REPEAT_AFTER ago."""
    now = now or datetime.now(timezone.utc)
    with session_scope(database_url) as session:
        recent = session.execute(select(StaffRead.id).where(
            StaffRead.staff_username == staff_username, StaffRead.conversation_id == conversation_id,
            StaffRead.read_at > now - REPEAT_AFTER).limit(1)).first()
        if recent is not None:
            return False
        session.add(StaffRead(staff_username=staff_username, conversation_id=conversation_id, handoff_id=handoff_id,
                              what=what, read_at=now))
        return True


def reads_since(since: datetime, database_url: Optional[str] = None) -> List[Read]:
    """Every read since `since`, newest first."""
    with session_scope(database_url) as session:
        rows = session.execute(select(StaffRead).where(StaffRead.read_at >= since)
                               .order_by(StaffRead.read_at.desc(), StaffRead.id.desc())).scalars()
        return [Read(row.staff_username, row.conversation_id, row.handoff_id, row.what, as_utc(row.read_at))
                for row in rows]

