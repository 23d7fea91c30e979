"""Front-desk command for SMS alerts until the console takes over: who to call, at which number.

An alert only knows the hashed conversation id; the number is in `sms_contacts`. A crisis text
from an opted-out number gets no automatic reply at all, so a person must call.

    python -m intake.sms.frontdesk alerts    # urgent SMS alerts, newest first, with the number to call
"""
from __future__ import annotations

import argparse
from typing import List, Optional

import phonenumbers
from sqlalchemy import select

from intake.booking.contact import display_phone
from intake.storage import Alert, SmsContact, session_scope


def _readable(phone: str) -> str:
    """(310) 555-0142 for a phone number; a short code or sender name as Twilio sent it."""
    try:
        return display_phone(phone)
    except phonenumbers.NumberParseException:
        return phone


def sms_alert_lines(database_url: Optional[str] = None) -> List[str]:
    """One line per SMS alert: when, source, category, status, opt-out, and the phone number."""
    with session_scope(database_url) as session:
        rows = session.execute(
            select(Alert, SmsContact).join(SmsContact, SmsContact.conversation_id == Alert.conversation_id)
            .where(Alert.channel == "sms").order_by(Alert.created_at.desc())
        ).all()
        return [
            f"{alert.created_at:%Y-%m-%d %H:%M}  {alert.priority:<6} {alert.source:<16} {alert.category:<18} "
            f"{alert.status:<5} {_readable(contact.phone)}"
            f"{'  (opted out: call, do not text)' if contact.opted_out_at else ''}"
            for alert, contact in rows
        ]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["alerts"])
    parser.parse_args(argv)
    lines = sms_alert_lines()
    print("\n".join(lines) if lines else "No SMS alerts.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
