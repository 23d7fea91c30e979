"""Escalation: an urgent item nobody acknowledged in time goes to the on-call contact.

An item's clock starts when it becomes urgent (intake.handoff.queue sets `urgent_at`). A claim,
a close or the console's "Acknowledge" stops it. When `escalation.after_minutes` (config/clinic.yml,
default 5) pass first, `escalate_due` records one `escalations` row for the item and one delivery
row per way the on-call contact can be reached from here (a text through the clinic's Twilio
account, an email through the alerts' SMTP server). The rows are then sent, retried and shown
like every other alert (intake.notifications.delivery); a failed one is in the console's banner.

The web app runs `escalate_due` before each alert sweep (every 15 s), so an escalation goes out
at most a sweep after it is due, whoever is signed in. Several web apps may run it at once: the
unique item id of `escalations` lets exactly one of them escalate an item. An escalation that
finds no way to reach anyone is still recorded, with the reason, and logged as an error: the
console shows it, and the desk's own alerts have already gone out.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import List, Optional

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from intake.notifications.config import NotificationSettings, notification_settings
from intake.notifications.delivery import utc_now
from intake.notifications.message import as_utc
from intake.storage import Escalation, Handoff, NotificationDelivery, session_scope

logger = logging.getLogger(__name__)

ON_CALL_TARGETS = ("on_call_sms", "on_call_email")


def _unacknowledged_since(cutoff: datetime):
    """Open urgent items, not acknowledged, urgent since `cutoff` or earlier, not escalated yet."""
    return (Handoff.priority == "urgent", Handoff.status != "closed", Handoff.acknowledged_at.is_(None),
            Handoff.urgent_at.isnot(None), Handoff.urgent_at <= cutoff,
            ~exists().where(Escalation.handoff_id == Handoff.id))


def due_for_escalation(database_url: Optional[str], config: NotificationSettings, now: datetime) -> List[int]:
    cutoff = now - timedelta(minutes=config.escalation.after_minutes)
    with session_scope(database_url) as session:
        return list(session.execute(select(Handoff.id).where(*_unacknowledged_since(cutoff))
                                    .order_by(Handoff.urgent_at, Handoff.id)).scalars())


def unreachable_reason(config: NotificationSettings) -> str:
    """Why no on-call text or email can be sent from this process (for the record and the log)."""
    wanted = config.escalation
    if not wanted.phone and not wanted.email:
        return "no on-call phone or email is configured (escalation.on_call in config/clinic.yml)"
    missing = []
    if wanted.phone:
        missing.append("texts need TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_NUMBER")
    if wanted.email:
        missing.append("email needs INTAKE_SMTP_HOST")
    return "the on-call contact cannot be reached from here: " + "; ".join(missing)


def _escalate(item_id: int, database_url: Optional[str], config: NotificationSettings, now: datetime) -> bool:
    """Record the escalation and its deliveries in one transaction; False when another process did
    it first or the item was acknowledged, closed or changed meanwhile."""
    targets = config.on_call_targets
    cutoff = now - timedelta(minutes=config.escalation.after_minutes)
    try:
        with session_scope(database_url) as session:
            still_due = session.execute(select(Handoff.id).where(Handoff.id == item_id,
                                                                 *_unacknowledged_since(cutoff))).first()
            if still_due is None:
                return False
            session.add(Escalation(handoff_id=item_id, created_at=now, after_minutes=config.escalation.after_minutes,
                                   contact_name=config.escalation.contact_name[:100],
                                   note=None if targets else unreachable_reason(config)[:300]))
            session.flush()  # the unique item id refuses a second escalation here
            session.add_all([NotificationDelivery(handoff_id=item_id, target=target,
                                                  destination=config.destination(target), priority="urgent",
                                                  status="pending", attempts=0, next_attempt_at=None,
                                                  created_at=now, updated_at=now) for target in targets])
    except IntegrityError:
        logger.debug("item #%d was escalated by another process", item_id)
        return False
    if targets:
        logger.warning("item #%d: urgent and not acknowledged for %g min; escalated to %s (%s)", item_id,
                       config.escalation.after_minutes, config.escalation.contact_name, ", ".join(targets))
    else:
        logger.error("item #%d: urgent and not acknowledged for %g min, but %s", item_id,
                     config.escalation.after_minutes, unreachable_reason(config))
    return True


def escalate_due(database_url: Optional[str] = None, config: Optional[NotificationSettings] = None,
                 now: Optional[datetime] = None) -> List[int]:
    """Escalate every urgent item nobody acknowledged in time; returns their ids. The deliveries
    it makes are due at once (no next_attempt_at): `deliver_due` sends them. Never raises."""
    escalated: List[int] = []
    try:
        config = config or notification_settings()
        now = as_utc(now) if now is not None else utc_now()
        for item_id in due_for_escalation(database_url, config, now):
            try:
                if _escalate(item_id, database_url, config, now):
                    escalated.append(item_id)
            except Exception:  # noqa: BLE001 - one bad item must not stop the others
                logger.exception("item #%d: the escalation could not be recorded", item_id)
    except Exception:  # noqa: BLE001
        logger.exception("the escalation sweep failed")
    return escalated


def escalation_of(handoff_id: int, database_url: Optional[str] = None) -> Optional[dict]:
    """The item's escalation as a plain dict (created_at aware UTC), or None."""
    with session_scope(database_url) as session:
        row = session.execute(select(Escalation).where(Escalation.handoff_id == handoff_id)).scalar_one_or_none()
        if row is None:
            return None
        return {"handoff_id": row.handoff_id, "created_at": as_utc(row.created_at),
                "after_minutes": row.after_minutes, "contact_name": row.contact_name, "note": row.note}


def escalated_items(handoff_ids: List[int], database_url: Optional[str] = None) -> dict:
    """{item id: when it was escalated} for those of `handoff_ids` that were."""
    if not handoff_ids:
        return {}
    with session_scope(database_url) as session:
        rows = session.execute(select(Escalation.handoff_id, Escalation.created_at)
                               .where(Escalation.handoff_id.in_(handoff_ids))).all()
        return {handoff_id: as_utc(created_at) for handoff_id, created_at in rows}
