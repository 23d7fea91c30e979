"""Booking through the real Rasa, action and web servers over REST, read back from the app
database: book with buttons and with free text, bad input re-asked with nothing stored, a slot
taken by someone else meanwhile, priority for flagged people, the calendar file, and moving and
cancelling a booking with its code and phone number."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import List, Optional

import requests
import sqlalchemy as sa

from intake.booking import store
from intake.handoff.rasa_auth import auth_headers
from intake.settings import settings
from tests.support.stack import buttons, texts

PHONE = "(310) 555-0142"
PHONE_E164 = "+13105550142"
# A phone number holds at most booking.max_open_per_phone upcoming bookings, so each booking of
# these tests is made under a number of its own (fiction range 555-01xx, several LA area codes).
_FRESH_PHONES = (f"({area}) 555-01{last:02d}" for area in (213, 323, 424, 562, 626, 661, 747, 818)
                 for last in range(100))


def fresh_phone() -> str:
    return next(_FRESH_PHONES)


def dotted(e164: str) -> str:
    """+13105550142 as a person might type it: 310.555.0142."""
    return f"{e164[2:5]}.{e164[5:8]}.{e164[8:]}"


def _sender() -> str:
    return f"book-{uuid.uuid4().hex[:12]}"


def _bookings(stack, sender: Optional[str] = None) -> List[dict]:
    engine = sa.create_engine(stack.app_database_url)
    query = "SELECT reference, conversation_id, full_name, phone, email, contact_method, visit_type, " \
            "slot_start, priority, status, cancelled_by FROM bookings"
    with engine.connect() as connection:
        if sender:
            rows = connection.execute(sa.text(query + " WHERE conversation_id = :c ORDER BY id"), {"c": sender})
        else:
            rows = connection.execute(sa.text(query + " ORDER BY id"))
        return [dict(row._mapping) for row in rows]


def _slot_payloads(reply: List[dict]) -> List[str]:
    return [b["payload"] for b in buttons(reply) if "booking_slot" in b["payload"]]


def _slot_of(payload: str) -> datetime:
    return datetime.fromisoformat(re.search(r'"booking_slot":"([^"]+)"', payload).group(1))


def _utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _stored(value) -> datetime:
    """A stored slot start (SQLite returns text, other databases a datetime)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _start(stack, sender: str) -> List[dict]:
    reply = stack.send(sender, "I'd like to book a consultation")
    assert "Nothing is saved until you confirm" in texts(reply)
    assert _slot_payloads(reply), texts(reply)
    return reply


def _details(stack, sender: str, email: str = "skip", method: str = '/inform{"booking_contact_method":"text"}',
             phone: str = "") -> str:
    assert "first and last name" in texts(stack.send(sender, '/inform{"booking_visit_type":"telehealth"}'))
    assert "phone number" in texts(stack.send(sender, "Maria Lopez"))
    assert "email" in texts(stack.send(sender, phone or fresh_phone()))
    assert "How should the front desk reach you" in texts(stack.send(sender, email))
    return texts(stack.send(sender, method))


def _book(stack, sender: str) -> dict:
    """A whole booking with the first offered time; returns the stored row."""
    first = _slot_payloads(_start(stack, sender))[0]
    assert "in person, or meet by video" in texts(stack.send(sender, first))
    assert "Shall I send this request?" in _details(stack, sender)
    reply = texts(stack.send(sender, "yes"))
    assert "Reference code:" in reply, reply
    return _bookings(stack, sender)[-1]


