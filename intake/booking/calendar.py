"""A calendar file (.ics, RFC 5545) for a booking, and the signed link that serves it.

The link carries an HMAC of the reference code, so only the person who got it in the chat can
download the file; the code alone is not enough.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List, Optional

from intake.booking.store import BookingView
from intake.keys import VAR_DIR, secret_from_env_or_file
from intake.settings import Clinic

SECRET_FILE = VAR_DIR / "link_secret"
VISIT_LABELS = {"in_person": "In person", "telehealth": "Telehealth (video)"}


def link_secret(path: Path = SECRET_FILE) -> bytes:
    """INTAKE_LINK_SECRET, or a secret generated once into var/ and shared by local processes."""
    return secret_from_env_or_file("INTAKE_LINK_SECRET", path)


def link_token(reference: str, secret: Optional[bytes] = None) -> str:
    return hmac.new(secret or link_secret(), reference.encode(), hashlib.sha256).hexdigest()[:32]


def token_matches(reference: str, token: str, secret: Optional[bytes] = None) -> bool:
    return hmac.compare_digest(link_token(reference, secret), token or "")


def calendar_link(base_url: str, reference: str) -> str:
    return f"{base_url}/calendar/{reference}.ics?token={link_token(reference)}"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> List[str]:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    parts, current = [], ""
    for char in line:
        if len((current + char).encode()) > (75 if not parts else 74):
            parts.append(current)
            current = ""
        current += char
    parts.append(current)
    return [parts[0]] + [" " + part for part in parts[1:]]


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def booking_ics(booking: BookingView, clinic: Clinic, telehealth_note: str, now: Optional[datetime] = None) -> str:
    """The booking as a one-event calendar file."""
    end = booking.slot_start + timedelta(minutes=booking.slot_minutes)
    place = clinic.address if booking.visit_type == "in_person" else f"Telehealth: {telehealth_note}"
    description = (f"Consultation request {booking.reference} ({VISIT_LABELS[booking.visit_type]}). "
                   f"The front desk will contact you to confirm. Questions: {clinic.front_desk_phone}. "
                   "In a crisis call or text 988; emergency 911.")
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//intake-assistant//booking//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VEVENT",
        f"UID:{booking.reference}@intake-assistant",
        f"DTSTAMP:{_utc(now or datetime.now(timezone.utc))}",
        f"DTSTART:{_utc(booking.slot_start)}", f"DTEND:{_utc(end)}",
        f"SUMMARY:{_escape('Consultation at ' + clinic.name)}",
        f"LOCATION:{_escape(place)}",
        f"DESCRIPTION:{_escape(description)}",
        "STATUS:TENTATIVE" if booking.status == "requested" else "STATUS:CONFIRMED",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"
