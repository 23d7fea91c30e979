"""What the console shows about a queue item, as plain JSON-ready dicts (labels, ages, times).

The same dicts feed the server-rendered pages and the JSON API, so the page and the live
updates made by console.js show the same words.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional

from intake.frontdesk.config import as_utc
from intake.language import NAMES_FOR_STAFF

PRIORITY_LABELS = {"urgent": "Urgent", "high": "High", "normal": "Normal"}
STATUS_LABELS = {"new": "Waiting", "claimed": "Claimed", "closed": "Closed"}
CHANNEL_LABELS = {"socketio": "Web chat", "sms": "SMS", "rest": "REST API", "twilio": "SMS"}
REASON_LABELS = {
    "asked_for_human": "Asked for a person",
    "repeated_fallback": "Assistant could not help (twice)",
    "crisis": "Crisis message",
    "crisis_opted_out": "Crisis text from an opted-out number: call, do not text",
    "asq_positive_answer": "Safety screen: a yes (acuity not yet known)",
    "asq_acute": "Safety screen: acute risk",
    "asq_non_acute": "Safety screen: positive, not acute",
    "booking": "New booking",
}
SPEAKER_LABELS = {"person": "Person", "assistant": "Assistant", "staff": "Front desk"}


def iso(moment: Optional[datetime]) -> Optional[str]:
    moment = as_utc(moment)
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def age_text(seconds: float) -> str:
    """'just now', '7 min', '2 h 5 min', '3 d 4 h'."""
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code.replace("_", " ").capitalize())


def item_view(item: Any, names: Mapping[str, str], failed_counts: Mapping[int, int], me: str,
              now: Optional[datetime] = None, escalated: Optional[Mapping[int, datetime]] = None,
              escalate_after_minutes: Optional[float] = None) -> Dict[str, Any]:
    """One queue item (an intake.handoff.HandoffItem) for the console. `escalated`: {item id: when
    the on-call contact was told}; `escalate_after_minutes`: the clinic's wait before that."""
    now = now or datetime.now(timezone.utc)
    escalated_at = (escalated or {}).get(item.id)
    needs_ack = bool(getattr(item, "needs_acknowledgement", False))
    urgent_at = as_utc(getattr(item, "urgent_at", None))
    escalates_at = None
    if needs_ack and escalated_at is None and urgent_at and escalate_after_minutes:
        escalates_at = urgent_at + timedelta(minutes=escalate_after_minutes)
    created = as_utc(item.created_at)
    age = (now - created).total_seconds() if created else 0
    reasons = list(item.reasons or [])
    language = getattr(item, "language", None)  # the conversation's, when the item kept it
    return {
        "id": item.id,
        "url": f"/frontdesk/items/{item.id}",
        "conversation_id": item.conversation_id,
        "channel": item.channel,
        "channel_label": CHANNEL_LABELS.get(item.channel or "", item.channel or "Unknown"),
        "language": language,
        "language_label": NAMES_FOR_STAFF.get(language or "", "Not known"),
        "priority": item.priority,
        "priority_label": PRIORITY_LABELS.get(item.priority, item.priority),
        "reasons": reasons,
        "reason_labels": [reason_label(code) for code in reasons],
        "status": item.status,
        "status_label": STATUS_LABELS.get(item.status, item.status),
        "claimed_by": item.claimed_by,
        "claimed_by_name": names.get(item.claimed_by or "", item.claimed_by),
        "claimed_by_me": bool(item.claimed_by) and item.claimed_by == me and item.status == "claimed",
        "created_at": iso(item.created_at),
        "age_seconds": int(age),
        "age_text": age_text(age),
        "claimed_at": iso(item.claimed_at),
        "closed_at": iso(item.closed_at),
        "last_user_message_at": iso(item.last_user_message_at),
        "failed_deliveries": int(failed_counts.get(item.id, 0)),
        "needs_acknowledgement": needs_ack,
        "acknowledged_at": iso(getattr(item, "acknowledged_at", None)),
        "acknowledged_by_name": names.get(getattr(item, "acknowledged_by", None) or "",
                                          getattr(item, "acknowledged_by", None)),
        "escalated_at": iso(escalated_at),
        "escalates_at": iso(escalates_at),
    }


def follow_up_view(task: Any, names: Mapping[str, str], now: Optional[datetime] = None) -> Dict[str, Any]:
    """One follow-up task (intake.handoff.follow_ups.FollowUpTask) for the console."""
    now = now or datetime.now(timezone.utc)
    created = as_utc(task.created_at)
    reasons = list(task.reasons or [])
    return {
        "id": task.id,
        "handoff_id": task.handoff_id,
        "url": f"/frontdesk/items/{task.handoff_id}",
        "reason_labels": [reason_label(code) for code in reasons],
        "channel_label": CHANNEL_LABELS.get(task.channel or "", task.channel or "Unknown"),
        "item_status_label": STATUS_LABELS.get(task.item_status, task.item_status),
        "created_at": iso(created),
        "age_text": age_text((now - created).total_seconds() if created else 0),
        "done_at": iso(task.done_at),
        "done_by_name": names.get(task.done_by or "", task.done_by),
    }


def transcript_view(lines: Iterable[Any]) -> List[Dict[str, Any]]:
    """intake.handoff.TranscriptLine values as dicts."""
    return [{"at": iso(line.at) if isinstance(line.at, datetime) else line.at, "speaker": line.speaker,
             "speaker_label": SPEAKER_LABELS.get(line.speaker, line.speaker), "text": line.text} for line in lines]


def plain(value: Any) -> Any:
    """JSON-safe copy of what other packages hand over (datetimes as ISO text)."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def failed_counts(failed: Iterable[Mapping[str, Any]]) -> Dict[int, int]:
    counts: Dict[int, int] = {}
    for delivery in failed:
        handoff_id = delivery.get("handoff_id")
        if handoff_id is not None:
            counts[int(handoff_id)] = counts.get(int(handoff_id), 0) + 1
    return counts
