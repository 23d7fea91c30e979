"""Recording crisis events and positive safety screens as alerts for the front desk."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Mapping, Optional

from intake.safety.asq import INSTRUMENT, VERSION, AsqTriage, alert_priority
from intake.storage import Alert, Screening, session_scope


def record_crisis_alert(
    conversation_id: str,
    category: str,
    handling: Optional[str] = None,
    source: str = "crisis_message",
    channel: Optional[str] = None,
) -> int:
    """Store an urgent alert for a crisis message (or a "not safe" answer); returns its id."""
    with session_scope() as session:
        alert = Alert(conversation_id=conversation_id, source=source, category=category,
                      handling=handling, priority="urgent", channel=channel)
        session.add(alert)
        session.flush()
        return alert.id


def record_asq_result(
    conversation_id: str,
    answers: Mapping[str, Optional[str]],
    triage: AsqTriage,
    completed: bool = True,
    channel: Optional[str] = None,
) -> int:
    """Store the ASQ answers and triage, plus an alert when the screen is positive."""
    with session_scope() as session:
        screening = Screening(
            conversation_id=conversation_id, instrument=INSTRUMENT, version=VERSION,
            answers=dict(answers), triage=triage.value, completed=int(completed),
            finished_at=datetime.now(timezone.utc) if completed else None,
        )
        session.add(screening)
        priority = alert_priority(triage)
        if priority:
            session.add(Alert(conversation_id=conversation_id, source="asq", category=triage.value,
                              triage=triage.value, priority=priority, channel=channel))
        session.flush()
        return screening.id
