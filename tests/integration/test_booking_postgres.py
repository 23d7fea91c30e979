"""Bookings on the machine's PostgreSQL: the schema migrates there too, and 20 people racing for
one slot get exactly one booking between them; the other 19 are offered other free slots."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from intake.booking import store
from intake.storage import Booking, database, session_scope
from intake.storage.migrate import current_revision, head_revision
from tests.support.postgres import temporary_postgres_database
from tests.unit.test_booking_schedule import at, make_schedule

NOW = datetime(2026, 11, 30, 8, tzinfo=ZoneInfo("America/Los_Angeles"))
SLOT = at(2026, 12, 1, 10)
ATTEMPTS = 20


@pytest.fixture
def pg_url():
    with temporary_postgres_database() as url:
        yield url


def test_the_schema_migrates_on_postgresql(pg_url):
    assert current_revision(database(pg_url).engine) == head_revision()


def test_twenty_simultaneous_attempts_at_one_slot_give_one_booking(pg_url):
    schedule = make_schedule()
    database(pg_url)  # migrate before the race
    start = threading.Barrier(ATTEMPTS)

    def attempt(number: int) -> store.BookingOutcome:
        request = store.BookingRequest(conversation_id=f"race-{number}", full_name="Racing Person",
                                       phone="+13105550142", contact_method="call", visit_type="in_person",
                                       priority=True)
        start.wait()
        return store.book_slot(request, SLOT, schedule, NOW, pg_url)

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        outcomes = list(pool.map(attempt, range(ATTEMPTS)))

    booked = [o for o in outcomes if o.booking is not None]
    refused = [o for o in outcomes if o.booking is None]
    assert len(booked) == 1 and len(refused) == ATTEMPTS - 1
    assert all(o.reason == "taken" and o.alternatives and SLOT not in o.alternatives for o in refused)
    with session_scope(pg_url) as session:
        active = session.execute(select(func.count()).select_from(Booking)
                                 .where(Booking.slot_start == datetime(2026, 12, 1, 18))).scalar_one()
    assert active == 1
