"""Fixtures for the alert tests: a temp SQLite app database per test, handoff rows, fast settings."""
from __future__ import annotations

import itertools
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable, List, Optional

import pytest

from intake.notifications import NotificationSettings, SmtpSettings, deliveries_for
from intake.storage import Booking, Handoff, database, session_scope

CONSOLE = "https://clinic.example/frontdesk/"
# Personal details that sit next to the item in the database and must never reach an alert.
NAME, PHONE, EMAIL = "Maria Lopez", "+13105550142", "maria.lopez@example.com"
PII_FORMS = [NAME, "Maria", "Lopez", PHONE, "3105550142", "555-0142", "555 0142", EMAIL, "maria.lopez"]


@pytest.fixture
def db_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    database(url)  # migrated
    yield url
    database.cache_clear()


@pytest.fixture
def make_item(db_url) -> Callable[..., int]:
    """A handoff row (and a booking with contact details for the same conversation); returns its id."""

    slots = itertools.count()

    def make(priority: str = "urgent", reasons=("crisis",), channel: Optional[str] = "sms",
             conversation_id: Optional[str] = None, status: str = "new") -> int:
        conversation_id = conversation_id or f"conv-{uuid.uuid4().hex}"
        with session_scope(db_url) as session:
            session.add(Booking(reference=f"R{uuid.uuid4().hex[:8]}", conversation_id=conversation_id,
                                channel=channel, full_name=NAME, phone=PHONE, email=EMAIL, contact_method="text",
                                visit_type="in_person", slot_start=datetime(2026, 12, 1, 18) + timedelta(hours=next(slots)), slot_minutes=60))
            item = Handoff(conversation_id=conversation_id, channel=channel, priority=priority, reasons=list(reasons),
                           status=status, created_at=datetime(2026, 11, 30, 18, 42, tzinfo=timezone.utc))
            session.add(item)
            session.flush()
            return item.id

    return make


def fast_settings(webhook_url: Optional[str] = None, smtp: Optional[SmtpSettings] = None,
                  **overrides) -> NotificationSettings:
    fields = dict(console_url=CONSOLE, time_zone="America/Los_Angeles", attempts=3, backoff_seconds=0.05,
                  timeout_seconds=15, lease_seconds=300, webhook_url=webhook_url, smtp=smtp)
    return NotificationSettings(**{**fields, **overrides})


def smtp_settings(port: int, **overrides) -> SmtpSettings:
    fields = dict(host="127.0.0.1", port=port, email_from="alerts@clinic.example",
                  email_to=("frontdesk@clinic.example", "oncall@clinic.example"), starttls=False)
    return SmtpSettings(**{**fields, **overrides})


def wait_until_done(handoff_id: int, db_url: str, count: int = 1, deadline_s: float = 60) -> List[dict]:
    """Poll until the item has `count` rows, all sent or failed (a deadline, not a speed check)."""
    end = time.monotonic() + deadline_s
    while True:
        rows = deliveries_for(handoff_id, db_url)
        if len(rows) >= count and all(row["status"] in ("sent", "failed") for row in rows):
            return rows
        if time.monotonic() > end:
            raise AssertionError(f"deliveries not finished: {rows}")
        time.sleep(0.02)


def assert_no_personal_details(text: str, conversation_id: Optional[str] = None) -> None:
    for form in PII_FORMS + ([conversation_id] if conversation_id else []):
        assert form.lower() not in text.lower(), f"{form!r} leaked into an alert"