def test_book_with_buttons_confirm_and_read_it_from_the_database(stack):
    sender = _sender()
    reply = _start(stack, sender)
    first = _slot_payloads(reply)[0]
    slot = _slot_of(first)
    stack.send(sender, first)
    confirmation = _details(stack, sender, email="maria.lopez@example.com",
                            method='/inform{"booking_contact_method":"email"}', phone=PHONE)
    for part in ("Please check your request", "Maria Lopez", "(310) 555-0142", "maria.lopez@example.com",
                 "telehealth", "an email", slot.strftime("%b")):
        assert part in confirmation, confirmation
    unclear = stack.send(sender, "maybe")
    assert "Please answer yes" in texts(unclear)
    assert [b["title"] for b in buttons(unclear)] == ["Yes, send it", "Change the time", "Cancel"]
    assert _bookings(stack, sender) == []  # nothing stored before the confirmation
    messages = stack.send(sender, "yes")
    reply = texts(messages)
    row = _bookings(stack, sender)[0]
    assert f"Reference code: {row['reference']}" in reply
    assert "front desk will confirm by an email" in reply and "telehealth" in reply
    assert row["phone"] == PHONE_E164 and row["email"] == "maria.lopez@example.com"
    assert (row["full_name"], row["visit_type"], row["contact_method"], row["status"]) == \
        ("Maria Lopez", "telehealth", "email", "requested")
    assert _stored(row["slot_start"]) == _utc_naive(slot)
    tracker = stack.tracker(sender)
    assert tracker["slots"]["booking_reference"] == row["reference"]
    assert tracker["slots"]["booking_phone"] is None  # details live in the app database only

    link = re.search(r"(http://\S+\.ics\?token=\w+)", reply).group(1)
    calendar = requests.get(link, timeout=10)
    assert calendar.status_code == 200 and calendar.headers["Content-Type"].startswith("text/calendar")
    assert f"UID:{row['reference']}@" in calendar.text and "DTSTART:" in calendar.text
    forged = requests.get(link[:-4] + "0000", timeout=10)
    assert forged.status_code == 404


def test_free_text_times_closed_days_and_picking_by_number(stack):
    sender = _sender()
    _start(stack, sender)
    reply = stack.send(sender, "saturday at 10am")
    assert "We don't have a consultation starting at that time" in texts(reply)
    offered = _slot_payloads(reply)
    assert offered and all(_slot_of(p).weekday() < 5 for p in offered)
    assert "in person, or meet by video" in texts(stack.send(sender, "2"))
    assert stack.tracker(sender)["slots"]["booking_slot"] == _slot_of(offered[1]).isoformat()


def test_a_time_in_the_past_and_text_that_is_no_time_are_asked_again(stack):
    sender = _sender()
    _start(stack, sender)
    assert "already passed" in texts(stack.send(sender, "yesterday at 10am"))
    reply = stack.send(sender, "let me check with my boss first")
    assert "couldn't find a day or time" in texts(reply) and _slot_payloads(reply)
    assert stack.tracker(sender)["slots"]["booking_slot"] is None


def test_bad_details_are_asked_again_and_nothing_is_stored(stack):
    sender = _sender()
    stack.send(sender, _slot_payloads(_start(stack, sender))[0])
    stack.send(sender, '/inform{"booking_visit_type":"in_person"}')
    assert "longer than a name" in texts(stack.send(sender, "A" * 500))
    assert "using letters" in texts(stack.send(sender, "<script>alert(1)</script>"))
    assert "using letters" in texts(stack.send(sender, "Robert'); DROP TABLE bookings;--"))
    assert "first and last name" in texts(stack.send(sender, "Maria"))
    assert "phone number" in texts(stack.send(sender, "Maria Lopez"))
    assert "doesn't look like a phone number" in texts(stack.send(sender, "12345"))
    assert "email" in texts(stack.send(sender, PHONE))
    assert "doesn't look right" in texts(stack.send(sender, "maria@"))
    stack.send(sender, "skip")
    assert "choose a call or a text" in texts(stack.send(sender, "email me"))
    assert "Shall I send this request?" in texts(stack.send(sender, "call me"))
    reply = texts(stack.send(sender, "/stop"))
    assert "Nothing was saved" in reply
    assert _bookings(stack, sender) == []
    slots = stack.tracker(sender)["slots"]
    assert slots["booking_name"] is None and slots["booking_phone"] is None


def test_change_the_time_at_the_confirmation_keeps_the_other_answers(stack):
    sender = _sender()
    offered = _slot_payloads(_start(stack, sender))
    stack.send(sender, offered[0])
    _details(stack, sender)
    reply = stack.send(sender, "/change_time")
    assert "pick another time" in texts(reply) and _slot_payloads(reply)
    reply = texts(stack.send(sender, offered[1]))
    assert "Please check your request" in reply and "Maria Lopez" in reply
    stack.send(sender, "yes")
    assert _stored(_bookings(stack, sender)[0]["slot_start"]) == _utc_naive(_slot_of(offered[1]))


