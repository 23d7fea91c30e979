"""The summary card the front desk sees next to a conversation: what is known, never interpreted.

Screening results repeat the stored score and triage (for a clinician to review), pre-screen
flags are the clinician-facing flags, the booking and contact details are the ones the person
gave, and alerts are the crisis and safety-screen alerts of the conversation. Everything comes
from the app database; the transcript comes from the tracker (intake.handoff.transcript).
"""
from __future__ import annotations

from datetime import timezone
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo

from sqlalchemy import select

from intake.booking.messages import slot_label
from intake.handoff.items import HandoffItem, aware_utc
from intake.settings import settings
from intake.storage import Alert, Booking, Screening, SmsContact, session_scope

PRESCREEN_INSTRUMENT = "Ketamine pre-screen"


def _iso(value) -> Optional[str]:
    value = aware_utc(value)
    return value.isoformat() if value is not None else None


def _screenings(rows: List[Screening]) -> List[Dict[str, Any]]:
    return [{"instrument": row.instrument, "score": row.score, "triage": row.triage,
             "completed": bool(row.completed), "flags": list(row.flags or [])} for row in rows]


def _prescreen_flags(rows: List[Screening]) -> List[str]:
    """The flags of the latest pre-screen (a later run replaces an earlier one)."""
    latest = [row for row in rows if row.instrument == PRESCREEN_INSTRUMENT]
    return list(latest[-1].flags or []) if latest else []


def _booking(row: Optional[Booking], time_zone: str) -> Optional[Dict[str, Any]]:
    """The latest booking; its slot (stored as naive UTC) on the clinic's clock."""
    if row is None:
        return None
    local = row.slot_start.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(time_zone))
    return {"reference": row.reference, "slot_local": local.isoformat(), "slot_label": slot_label(local),
            "visit_type": row.visit_type, "contact_method": row.contact_method, "status": row.status}


def summary_card(item: HandoffItem, database_url: Optional[str] = None) -> Dict[str, Any]:
    """Screenings, pre-screen flags, booking, contact details, channel and alerts of the item's
    conversation. Contact details hold whatever is known (None where nothing was given)."""
    conversation = item.conversation_id
    with session_scope(database_url) as session:
        screenings = list(session.execute(select(Screening).where(Screening.conversation_id == conversation)
                                          .order_by(Screening.id)).scalars())
        booking = session.execute(select(Booking).where(Booking.conversation_id == conversation)
                                  .order_by(Booking.id.desc()).limit(1)).scalar_one_or_none()
        sms = session.execute(select(SmsContact).where(SmsContact.conversation_id == conversation)
                              ).scalar_one_or_none()
        alerts = list(session.execute(select(Alert).where(Alert.conversation_id == conversation)
                                      .order_by(Alert.id)).scalars())
        return {
            "screenings": _screenings(screenings),
            "prescreen_flags": _prescreen_flags(screenings),
            "booking": _booking(booking, settings().clinic.time_zone),
            "contact": {
                "name": booking.full_name if booking else None,
                "phone": booking.phone if booking else None,
                "email": booking.email if booking else None,
                "sms_phone": sms.phone if sms else None,
                "opted_out": bool(sms and sms.opted_out_at),
            },
            "channel": item.channel,
            "alerts": [{"source": a.source, "category": a.category, "priority": a.priority,
                        "created_at": _iso(a.created_at)} for a in alerts],
        }
