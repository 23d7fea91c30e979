"""Front-desk commands for bookings until the console (web app) takes over:

    python -m intake.booking.frontdesk list              # upcoming bookings, earliest first
    python -m intake.booking.frontdesk confirm K7MXQ4    # requested -> confirmed
    python -m intake.booking.frontdesk cancel K7MXQ4     # the slot is free again at once
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from typing import List, Optional

from sqlalchemy import select

from intake.booking.contact import display_phone
from intake.booking.messages import slot_label
from intake.booking.store import set_booking_status
from intake.settings import settings
from intake.storage import Booking, session_scope


def upcoming_lines(database_url: Optional[str] = None) -> List[str]:
    """One line per booking from now on: time, status, priority, code, name, phone, visit."""
    schedule = settings().schedule
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with session_scope(database_url) as session:
        rows = session.execute(select(Booking).where(Booking.slot_start >= now).order_by(Booking.slot_start)).scalars()
        return [
            f"{slot_label(schedule.local(row.slot_start.replace(tzinfo=timezone.utc)))}  {row.status:<9} "
            f"{'PRIORITY ' if row.priority else ''}{row.reference}  {row.full_name}  {display_phone(row.phone)}  "
            f"{row.visit_type}, by {row.contact_method}"
            for row in rows
        ]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["list", "confirm", "cancel"])
    parser.add_argument("reference", nargs="?")
    args = parser.parse_args(argv)
    if args.command == "list":
        print("\n".join(upcoming_lines()) or "No upcoming bookings.")
        return 0
    if not args.reference:
        parser.error("a reference code is needed")
    status = "confirmed" if args.command == "confirm" else "cancelled"
    try:
        booking = set_booking_status(args.reference.upper(), status, settings().schedule)
    except ValueError as refused:
        print(str(refused), file=sys.stderr)
        return 1
    if booking is None:
        print(f"No booking {args.reference}", file=sys.stderr)
        return 1
    print(f"{booking.reference}: {booking.status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
