"""What the rest of the app calls: raise alerts for an item, sweep due ones, read their state."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Dict, List, Optional

from sqlalchemy import select

from intake.notifications.config import NOTIFY_PRIORITIES, NotificationSettings, notification_settings
from intake.notifications.delivery import attempt_delivery, deliver_in_background, due_rows, utc_now
from intake.notifications.message import as_utc
from intake.storage import Handoff, NotificationDelivery, session_scope

logger = logging.getLogger(__name__)


def create_deliveries(handoff_id: int, database_url: Optional[str] = None,
                      config: Optional[NotificationSettings] = None) -> List[int]:
    """One pending row per configured target for an urgent or high item; returns the new row ids.

    Nothing for a normal item, nor for a target that already has a row at the item's current
    priority (a repeated call does not alert twice; a raise from high to urgent alerts again)."""
    config = config or notification_settings()
    with session_scope(database_url) as session:
        item = session.get(Handoff, handoff_id)
        if item is None:
            logger.warning("alert for item #%d: no such item", handoff_id)
            return []
        if item.priority not in NOTIFY_PRIORITIES:
            return []
        if not config.targets:
            logger.warning("item #%d is %s but no alert target is configured "
                           "(INTAKE_ALERT_WEBHOOK_URL, or INTAKE_SMTP_HOST with notifications.email_to)",
                           handoff_id, item.priority)
            return []
        existing = set(session.execute(
            select(NotificationDelivery.target)
            .where(NotificationDelivery.handoff_id == handoff_id,
                   NotificationDelivery.priority == item.priority)).scalars())
        now = utc_now()
        rows = [NotificationDelivery(handoff_id=handoff_id, target=target, destination=config.destination(target),
                                     priority=item.priority, status="pending", attempts=0, next_attempt_at=now,
                                     created_at=now, updated_at=now)
                for target in config.targets if target not in existing]
        session.add_all(rows)
        session.flush()
        ids = [row.id for row in rows]
    if ids:
        logger.info("item #%d (%s): %d alert(s) pending", handoff_id, item.priority, len(ids))
    return ids


def notify_handoff(handoff_id: int, database_url: Optional[str] = None, *,
                   settings: Optional[NotificationSettings] = None) -> None:
    """Alert the front desk about an urgent or high item: webhook and/or email, in the background.

    Returns at once (it runs on the action server's event loop): the rows are written here, the
    sending with retries happens in a daemon thread. Never raises; errors are logged. A row whose
    thread dies with the process is sent by the sweep (`deliver_due`)."""
    try:
        config = settings or notification_settings()
        for row_id in create_deliveries(handoff_id, database_url, config):
            deliver_in_background(row_id, database_url, config)
    except Exception:  # noqa: BLE001 - an alert problem must never break the conversation
        logger.exception("alerts for item #%s could not be started", handoff_id)


def deliver_due(database_url: Optional[str] = None, settings: Optional[NotificationSettings] = None) -> int:
    """One sweep: one attempt for every row that is due (pending with next_attempt_at passed, or left
    'sending' by a crashed process), for the targets configured in this process (so the web app
    needs the same INTAKE_ALERT_WEBHOOK_URL / INTAKE_SMTP_* as the action server to help out, and
    TWILIO_* for texts to the on-call contact; without them it leaves the rows alone). Returns how many were sent. Blocking (network I/O): from an
    event loop, run it in a thread (`await asyncio.to_thread(deliver_due)`). Never raises."""
    sent = 0
    try:
        config = settings or notification_settings()
        for row_id in due_rows(database_url, config.all_targets):
            try:
                outcome = attempt_delivery(row_id, database_url, config)
            except Exception:  # noqa: BLE001 - one bad row must not stop the sweep
                logger.exception("alert %d: sweep attempt failed", row_id)
                continue
            sent += bool(outcome and outcome.status == "sent")
    except Exception:  # noqa: BLE001
        logger.exception("alert sweep failed")
    return sent


def _as_dict(row: NotificationDelivery, handoff_status: Optional[str]) -> Dict[str, Any]:
    def aware(moment: Optional[datetime]) -> Optional[datetime]:
        return None if moment is None else as_utc(moment)

    return {"id": row.id, "handoff_id": row.handoff_id, "handoff_status": handoff_status, "target": row.target,
            "destination": row.destination, "priority": row.priority, "status": row.status,
            "attempts": row.attempts, "last_error": row.last_error, "created_at": aware(row.created_at),
            "updated_at": aware(row.updated_at), "next_attempt_at": aware(row.next_attempt_at)}


def deliveries_for(handoff_id: int, database_url: Optional[str] = None) -> List[Dict[str, Any]]:
    """The alerts of one item, oldest first, as plain dicts (datetimes are aware UTC)."""
    with session_scope(database_url) as session:
        rows = session.execute(
            select(NotificationDelivery, Handoff.status).join(Handoff, Handoff.id == NotificationDelivery.handoff_id)
            .where(NotificationDelivery.handoff_id == handoff_id)
            .order_by(NotificationDelivery.created_at, NotificationDelivery.id)).all()
        return [_as_dict(row, status) for row, status in rows]


def failed_deliveries(database_url: Optional[str] = None, include_closed: bool = False) -> List[Dict[str, Any]]:
    """Alerts that gave up, newest first; by default only those of items still open (new or claimed),
    so the console's banner goes away when the desk has dealt with the item."""
    with session_scope(database_url) as session:
        query = (select(NotificationDelivery, Handoff.status)
                 .join(Handoff, Handoff.id == NotificationDelivery.handoff_id)
                 .where(NotificationDelivery.status == "failed"))
        if not include_closed:
            query = query.where(Handoff.status != "closed")
        rows = session.execute(query.order_by(NotificationDelivery.updated_at.desc(),
                                              NotificationDelivery.id.desc())).all()
        return [_as_dict(row, status) for row, status in rows]
