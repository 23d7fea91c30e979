"""The desk's follow-up task after a crisis conversation.

When a conversation's item becomes urgent (a crisis message, a yes on the safety screen, a crisis
text from an opted-out number), intake.handoff.queue adds one task for it. The console lists the
tasks that are not done, also after the item itself is closed: dealing with the crisis in the
moment and checking on the person afterwards are two different jobs. A staff member marks a task
done; who and when is kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from sqlalchemy import select, update

from intake.handoff.items import aware_utc
from intake.storage import FollowUp, Handoff, session_scope
from intake.storage.models import utc_now


class FollowUpNotFound(LookupError):
    """No task with that id."""


@dataclass(frozen=True)
class FollowUpTask:
    """One task with what the console shows next to it (its item's reasons, channel and status)."""

    id: int
    handoff_id: int
    created_at: datetime
    done_at: Optional[datetime]
    done_by: Optional[str]
    reasons: List[str]
    channel: Optional[str]
    item_status: str


def _task(task: FollowUp, item: Handoff) -> FollowUpTask:
    return FollowUpTask(id=task.id, handoff_id=task.handoff_id, created_at=aware_utc(task.created_at),
                        done_at=aware_utc(task.done_at), done_by=task.done_by, reasons=list(item.reasons or []),
                        channel=item.channel, item_status=item.status)


def open_follow_ups(database_url: Optional[str] = None) -> List[FollowUpTask]:
    """Tasks not done yet, oldest first."""
    with session_scope(database_url) as session:
        rows = session.execute(select(FollowUp, Handoff).join(Handoff, Handoff.id == FollowUp.handoff_id)
                               .where(FollowUp.done_at.is_(None))
                               .order_by(FollowUp.created_at, FollowUp.id)).all()
        return [_task(task, item) for task, item in rows]


def follow_up_for(handoff_id: int, database_url: Optional[str] = None) -> Optional[FollowUpTask]:
    """The task of one item, done or not, if it has one."""
    with session_scope(database_url) as session:
        row = session.execute(select(FollowUp, Handoff).join(Handoff, Handoff.id == FollowUp.handoff_id)
                              .where(FollowUp.handoff_id == handoff_id)).first()
        return None if row is None else _task(*row)


def mark_done(task_id: int, staff_username: str, database_url: Optional[str] = None) -> FollowUpTask:
    """Mark a task done by this staff member. Marking it again keeps the first who and when."""
    with session_scope(database_url) as session:
        session.execute(update(FollowUp).where(FollowUp.id == task_id, FollowUp.done_at.is_(None))
                        .values(done_at=utc_now(), done_by=staff_username)
                        .execution_options(synchronize_session=False))
        row = session.execute(select(FollowUp, Handoff).join(Handoff, Handoff.id == FollowUp.handoff_id)
                              .where(FollowUp.id == task_id)).first()
        if row is None:
            raise FollowUpNotFound(f"no follow-up task {task_id}")
        return _task(*row)
