"""Bookings in a real SQLite app database: storing, the one-slot rule, finding, cancelling,
moving, the front desk's status, the migrations and the calendar file."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from intake.booking import store
from intake.booking.calendar import booking_ics, calendar_link, link_token, token_matches
from intake.booking.messages import booked_message, confirmation_question
from intake.settings import load_settings
from intake.storage import Booking, database, session_scope
from intake.storage.migrate import current_revision, head_revision
from tests.unit.test_booking_schedule import at, make_schedule

NOW = datetime(2026, 11, 30, 8, tzinfo=ZoneInfo("America/Los_Angeles"))
SLOT = at(2026, 12, 1, 10)


@pytest.fixture
def db_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    yield url
    database.cache_clear()


def request(conversation="c1", priority=True, **overrides) -> store.BookingRequest:
    fields = dict(conversation_id=conversation, full_name="Maria Lopez", phone="+13105550142",
                  contact_method="text", visit_type="in_person", email=None, channel="rest", priority=priority)
    return store.BookingRequest(**{**fields, **overrides})


def test_the_schema_comes_from_the_migrations(db_url):
    engine = database(db_url).engine
    assert current_revision(engine) == head_revision()
    indexes = {index["name"]: index for index in inspect(engine).get_indexes("bookings")}
    assert indexes["uq_bookings_active_slot"]["unique"]


def test_a_database_made_before_migrations_is_stamped_and_upgraded(tmp_path):
    from sqlalchemy import create_engine, text
    url = f"sqlite:///{tmp_path / 'old.db'}"
    legacy = create_engine(url)
    with legacy.begin() as connection:
        connection.execute(text("CREATE TABLE alerts (id INTEGER PRIMARY KEY, conversation_id VARCHAR(128))"))
        connection.execute(text("CREATE TABLE screenings (id INTEGER PRIMARY KEY)"))
    legacy.dispose()
    try:
        assert current_revision(database(url).engine) == head_revision()
        assert "bookings" in inspect(database(url).engine).get_table_names()
    finally:
        database.cache_clear()


def test_a_booking_is_stored_with_a_reference_and_status_requested(db_url):
    outcome = store.book_slot(request(), SLOT, make_schedule(), NOW, db_url)
    booking = outcome.booking
    assert booking is not None and booking.status == "requested" and len(booking.reference) == 6
    assert booking.slot_start == SLOT
    with session_scope(db_url) as session:
        row = session.execute(select(Booking)).scalar_one()
        assert row.slot_start == datetime(2026, 12, 1, 18, 0)  # stored in UTC
        assert row.phone == "+13105550142" and row.priority is True


def test_a_taken_slot_is_refused_with_the_nearest_free_ones(db_url):
    schedule = make_schedule()
    store.book_slot(request("c1"), SLOT, schedule, NOW, db_url)
    second = store.book_slot(request("c2"), SLOT, schedule, NOW, db_url)
    assert second.booking is None and second.reason == "taken"
    assert second.alternatives and SLOT not in second.alternatives
    assert at(2026, 12, 1, 9) in second.alternatives and at(2026, 12, 1, 11) in second.alternatives


def test_a_phone_number_holds_at_most_the_cap_of_upcoming_bookings(db_url):
    schedule = make_schedule()
    for conversation, hour in (("c1", 10), ("c2", 11)):
        assert store.book_slot(request(conversation), at(2026, 12, 1, hour), schedule, NOW, db_url,
                               max_open_per_phone=2).booking is not None
    refused = store.book_slot(request("c3"), at(2026, 12, 1, 14), schedule, NOW, db_url, max_open_per_phone=2)
    assert refused.booking is None and refused.reason == "phone_limit" and refused.alternatives == []
    other = store.book_slot(request("c4", phone="+13105550143"), at(2026, 12, 1, 14), schedule, NOW, db_url,
                            max_open_per_phone=2)
    assert other.booking is not None  # another number is not held up
    first = store.bookings_of("c1", schedule, db_url)[0]
    store.cancel_booking(first.reference, first.phone, schedule, database_url=db_url)
    assert store.book_slot(request("c3"), at(2026, 12, 1, 15), schedule, NOW, db_url,
                           max_open_per_phone=2).booking is not None  # a cancelled one no longer counts


def test_the_database_itself_refuses_a_second_active_booking_of_a_slot(db_url):
    database(db_url)
    row = dict(conversation_id="x", full_name="A B", phone="+13105550142", contact_method="call",
               visit_type="telehealth", slot_start=datetime(2026, 12, 1, 18), slot_minutes=60, priority=False)
    with session_scope(db_url) as session:
        session.add(Booking(reference="AAAAAA", status="requested", **row))
    with pytest.raises(IntegrityError):
        with session_scope(db_url) as session:
            session.add(Booking(reference="CCCCCC", status="requested", **row))
    with session_scope(db_url) as session:  # a cancelled booking does not hold the slot
        session.add(Booking(reference="EEEEEE", status="cancelled", **row))


def test_times_that_cannot_be_booked_store_nothing(db_url):
    schedule = make_schedule()
    for moment in (at(2026, 11, 29, 10), at(2026, 12, 5, 10), at(2026, 12, 1, 10, 30)):
        assert store.book_slot(request(), moment, schedule, NOW, db_url).booking is None
    with session_scope(db_url) as session:
        assert session.execute(select(Booking)).first() is None


def test_find_needs_the_code_and_the_phone(db_url):
    schedule = make_schedule()
    booking = store.book_slot(request(), SLOT, schedule, NOW, db_url).booking
    assert store.find_booking(booking.reference.lower(), "+13105550142", schedule, db_url) == booking
    assert store.find_booking(booking.reference, "+12133734253", schedule, db_url) is None
    assert store.find_booking("XXXXXX", "+13105550142", schedule, db_url) is None


def test_cancelling_frees_the_slot(db_url):
    schedule = make_schedule()
    booking = store.book_slot(request("c1"), SLOT, schedule, NOW, db_url).booking
    cancelled = store.cancel_booking(booking.reference, booking.phone, schedule, database_url=db_url)
    assert cancelled.status == "cancelled"
    assert store.find_booking(booking.reference, booking.phone, schedule, db_url) is None
    assert store.book_slot(request("c2"), SLOT, schedule, NOW, db_url).booking is not None


def test_rescheduling_moves_the_booking_and_keeps_its_code(db_url):
    schedule = make_schedule()
    booking = store.book_slot(request("c1"), SLOT, schedule, NOW, db_url).booking
    store.book_slot(request("c2"), at(2026, 12, 2, 10), schedule, NOW, db_url)
    refused = store.reschedule_booking(booking.reference, booking.phone, at(2026, 12, 2, 10), schedule, NOW, db_url)
    assert refused.booking is None and refused.reason == "taken" and refused.alternatives
    moved = store.reschedule_booking(booking.reference, booking.phone, at(2026, 12, 3, 14), schedule, NOW, db_url)
    assert moved.booking.reference == booking.reference and moved.booking.slot_start == at(2026, 12, 3, 14)
    assert store.book_slot(request("c3"), SLOT, schedule, NOW, db_url).booking is not None  # old slot is free


def test_the_front_desk_confirms_or_cancels(db_url):
    schedule = make_schedule()
    booking = store.book_slot(request(), SLOT, schedule, NOW, db_url).booking
    assert store.set_booking_status(booking.reference, "confirmed", schedule, db_url).status == "confirmed"
    with pytest.raises(ValueError):
        store.set_booking_status(booking.reference, "maybe", schedule, db_url)
    assert store.set_booking_status(booking.reference, "cancelled", schedule, db_url).status == "cancelled"
    with pytest.raises(ValueError):  # a cancelled booking is not revived: its slot may be someone else's
        store.set_booking_status(booking.reference, "confirmed", schedule, db_url)
    assert [b.reference for b in store.bookings_of("c1", schedule, db_url)] == [booking.reference]


def test_the_confirmation_and_calendar_file_carry_what_the_person_needs(db_url):
    settings = load_settings()
    schedule = make_schedule()
    booking = store.book_slot(request(), SLOT, schedule, NOW, db_url).booking
    message = booked_message(booking, settings.clinic, "a video link is sent", "Los Angeles")
    for part in ("Tue, Dec 1 at 10:00 AM", booking.reference, settings.clinic.address, "front desk will confirm"):
        assert part in message
    question = confirmation_question("Maria Lopez", "+13105550142", None, "text", "telehealth", SLOT, "Los Angeles")
    assert "(310) 555-0142" in question and "telehealth" in question
    ics = booking_ics(booking, settings.clinic, "a video link is sent", now=NOW)
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20261201T180000Z" in ics and "DTEND:20261201T190000Z" in ics
    assert f"UID:{booking.reference}@" in ics
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))


def test_calendar_links_are_signed(monkeypatch):
    monkeypatch.setenv("INTAKE_LINK_SECRET", "test-secret")
    link = calendar_link("https://clinic.example", "K7MXQ4")
    assert link.startswith("https://clinic.example/calendar/K7MXQ4.ics?token=")
    assert token_matches("K7MXQ4", link_token("K7MXQ4"))
    assert not token_matches("K7MXQ4", link_token("K7MXQ3"))
    assert not token_matches("K7MXQ4", "")


def test_the_front_desk_command_lists_confirms_and_cancels(db_url, monkeypatch, capsys):
    from intake.booking import frontdesk
    from intake.settings import settings

    monkeypatch.setenv("INTAKE_DATABASE_URL", db_url)
    settings.cache_clear()
    try:
        schedule = settings().schedule
        slot = schedule.free_slots(datetime.now(ZoneInfo("UTC")), [], True)[0]
        booking = store.book_slot(request(), slot, schedule, database_url=db_url).booking
        assert frontdesk.main(["list"]) == 0
        listed = capsys.readouterr().out
        assert booking.reference in listed and "requested" in listed and "PRIORITY" in listed
        assert frontdesk.main(["confirm", booking.reference.lower()]) == 0
        assert "confirmed" in capsys.readouterr().out
        assert frontdesk.main(["cancel", booking.reference]) == 0
        assert store.find_booking(booking.reference, booking.phone, schedule, db_url) is None
        assert frontdesk.main(["confirm", booking.reference]) == 1
        assert frontdesk.main(["confirm", "XXXXXX"]) == 1
    finally:
        settings.cache_clear()


def test_a_slot_in_the_clocks_past_is_still_protected_against_a_second_booking(db_url):
    """The store judges "taken" by the same `now` as the caller, and a refusal by the index is
    "taken" whatever the clock says."""
    schedule = make_schedule()
    long_ago = datetime(2020, 1, 6, 8, tzinfo=ZoneInfo("America/Los_Angeles"))
    slot = at(2020, 1, 7, 10)
    assert store.book_slot(request("c1"), slot, schedule, long_ago, db_url).booking is not None
    second = store.book_slot(request("c2"), slot, schedule, long_ago, db_url)
    assert second.booking is None and second.reason == "taken" and second.alternatives
