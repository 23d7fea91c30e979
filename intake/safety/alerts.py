"""Recording crisis events and positive safety screens as alerts for the front desk."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Mapping, Optional

from intake.safety.asq import INSTRUMENT, VERSION, AsqTriage, alert_priority
from intake.storage import Alert, Screening, session_scope

# The category of the alert raised at the first positive ASQ answer (acuity not yet known).
POSITIVE_ANSWER = "asq_positive_answer"


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
    alert: bool = True,
) -> int:
    """Store the ASQ answers and triage, plus an alert when the screen is positive (unless one
    was already raised, at the first positive answer)."""
    with session_scope() as session:
        screening = Screening(
            conversation_id=conversation_id, instrument=INSTRUMENT, version=VERSION,
            answers=dict(answers), triage=triage.value, completed=int(completed),
            finished_at=datetime.now(timezone.utc) if completed else None,
        )
        session.add(screening)
        priority = alert_priority(triage)
        if priority and alert:
            session.add(Alert(conversation_id=conversation_id, source="asq", category=triage.value,
                              triage=triage.value, priority=priority, channel=channel))
        session.flush()
        return screening.id


def record_positive_answer_alert(conversation_id: str, channel: Optional[str] = None) -> int:
    """An urgent alert the moment an ASQ item 1-4 is answered yes or refused: the screen is
    positive from then on, and until the acuity question is answered it counts as acute. Raised
    at once, so it stands whether the person finishes, stops, writes STOP or just leaves."""
    with session_scope() as session:
        alert = Alert(conversation_id=conversation_id, source="asq", category=POSITIVE_ANSWER,
                      triage=AsqTriage.ACUTE_POSITIVE.value, priority="urgent", channel=channel)
        session.add(alert)
        session.flush()
        return alert.id
