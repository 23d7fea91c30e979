"""Tables of the app database. Health answers are stored for the clinician, nothing more."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, BigInteger, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, String,
                        text)
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Alert(Base):
    """Something the front desk must see: a crisis message or a positive safety screen."""

    __tablename__ = "alerts"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    conversation_id = Column(String(128), nullable=False, index=True)
    source = Column(String(32), nullable=False)  # "crisis_message", "crisis_not_safe", "asq"
    category = Column(String(32), nullable=False)  # risk category or ASQ triage
    handling = Column(String(32), nullable=True)  # self, third_party, past_attempt
    triage = Column(String(32), nullable=True)
    priority = Column(String(16), nullable=False)  # "urgent" or "high"
    status = Column(String(16), nullable=False, default="new")
    channel = Column(String(32), nullable=True)


class Screening(Base):
    """One completed or partial run of a screening instrument."""

    __tablename__ = "screenings"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    instrument = Column(String(32), nullable=False)
    version = Column(String(32), nullable=False)
    answers = Column(JSON, nullable=False, default=dict)
    score = Column(Integer, nullable=True)
    triage = Column(String(32), nullable=True)
    flags = Column(JSON, nullable=False, default=list)
    completed = Column(Integer, nullable=False, default=0)
    started_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    finished_at = Column(DateTime(timezone=True), nullable=True)


class Booking(Base):
    """A consultation request. `slot_start` is naive UTC; an active booking owns its slot.

    The partial unique index is the guarantee that one slot is never given twice, also when
    many requests race for it on several servers: the database refuses the second insert."""

    __tablename__ = "bookings"

    id = Column(Integer, primary_key=True)
    reference = Column(String(12), nullable=False, unique=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(32), nullable=True)
    full_name = Column(String(100), nullable=False)
    phone = Column(String(20), nullable=False)  # E.164
    email = Column(String(254), nullable=True)
    contact_method = Column(String(8), nullable=False)  # call, text, email
    visit_type = Column(String(16), nullable=False)  # in_person, telehealth
    slot_start = Column(DateTime(timezone=False), nullable=False)  # UTC
    slot_minutes = Column(Integer, nullable=False)
    priority = Column(Boolean, nullable=False, default=False)
    status = Column(String(16), nullable=False, default="requested")  # requested, confirmed, cancelled
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utc_now, onupdate=utc_now)
    cancelled_by = Column(String(16), nullable=True)  # patient, front_desk

    __table_args__ = (
        Index("uq_bookings_active_slot", "slot_start", unique=True,
              sqlite_where=text("status != 'cancelled'"), postgresql_where=text("status != 'cancelled'")),
    )


class SmsContact(Base):
    """A phone number that texted the clinic, kept apart from the conversation.

    The tracker only knows `conversation_id` (a keyed hash of the number), so the number itself
    is here: replies must be sent to it and the front desk may need to call it. Opt-out state and
    the numbered options last sent live here too, not in a server's memory, so they hold across
    restarts and when several Rasa servers share the work."""

    __tablename__ = "sms_contacts"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, unique=True)
    phone = Column(String(32), nullable=False, unique=True)  # E.164 when it parses, else as Twilio sent it
    first_contact_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    notice_sent_at = Column(DateTime(timezone=True), nullable=True)  # "SMS is not encrypted"
    opted_out_at = Column(DateTime(timezone=True), nullable=True)  # STOP; cleared by START
    last_options = Column(JSON, nullable=False, default=list)  # [{"title", "payload"}] of the last reply
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utc_now, onupdate=utc_now)


class SmsInboundHandled(Base):
    """A Twilio MessageSid already handled. Twilio may post the same text again (a retry, or a
    replay by someone who captured a signed request): it is answered once. No personal details."""

    __tablename__ = "sms_inbound_handled"

    message_sid = Column(String(64), primary_key=True)
    received_at = Column(DateTime(timezone=True), nullable=False, default=utc_now, index=True)


class Handoff(Base):
    """A conversation the front desk must look at, with why and how urgently.

    At most one open item (new or claimed) per conversation: the partial unique index makes a
    second trigger raise the existing item instead of adding a duplicate, also across servers."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(32), nullable=True)  # rest, socketio, sms
    language = Column(String(8), nullable=True)  # the conversation's: en, es (None: not known)
    priority = Column(String(16), nullable=False)  # urgent, high, normal
    reasons = Column(JSON, nullable=False, default=list)  # asked_for_human, repeated_fallback, crisis, ...
    status = Column(String(16), nullable=False, default="new")  # new, claimed, closed
    claimed_by = Column(String(64), nullable=True)  # staff username
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utc_now, onupdate=utc_now)
    claimed_at = Column(DateTime(timezone=True), nullable=True)
    closed_at = Column(DateTime(timezone=True), nullable=True)
    last_user_message_at = Column(DateTime(timezone=True), nullable=True)  # relayed while claimed
    # When the item last became urgent; an acknowledgement older than this does not count.
    urgent_at = Column(DateTime(timezone=True), nullable=True)
    acknowledged_at = Column(DateTime(timezone=True), nullable=True)  # claim, close or "Acknowledge"
    acknowledged_by = Column(String(64), nullable=True)  # staff username

    __table_args__ = (
        Index("uq_handoffs_open_conversation", "conversation_id", unique=True,
              sqlite_where=text("status != 'closed'"), postgresql_where=text("status != 'closed'")),
    )


