"""How long the app database keeps what people told the assistant, and what it keeps longer.

The assistant stores intake chats, screening answers, alerts, handoff items, booking requests,
the questions it could not answer and the phone numbers of people who texted. None of that is the medical record (what a clinician
relies on is copied into the clinic's EHR), so it is kept for `privacy.retention_days` of
config/clinic.yml and then deleted: data that is not kept cannot leak.

A row is *old* when every one of its timestamps is before the cutoff (now minus the retention
period): a booking moved last week, or a handoff closed last week, is not old however long ago
it was created. Some old rows are still kept, because the clinic still needs them:

- an open handoff (new or claimed): someone at the front desk still has to act on it;
- an unresolved alert: the front desk has not dealt with the crisis or positive screen yet.
  Staff resolve things in the handoff queue, not on the alert (its status is never changed
  today), so an alert counts as resolved once a handoff of its conversation was closed after the
  alert was raised, or when its status says so;
- a booking whose slot is still ahead (or was changed recently): it is not old by definition;
- a crisis follow-up task not marked done: the desk still has to check on the person;
- every row of a conversation *held* by one of the four above, because the person handling it
  needs the screening answers and the history (e.g. the clinician before an upcoming visit);
- an SMS contact that opted out (STOP): US messaging rules require the opt-out to be honoured
  for as long as the number could be texted, and the row is how the channel knows. It holds the
  number, its keyed hash and dates, no message content (the options last sent are cleared by
  STOP). A contact whose conversation in the tracker store is still going is kept too: replies
  are sent to its number.

Staff accounts and console sessions are not touched. Notification deliveries, escalations and
follow-up tasks are deleted with their handoff.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Collection, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from sqlalchemy import and_, delete, exists, func, not_, or_, select, true
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from intake.storage.models import (Alert, Booking, Escalation, FollowUp, Handoff, NotificationDelivery, Screening,
                                   SmsContact, UnansweredQuestion)

# Alert statuses that mean "dealt with" (none is set by the app today; see the module docstring).
RESOLVED_ALERT_STATUSES = ("resolved", "closed")
CLOSED_HANDOFF = "closed"
# Ids per DELETE statement: well below SQLite's limit of bound parameters.
CHUNK = 500

# Which conversations in the tracker store are still going: given conversation ids, returns
# those with an event at or after the cutoff (see intake.privacy.tracker_events).
ActiveConversations = Callable[[Collection[str]], Set[str]]


class RetentionConfigError(ValueError):
    """The retention period is missing or is not a whole number of days of at least 1."""


def retention_days(value: Any, where: str = "privacy.retention_days") -> int:
    """`value` (a number, or its digits as text) as a number of days, or RetentionConfigError.

    Zero is refused: it would delete everything not held at once, which is never a retention
    policy but a typo."""
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not text.lstrip("-").isdigit():
        raise RetentionConfigError(f"{where} must be a whole number of days, got {value!r}")
    days = int(text)
    if days < 1:
        raise RetentionConfigError(f"{where} must be at least 1 day, got {days}")
    return days


def configured_retention_days(privacy_section: Mapping[str, Any]) -> int:
    """The clinic's retention period (`privacy.retention_days` of config/clinic.yml).

    There is no built-in default: a command that deletes patients' data must not guess how long
    a clinic wants to keep it."""
    if "retention_days" not in privacy_section:
        raise RetentionConfigError("privacy.retention_days is not set in the clinic configuration "
                                   "(config/clinic.yml); set it, or pass --older-than-days")
    return retention_days(privacy_section["retention_days"])


def cutoff_for(days: int, now: Optional[datetime] = None) -> datetime:
    """The moment before which data is old: `now` minus `days`, as an aware UTC datetime."""
    moment = now or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment.astimezone(timezone.utc) - timedelta(days=days)


@dataclass
class AppPurge:
    """What the purge deleted from the app database (or would delete, in a dry run), per table,
    and how many old rows it kept, per reason. Counts only: never anything about a person."""

    deleted: Dict[str, int] = field(default_factory=dict)
    kept: Dict[str, int] = field(default_factory=dict)


# -- what is old ---------------------------------------------------------------------------------
def _all_before(*bounds: Tuple[ColumnElement, datetime]) -> ColumnElement:
    """Every given timestamp column is before its bound (an empty nullable one counts as before)."""
    return and_(*[or_(column.is_(None), column < bound) for column, bound in bounds])


def old_screening(cutoff: datetime) -> ColumnElement:
    return _all_before((Screening.started_at, cutoff), (Screening.finished_at, cutoff))


def old_alert(cutoff: datetime) -> ColumnElement:
    return _all_before((Alert.created_at, cutoff))


def old_handoff(cutoff: datetime) -> ColumnElement:
    return _all_before((Handoff.created_at, cutoff), (Handoff.updated_at, cutoff), (Handoff.claimed_at, cutoff),
                       (Handoff.closed_at, cutoff), (Handoff.last_user_message_at, cutoff),
                       (Handoff.urgent_at, cutoff), (Handoff.acknowledged_at, cutoff))


def old_booking(cutoff: datetime) -> ColumnElement:
    """Both the slot and the last change are before the cutoff (`slot_start` is naive UTC).

    An upcoming booking is therefore never old, whatever its status."""
    return _all_before((Booking.slot_start, cutoff.replace(tzinfo=None)), (Booking.created_at, cutoff),
                       (Booking.updated_at, cutoff))


def old_unanswered_question(cutoff: datetime) -> ColumnElement:
    return _all_before((UnansweredQuestion.created_at, cutoff))


def old_sms_contact(cutoff: datetime) -> ColumnElement:
    return _all_before((SmsContact.first_contact_at, cutoff), (SmsContact.notice_sent_at, cutoff),
                       (SmsContact.opted_out_at, cutoff), (SmsContact.updated_at, cutoff))


# -- what is still needed --------------------------------------------------------------------------
def open_handoff() -> ColumnElement:
    return Handoff.status != CLOSED_HANDOFF


def unresolved_alert() -> ColumnElement:
    """Not marked resolved, and no handoff of its conversation was closed after it was raised."""
    closed_after = exists().where(Handoff.conversation_id == Alert.conversation_id,
                                  Handoff.status == CLOSED_HANDOFF, Handoff.closed_at >= Alert.created_at)
    return and_(Alert.status.notin_(RESOLVED_ALERT_STATUSES), not_(closed_after))


def held_conversations(connection: Connection, cutoff: datetime) -> Set[str]:
    """Conversations whose every row is kept: an open handoff, a booking that is not old, an
    unresolved alert (of any age), or a follow-up task not done."""
    queries = (
        select(Handoff.conversation_id).where(open_handoff()),
        select(Handoff.conversation_id).join(FollowUp, FollowUp.handoff_id == Handoff.id)
        .where(FollowUp.done_at.is_(None)),
        select(Booking.conversation_id).where(not_(old_booking(cutoff))),
        select(Alert.conversation_id).where(unresolved_alert()),
    )
    return {conversation for query in queries for conversation in connection.execute(query).scalars()}


# -- the purge -------------------------------------------------------------------------------------
KeepRule = Tuple[str, Callable[[Row], bool]]


def _sort_out(rows: Iterable[Row], keep_rules: Sequence[KeepRule]) -> Tuple[List[int], Counter]:
    """Ids of the old rows no rule keeps, and how many each rule kept (the first that applies)."""
    to_delete: List[int] = []
    kept: Counter = Counter()
    for row in rows:
        reason = next((reason for reason, applies in keep_rules if applies(row)), None)
        if reason is None:
            to_delete.append(row.id)
        else:
            kept[reason] += 1
    return to_delete, kept


def _chunks(ids: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _delete(connection: Connection, model: Any, ids: Sequence[int], still_deletable: ColumnElement,
            dry_run: bool) -> int:
    """Delete these rows, checking the rule again in the statement, so a row changed since it was
    read (a booking moved, a contact that just texted STOP) is not deleted. Returns the count."""
    if dry_run:
        return len(ids)
    deleted = 0
    for chunk in _chunks(ids):
        deleted += connection.execute(delete(model).where(model.id.in_(chunk), still_deletable)
                                      .execution_options(synchronize_session=False)).rowcount
    return deleted


def purge_app_database(connection: Connection, cutoff: datetime, held: Collection[str],
                       active_conversations: ActiveConversations, dry_run: bool = False) -> AppPurge:
    """Delete the app database's old rows that nothing still needs (module docstring), inside the
    caller's transaction. `held` is `held_conversations()` read in the same transaction. In a dry
    run nothing is deleted and the counts are what would be deleted."""
    is_held: Callable[[Row], bool] = lambda row: row.conversation_id in held  # noqa: E731
    report = AppPurge()

    def purge(table: str, model: Any, old: ColumnElement, keep_rules: Sequence[KeepRule],
              still_deletable: ColumnElement, before_delete: Optional[Callable[[List[int]], None]] = None) -> None:
        columns = [model.id, model.conversation_id] + [getattr(model, name) for name in ("status", "opted_out_at")
                                                      if hasattr(model, name)]
        rows = connection.execute(select(*columns).where(old).order_by(model.id)).all()
        ids, kept = _sort_out(rows, keep_rules)
        if before_delete is not None:
            before_delete(ids)
        report.deleted[table] = _delete(connection, model, ids, and_(old, still_deletable), dry_run)
        for reason, count in kept.items():
            report.kept[f"{table}: {reason}"] = count

    def delete_dependants(handoff_ids: List[int]) -> None:
        """Deliveries, escalations and follow-ups go with their handoff (SQLite does not cascade
        without its foreign-key pragma)."""
        for table, model in (("notification_deliveries", NotificationDelivery), ("escalations", Escalation),
                             ("follow_ups", FollowUp)):
            total = 0
            for chunk in _chunks(handoff_ids):
                of_these = model.handoff_id.in_(
                    select(Handoff.id).where(Handoff.id.in_(chunk), old_handoff(cutoff), not_(open_handoff())))
                if dry_run:
                    total += connection.execute(select(func.count()).select_from(model).where(of_these)).scalar_one()
                else:
                    total += connection.execute(delete(model).where(of_these)
                                                .execution_options(synchronize_session=False)).rowcount
            report.deleted[table] = total

    held_rule: KeepRule = ("conversation still held (open handoff, live booking, unresolved alert or follow-up)",
                           is_held)
    purge("screenings", Screening, old_screening(cutoff), [held_rule], true())
    unresolved_ids = set(connection.execute(select(Alert.id).where(unresolved_alert())).scalars())
    purge("alerts", Alert, old_alert(cutoff),
          [("not resolved yet (no handoff of its conversation closed since)", lambda row: row.id in unresolved_ids),
           held_rule],
          not_(unresolved_alert()))
    purge("handoffs", Handoff, old_handoff(cutoff),
          [("still open", lambda row: row.status != CLOSED_HANDOFF), held_rule],
          not_(open_handoff()), before_delete=delete_dependants)
    purge("bookings", Booking, old_booking(cutoff), [held_rule], true())
    purge("unanswered_questions", UnansweredQuestion, old_unanswered_question(cutoff), [], true())

    old_contacts = connection.execute(select(SmsContact.conversation_id)
                                      .where(old_sms_contact(cutoff), SmsContact.opted_out_at.is_(None))).scalars()
    still_texting = active_conversations(list(old_contacts))
    purge("sms_contacts", SmsContact, old_sms_contact(cutoff),
          [("opted out (kept so that STOP keeps being honoured)", lambda row: row.opted_out_at is not None),
           ("conversation still going in the tracker store", lambda row: row.conversation_id in still_texting),
           held_rule],
          SmsContact.opted_out_at.is_(None))
    return report
