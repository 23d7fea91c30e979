"""Bookings in the app database: taking a slot, finding, cancelling and moving a booking.

The database, not this code, is the last word on whether a slot is free: the partial unique
index on active bookings' `slot_start` refuses a second booking of the same slot even when two
servers race. A refused insert becomes the nearest free alternatives for the person.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import List, Optional

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from intake.booking.references import new_reference, normalize_reference
from intake.booking.schedule import Schedule
from intake.storage import Booking, session_scope

STATUSES = ("requested", "confirmed", "cancelled")


@dataclass(frozen=True)
class BookingRequest:
    """Everything the person gave, already validated."""

    conversation_id: str
    full_name: str
    phone: str
    contact_method: str
    visit_type: str
    email: Optional[str] = None
    channel: Optional[str] = None
    priority: bool = False


@dataclass(frozen=True)
class BookingView:
    """A stored booking as the assistant and the front desk see it (slot in clinic time)."""

    reference: str
    full_name: str
    phone: str
    email: Optional[str]
    contact_method: str
    visit_type: str
    slot_start: datetime
    slot_minutes: int
    priority: bool
    status: str


@dataclass(frozen=True)
class BookingOutcome:
    """The booking when the slot was still free, else the nearest free slots to offer."""

    booking: Optional[BookingView] = None
    alternatives: List[datetime] = field(default_factory=list)
    reason: Optional[str] = None


def _to_db(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _view(row: Booking, schedule: Schedule) -> BookingView:
    return BookingView(
        reference=row.reference, full_name=row.full_name, phone=row.phone, email=row.email,
        contact_method=row.contact_method, visit_type=row.visit_type,
        slot_start=schedule.local(row.slot_start.replace(tzinfo=timezone.utc)), slot_minutes=row.slot_minutes,
        priority=bool(row.priority), status=row.status)


def taken_slots(schedule: Schedule, database_url: Optional[str] = None,
                now: Optional[datetime] = None) -> List[datetime]:
    """Start times (clinic time) of every active booking from `now` (default: the clock) on."""
    since = _to_db(now or datetime.now(timezone.utc))
    with session_scope(database_url) as session:
        rows = session.execute(select(Booking.slot_start).where(
            Booking.status != "cancelled", Booking.slot_start >= since)).scalars()
        return [schedule.local(start.replace(tzinfo=timezone.utc)) for start in rows]


def _alternatives(slot: datetime, schedule: Schedule, now: datetime, priority: bool,
                  database_url: Optional[str]) -> List[datetime]:
    return schedule.nearest_free_slots(slot, now, taken_slots(schedule, database_url, now), priority)


def _reference_exists(reference: str, database_url: Optional[str]) -> bool:
    with session_scope(database_url) as session:
        return session.execute(select(Booking.id).where(Booking.reference == reference)).first() is not None


def open_bookings_of_phone(phone: str, now: datetime, database_url: Optional[str] = None) -> int:
    """Upcoming, not cancelled bookings under `phone` (E.164)."""
    with session_scope(database_url) as session:
        return session.execute(select(func.count(Booking.id)).where(
            Booking.phone == phone, Booking.status != "cancelled", Booking.slot_start >= _to_db(now))).scalar_one()


def book_slot(request: BookingRequest, slot: datetime, schedule: Schedule, now: Optional[datetime] = None,
              database_url: Optional[str] = None, max_open_per_phone: Optional[int] = None) -> BookingOutcome:
    """Store a booking for `slot` with status "requested", or say why not and offer others.

    With `max_open_per_phone`, a phone number that already holds that many upcoming bookings gets
    none more (reason "phone_limit", no alternatives): it can change or cancel one instead."""
    now = now or datetime.now(timezone.utc)
    if max_open_per_phone is not None and \
            open_bookings_of_phone(request.phone, now, database_url) >= max_open_per_phone:
        return BookingOutcome(reason="phone_limit")
    reason = schedule.unavailable_reason(slot, now, taken_slots(schedule, database_url, now), request.priority)
    if reason is not None:
        return BookingOutcome(alternatives=_alternatives(slot, schedule, now, request.priority, database_url),
                              reason=reason)
    for _ in range(5):  # a reference code collision is retried with a new code
        reference = new_reference()
        try:
            if _reference_exists(reference, database_url):
                continue
            with session_scope(database_url) as session:
                row = Booking(reference=reference, conversation_id=request.conversation_id,
                              channel=request.channel, full_name=request.full_name, phone=request.phone,
                              email=request.email, contact_method=request.contact_method,
                              visit_type=request.visit_type, slot_start=_to_db(slot),
                              slot_minutes=schedule.slot_minutes, priority=request.priority, status="requested")
                session.add(row)
                session.flush()
                return BookingOutcome(booking=_view(row, schedule))
        except IntegrityError:
            if not _reference_exists(reference, database_url):  # the slot index refused it: taken
                return BookingOutcome(alternatives=_alternatives(slot, schedule, now, request.priority,
                                                                 database_url), reason="taken")
    raise RuntimeError("could not allocate a booking reference")


def _active_row(session, reference: str, phone: str) -> Optional[Booking]:
    code = normalize_reference(reference or "")
    if code is None:
        return None
    row = session.execute(select(Booking).where(Booking.reference == code)).scalar_one_or_none()
    if row is None or row.status == "cancelled" or row.phone != phone:
        return None
    return row


def find_booking(reference: str, phone: str, schedule: Schedule,
                 database_url: Optional[str] = None) -> Optional[BookingView]:
    """The active booking with this code and phone number (E.164); both must match."""
    with session_scope(database_url) as session:
        row = _active_row(session, reference, phone)
        return _view(row, schedule) if row else None


def active_booking(reference: str, schedule: Schedule, database_url: Optional[str] = None) -> Optional[BookingView]:
    """The active booking with this code (for a signed calendar link; no phone needed)."""
    with session_scope(database_url) as session:
        row = session.execute(select(Booking).where(Booking.reference == reference)).scalar_one_or_none()
        return _view(row, schedule) if row is not None and row.status != "cancelled" else None


def cancel_booking(reference: str, phone: str, schedule: Schedule, by: str = "patient",
                   database_url: Optional[str] = None) -> Optional[BookingView]:
    """Cancel an active booking (its slot is free again at once); None when there is none."""
    with session_scope(database_url) as session:
        row = _active_row(session, reference, phone)
        if row is None:
            return None
        row.status, row.cancelled_by = "cancelled", by
        session.flush()
        return _view(row, schedule)


def reschedule_booking(reference: str, phone: str, slot: datetime, schedule: Schedule,
                       now: Optional[datetime] = None, database_url: Optional[str] = None) -> BookingOutcome:
    """Move an active booking to `slot`; it stays "requested" so the front desk confirms again."""
    now = now or datetime.now(timezone.utc)
    current = find_booking(reference, phone, schedule, database_url)
    if current is None:
        return BookingOutcome(reason="not_found")
    taken = [t for t in taken_slots(schedule, database_url, now) if _to_db(t) != _to_db(current.slot_start)]
    reason = schedule.unavailable_reason(slot, now, taken, current.priority)
    if reason is not None:
        return BookingOutcome(alternatives=schedule.nearest_free_slots(slot, now, taken, current.priority),
                              reason=reason)
    try:
        with session_scope(database_url) as session:
            row = _active_row(session, reference, phone)
            row.slot_start, row.status = _to_db(slot), "requested"
            session.flush()
            return BookingOutcome(booking=_view(row, schedule))
    except IntegrityError:
        return BookingOutcome(alternatives=_alternatives(slot, schedule, now, current.priority, database_url),
                              reason="taken")


ALLOWED_CHANGES = {("requested", "confirmed"), ("requested", "cancelled"), ("confirmed", "cancelled")}


def set_booking_status(reference: str, status: str, schedule: Schedule,
                       database_url: Optional[str] = None) -> Optional[BookingView]:
    """The front desk confirms or cancels a booking. A cancelled booking stays cancelled (its
    slot may already belong to someone else): the person books again."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    with session_scope(database_url) as session:
        row = session.execute(select(Booking).where(Booking.reference == reference)).scalar_one_or_none()
        if row is None:
            return None
        if (row.status, status) not in ALLOWED_CHANGES:
            raise ValueError(f"booking {reference} is {row.status}; it cannot become {status}")
        row.status = status
        if status == "cancelled":
            row.cancelled_by = "front_desk"
        session.flush()
        return _view(row, schedule)


def bookings_of(conversation_id: str, schedule: Schedule, database_url: Optional[str] = None) -> List[BookingView]:
    """Every booking made in a conversation, oldest first (for the front desk's card)."""
    with session_scope(database_url) as session:
        rows = session.execute(select(Booking).where(Booking.conversation_id == conversation_id)
                               .order_by(Booking.id)).scalars()
        return [_view(row, schedule) for row in rows]
