"""What the assistant says about times and bookings: short, plain, with the clinic's own facts."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from intake.booking.contact import display_phone
from intake.booking.store import BookingView
from intake.settings import Clinic

VISIT_WORDS = {"in_person": "in person at the clinic", "telehealth": "by telehealth (video)"}
CONTACT_WORDS = {"call": "a phone call", "text": "a text message", "email": "an email"}
UNAVAILABLE = {
    "past": "That time has already passed.",
    "too_soon": "That's too soon for us to prepare; we need a little more notice.",
    "reserved": "That time isn't available.",
    "holiday": "The clinic is closed that day.",
    "closed": "We don't have a consultation starting at that time.",
    "too_far": "We can only book a few weeks ahead.",
    "taken": "Sorry, that time has just been taken.",
    "none_in_window": "Nothing is free then.",
    "none_at_that_time": "Nothing is free at that time.",
}


def slot_label(slot: datetime) -> str:
    """'Tue, Dec 1 at 10:00 AM' (clinic time)."""
    hour = slot.strftime("%I:%M %p").lstrip("0")
    return f"{slot.strftime('%a, %b')} {slot.day} at {hour}"


def unavailable_sentence(reason: Optional[str]) -> str:
    return UNAVAILABLE.get(reason or "", "That time isn't available.")


def confirmation_question(name: str, phone: str, email: Optional[str], contact_method: str,
                          visit_type: str, slot: datetime, time_zone_label: str) -> str:
    """Everything the person gave, shown once before anything is stored."""
    lines = [
        "Please check your request:",
        f"• Time: {slot_label(slot)} ({time_zone_label} time)",
        f"• Visit: {VISIT_WORDS[visit_type]}",
        f"• Name: {name}",
        f"• Phone: {display_phone(phone)}",
    ]
    if email:
        lines.append(f"• Email: {email}")
    lines.append(f"• We'll reach you by {CONTACT_WORDS[contact_method]}")
    lines.append("Shall I send this request?")
    return "\n".join(lines)


def booked_message(booking: BookingView, clinic: Clinic, telehealth_note: str, time_zone_label: str,
                   heading: str = "Your consultation request is in.") -> str:
    """Date, time, place or telehealth note, reference code and what happens next."""
    place = (f"at {clinic.address}" if booking.visit_type == "in_person"
             else f"by telehealth: {telehealth_note}")
    contact = CONTACT_WORDS[booking.contact_method]
    return (
        f"{heading} {slot_label(booking.slot_start)} ({time_zone_label} time), {place}.\n"
        f"Reference code: {booking.reference}\n"
        f"What happens next: our front desk will confirm by {contact}, usually within one business day. "
        f"To change or cancel, tell me your reference code and phone number, or call {clinic.front_desk_phone}."
    )