def test_a_slot_taken_meanwhile_is_refused_and_other_times_offered(stack):
    first, second = _sender(), _sender()
    offered = _slot_payloads(_start(stack, first))
    _start(stack, second)
    for sender in (first, second):
        stack.send(sender, offered[2])
        _details(stack, sender)
    assert "Reference code:" in texts(stack.send(first, "yes"))
    reply = stack.send(second, "yes")
    assert "just been taken" in texts(reply) and "Nothing has been saved" in texts(reply)
    alternatives = _slot_payloads(reply)
    assert alternatives and offered[2] not in alternatives
    assert _bookings(stack, second) == []
    assert "Please check your request" in texts(stack.send(second, alternatives[0]))
    assert "Reference code:" in texts(stack.send(second, "yes"))
    assert _bookings(stack, first)[0]["slot_start"] != _bookings(stack, second)[0]["slot_start"]


def test_people_flagged_by_the_screening_get_earlier_slots_and_are_marked_priority(stack):
    flagged, other = _sender(), _sender()
    stack.send(flagged, "hello")
    event = {"event": "slot", "name": "screening_priority", "value": True}
    requests.post(f"{stack.rasa_url}/conversations/{flagged}/tracker/events", headers=auth_headers(stack.token),
                  json=event, timeout=30).raise_for_status()
    schedule = settings().schedule

    def first_free(priority: bool) -> datetime:
        taken = store.taken_slots(schedule, stack.app_database_url)
        return schedule.free_slots(datetime.now(timezone.utc), taken, priority)[0]

    # Read just before and just after the server answered: the lead time may cross a slot start.
    flagged_before, other_before = first_free(True), first_free(False)
    flagged_first = _slot_of(_slot_payloads(_start(stack, flagged))[0])
    other_first = _slot_of(_slot_payloads(_start(stack, other))[0])
    assert flagged_first in {flagged_before, first_free(True)}
    assert other_first in {other_before, first_free(False)}
    # The flagged person is never offered later times; strictly earlier unless the priority
    # window falls on a closed weekend (Friday evening: Monday 09:00 for both).
    assert flagged_before <= other_before
    for sender in (flagged, other):
        stack.send(sender, "/stop")
    assert _book(stack, flagged)["priority"] in (1, True)
    assert _book(stack, other)["priority"] in (0, False)


def test_one_phone_number_holds_at_most_the_configured_upcoming_bookings(stack):
    phone = fresh_phone()
    for _ in range(settings().max_open_bookings_per_phone):
        sender = _sender()
        stack.send(sender, _slot_payloads(_start(stack, sender))[0])
        _details(stack, sender, phone=phone)
        assert "Reference code:" in texts(stack.send(sender, "yes"))
    sender = _sender()
    stack.send(sender, _slot_payloads(_start(stack, sender))[0])
    _details(stack, sender, phone=phone)
    reply = texts(stack.send(sender, "yes"))
    assert "already has 2 upcoming consultation requests" in reply and "change my booking" in reply
    assert _bookings(stack, sender) == []
    assert stack.tracker(sender)["slots"]["booking_phone"] is None


def test_move_and_cancel_a_booking_with_code_and_phone(stack):
    sender = _sender()
    row = _book(stack, sender)
    later = _sender()  # a new conversation, as when someone comes back another day
    assert "reference code" in texts(stack.send(later, "I need to reschedule my appointment"))
    stack.send(later, row["reference"].lower())
    reply = stack.send(later, "213 555 0100")
    assert "couldn't find an active booking" in texts(reply)
    stack.send(later, row["reference"])
    reply = stack.send(later, row["phone"])
    new_payload = [p for p in _slot_payloads(reply) if _stored(row["slot_start"]) != _utc_naive(_slot_of(p))][0]
    reply = texts(stack.send(later, new_payload))
    assert f"Move your consultation {row['reference']}" in reply
    assert "has been moved" in texts(stack.send(later, "yes"))
    moved = _bookings(stack, sender)[0]
    assert moved["reference"] == row["reference"] and _stored(moved["slot_start"]) == _utc_naive(_slot_of(new_payload))

    stack.send(later, "please cancel my appointment")
    stack.send(later, row["reference"])
    assert f"Cancel your consultation {row['reference']}" in texts(stack.send(later, dotted(row["phone"])))
    # A hesitant "hmm" (read as "yes" by the intent classifier) must not cancel anything.
    assert "is cancelled" not in texts(stack.send(later, "hmm"))
    assert _bookings(stack, sender)[0]["status"] != "cancelled"
    assert "is cancelled" in texts(stack.send(later, "yes"))
    cancelled = _bookings(stack, sender)[0]
    assert (cancelled["status"], cancelled["cancelled_by"]) == ("cancelled", "patient")