class NotificationDelivery(Base):
    """One attempt series to tell the front desk about an urgent or high item (webhook or email).

    Kept so a failed delivery is visible in the console, and so pending ones survive a restart."""

    __tablename__ = "notification_deliveries"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    target = Column(String(16), nullable=False)  # webhook, email
    destination = Column(String(255), nullable=False)  # host of the webhook or the mailbox; never a secret
    priority = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False, default="pending")  # pending, sending (leased), sent, failed
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(500), nullable=True)
    next_attempt_at = Column(DateTime(timezone=True), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utc_now, onupdate=utc_now)


class Escalation(Base):
    """An urgent item nobody acknowledged in time, passed to the on-call contact (at most once per
    item: the unique handoff id settles a race between two web apps). Its texts and emails are
    notification_deliveries rows with the on-call targets; `note` says why none could be made."""

    __tablename__ = "escalations"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    after_minutes = Column(Float, nullable=False)
    contact_name = Column(String(100), nullable=False)
    note = Column(String(300), nullable=True)


class FollowUp(Base):
    """The desk's task after a crisis conversation: reach out to the person later. One per urgent
    item; listed in the console until a staff member marks it done, whatever became of the item."""

    __tablename__ = "follow_ups"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    done_at = Column(DateTime(timezone=True), nullable=True)
    done_by = Column(String(64), nullable=True)  # staff username


class UnansweredQuestion(Base):
    """A question the assistant did not answer from its topics (unsure, outside its scope, or about
    the clinic's practical side), kept so the clinic sees what people ask. Phone numbers and
    email addresses are removed from the text before it is stored (intake.faq.unanswered)."""

    __tablename__ = "unanswered_questions"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(32), nullable=True)
    text = Column(String(1000), nullable=False)
    kind = Column(String(32), nullable=False)  # unsure, other_health, clinic
    offered = Column(JSON, nullable=False, default=list)  # what the person was offered instead
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now, index=True)


class StaffAccount(Base):
    """A front-desk staff member who may sign in to the console (argon2 password hash)."""

    __tablename__ = "staff_accounts"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(100), nullable=False)
    password_hash = Column(String(255), nullable=False)
    failed_attempts = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime(timezone=True), nullable=True)
    disabled = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    # The optional second factor (RFC 6238, 30-second steps); the last step used, so a code
    # cannot be used twice.
    totp_secret = Column(String(64), nullable=True)
    totp_last_step = Column(BigInteger, nullable=True)


class SignInThrottle(Base):
    """Failed sign-ins of one address or one username, and until when the next attempt waits
    (intake.frontdesk.throttle). Forgotten after an hour without failures."""

    __tablename__ = "sign_in_throttles"

    key = Column(String(200), primary_key=True)
    failures = Column(Integer, nullable=False)
    last_failure_at = Column(DateTime(timezone=True), nullable=False, index=True)
    next_allowed_at = Column(DateTime(timezone=True), nullable=True)


class StaffRead(Base):
    """A staff member opened a conversation (its transcript and summary card): who, what, when.
    Listed for an administrator (python -m intake.frontdesk.staff reads)."""

    __tablename__ = "staff_reads"

    id = Column(Integer, primary_key=True)
    staff_username = Column(String(64), nullable=False, index=True)
    handoff_id = Column(Integer, nullable=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    what = Column(String(32), nullable=False)
    read_at = Column(DateTime(timezone=True), nullable=False, default=utc_now, index=True)


class StaffSession(Base):
    """A signed-in console session. Only a hash of the cookie's token is stored."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    staff_id = Column(Integer, ForeignKey("staff_accounts.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    expires_at = Column(DateTime(timezone=True), nullable=False)
