"""SMS contacts in the app database: the number behind a hashed conversation id, its opt-out,
whether it has had the unencrypted notice, and the numbered options last sent to it.

All state is in the database so that every Rasa server behind a load balancer, and a server
after a restart, treats a number the same way (an opted-out number stays opted out everywhere).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Optional, Sequence

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from intake.sms.options import NumberedOption, options_from_json
from intake.storage import SmsContact, session_scope
from intake.storage.models import utc_now


@dataclass(frozen=True)
class ContactView:
    """A contact as the channel needs it, detached from any database session."""

    conversation_id: str
    phone: str
    first_contact_at: datetime
    notice_sent_at: Optional[datetime]
    opted_out_at: Optional[datetime]
    last_options: List[NumberedOption]

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None

    @property
    def needs_notice(self) -> bool:
        return self.notice_sent_at is None


def _view(row: SmsContact) -> ContactView:
    return ContactView(row.conversation_id, row.phone, row.first_contact_at, row.notice_sent_at,
                       row.opted_out_at, options_from_json(row.last_options))


def _row(session, conversation_id: str) -> Optional[SmsContact]:
    return session.execute(select(SmsContact).where(SmsContact.conversation_id == conversation_id)).scalar_one_or_none()


def contact_for(conversation_id: str, phone: str) -> ContactView:
    """The contact of this number, created on its first message.

    Found by the number, so that after a change of the id key the number keeps its opt-out
    (the law cares about the number, not our id); its conversation id is then updated. Two
    first messages from one number may arrive at once (on two servers); the unique columns let
    one insert win and the other read the winner's row."""
    with session_scope() as session:
        row = session.execute(select(SmsContact).where(SmsContact.phone == phone)).scalar_one_or_none()
        if row is not None:
            if row.conversation_id != conversation_id:
                row.conversation_id = conversation_id
            return _view(row)
    try:
        with session_scope() as session:
            row = SmsContact(conversation_id=conversation_id, phone=phone, last_options=[])
            session.add(row)
            session.flush()
            return _view(row)
    except IntegrityError:
        with session_scope() as session:
            return _view(session.execute(select(SmsContact).where(SmsContact.phone == phone)).scalar_one())


def find_contact(conversation_id: str) -> Optional[ContactView]:
    """The contact behind a conversation id (e.g. for the front desk, or a proactive message)."""
    with session_scope() as session:
        row = _row(session, conversation_id)
        return _view(row) if row is not None else None


def is_opted_out(conversation_id: str) -> bool:
    """Checked again just before each send, so a STOP wins over a reply still being prepared."""
    with session_scope() as session:
        row = _row(session, conversation_id)
        return row is not None and row.opted_out_at is not None


def record_opt_out(conversation_id: str) -> bool:
    """Mark the number opted out; False when it already was (then no second confirmation).

    One conditional UPDATE, so two STOPs arriving at once on two servers confirm only once."""
    now = utc_now()
    with session_scope() as session:
        result = session.execute(
            update(SmsContact)
            .where(SmsContact.conversation_id == conversation_id, SmsContact.opted_out_at.is_(None))
            .values(opted_out_at=now, last_options=[], updated_at=now)
        )
        return result.rowcount == 1


def record_opt_in(conversation_id: str) -> None:
    with session_scope() as session:
        row = _row(session, conversation_id)
        if row is not None:
            row.opted_out_at = None


def record_notice_sent(conversation_id: str) -> None:
    with session_scope() as session:
        row = _row(session, conversation_id)
        if row is not None and row.notice_sent_at is None:
            row.notice_sent_at = utc_now()


def store_last_options(conversation_id: str, options: Sequence[NumberedOption]) -> None:
    """Remember what "1", "2", ... mean for this number (an empty list forgets it)."""
    with session_scope() as session:
        row = _row(session, conversation_id)
        if row is not None:
            row.last_options = [option.as_json() for option in options]


# A MessageSid is remembered this long; Twilio's retries come within minutes.
HANDLED_KEPT = timedelta(days=2)


def first_delivery(message_sid: str) -> bool:
    """True the first time `message_sid` is seen (and records it), False for a repeat. Ids older
    than HANDLED_KEPT are forgotten on the way."""
    from sqlalchemy import delete

    from intake.storage.models import SmsInboundHandled

    now = utc_now()
    try:
        with session_scope() as session:
            session.add(SmsInboundHandled(message_sid=message_sid[:64], received_at=now))
            session.flush()
            session.execute(delete(SmsInboundHandled).where(SmsInboundHandled.received_at < now - HANDLED_KEPT))
    except IntegrityError:
        return False
    return True
