"""The front-desk queue in the app database: one open item per conversation.

A conversation reaches the queue through a trigger (the person asked for a human, two unsure
replies in a row, a crisis, a positive safety screen, a finished booking). A second trigger on
the same conversation does not add a second item: it adds its reason to the open one and raises
its priority, never lowers it, because "asked for a human" after a crisis is still a crisis.

Concurrency: the action server may run several workers and several machines. Every change first
takes a write lock on the rows it will read (a no-op UPDATE: the row lock on PostgreSQL, the
database write lock on SQLite), so two triggers never overwrite each other's reasons, and the
partial unique index `uq_handoffs_open_conversation` refuses a second open item when two first
triggers race; the loser re-reads and updates the winner's item.

Statuses: new -> claimed (a staff member holds the conversation) -> new (handed back to the
assistant; still in the queue, unclaimed) -> closed. Closing is allowed from new or claimed.
A later trigger on a closed conversation creates a new item.

Urgent items must also be acknowledged: a claim, a close or the console's "Acknowledge" stops the
escalation clock that starts when an item becomes urgent (intake.notifications.escalation sends
it to the on-call contact when nobody does in time). Becoming urgent also adds the desk's
follow-up task (intake.handoff.follow_ups), in the same transaction as the trigger.
"""
from __future__ import annotations

import logging
from typing import Callable, List, Optional, Tuple

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intake.handoff.config import handoff_settings
from intake.handoff.items import OPEN_STATUSES, PRIORITY_RANK, HandoffItem, aware_utc, is_higher
from intake.storage import FollowUp, Handoff, session_scope
from intake.storage.models import utc_now

logger = logging.getLogger(__name__)

# Items at these priorities are announced to the desk (webhook, email) by intake.notifications.
ANNOUNCED_PRIORITIES = ("urgent", "high")
MAX_ATTEMPTS = 5


class HandoffNotFound(LookupError, ValueError):
    """No item with that id."""


class HandoffConflict(ValueError):
    """The change does not fit the item's status (closed, or claimed by someone else)."""


def view(row: Handoff) -> HandoffItem:
    return HandoffItem(
        id=row.id, conversation_id=row.conversation_id, channel=row.channel, priority=row.priority,
        reasons=list(row.reasons or []), status=row.status, claimed_by=row.claimed_by,
        created_at=aware_utc(row.created_at), updated_at=aware_utc(row.updated_at),
        claimed_at=aware_utc(row.claimed_at), closed_at=aware_utc(row.closed_at),
        last_user_message_at=aware_utc(row.last_user_message_at), urgent_at=aware_utc(row.urgent_at),
        acknowledged_at=aware_utc(row.acknowledged_at), acknowledged_by=row.acknowledged_by,
        language=row.language,
    )


def _is_open():
    return Handoff.status != "closed"


def _lock(session: Session, *criteria) -> None:
    """Take the write lock before reading (see the module docstring). Sets nothing that changes."""
    session.execute(update(Handoff).where(*criteria).values(updated_at=Handoff.updated_at)
                    .execution_options(synchronize_session=False))


# -- triggers ----------------------------------------------------------------------------------
def open_handoff(conversation_id: str, channel: Optional[str], reason: str, priority: Optional[str] = None,
                 database_url: Optional[str] = None, language: Optional[str] = None) -> HandoffItem:
    """Create the conversation's open item, or add `reason` to it and raise its priority.

    `language` is the conversation's ("en", "es"): the latest one given is kept, so the desk
    answers and calls in the language the person is writing in now.
    `priority` None means the configured priority of the reason (config/clinic.yml, handoff).
    An item created or raised to urgent or high is announced to the desk after the commit; a
    failure to announce is logged, never raised, so a trigger never breaks a conversation."""
    if not conversation_id or not reason:
        raise ValueError("a handoff needs a conversation id and a reason")
    wanted = priority or handoff_settings().priority_for(reason)
    if wanted not in PRIORITY_RANK:
        raise ValueError(f"unknown priority {wanted!r}")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            item, announce = _open_once(conversation_id, channel, reason, wanted, database_url, language)
            break
        except IntegrityError:
            # Another process created this conversation's open item between our read and insert.
            if attempt == MAX_ATTEMPTS:
                raise
            logger.debug("handoff insert raced with another; reading the winner's item")
    logger.info("handoff item %s: %s (%s, priority %s)", item.id, reason, item.status, item.priority)
    if announce:
        announce_to_desk(item.id, database_url)
    return item


def _open_once(conversation_id: str, channel: Optional[str], reason: str, wanted: str,
               database_url: Optional[str], language: Optional[str] = None) -> Tuple[HandoffItem, bool]:
    with session_scope(database_url) as session:
        _lock(session, Handoff.conversation_id == conversation_id, _is_open())
        row = session.execute(select(Handoff).where(Handoff.conversation_id == conversation_id, _is_open())
                              ).scalar_one_or_none()
        if row is None:
            row = Handoff(conversation_id=conversation_id, channel=channel, priority=wanted, reasons=[reason],
                          status="new", language=language)
            session.add(row)
            session.flush()
            if wanted == "urgent":
                _became_urgent(session, row)
            return view(row), wanted in ANNOUNCED_PRIORITIES
        raised = is_higher(wanted, row.priority)
        reasons = list(row.reasons or [])
        if reason not in reasons:
            reasons.append(reason)
        new_language = bool(language) and language != row.language
        if raised or reasons != list(row.reasons or []) or (channel and not row.channel) or new_language:
            row.reasons = reasons  # a new list, so the JSON column is written
            row.priority = wanted if raised else row.priority
            row.channel = row.channel or channel
            row.language = language or row.language
            row.updated_at = utc_now()
            if raised and wanted == "urgent":
                _became_urgent(session, row)
            session.flush()
        return view(row), raised and wanted in ANNOUNCED_PRIORITIES


def _became_urgent(session: Session, row: Handoff) -> None:
    """Start the escalation clock and add the desk's follow-up task, in the trigger's transaction.

    An earlier acknowledgement (a claim while the item was normal) no longer counts: whoever holds
    the conversation must acknowledge the crisis itself, or the on-call contact is told."""
    row.urgent_at = utc_now()
    row.acknowledged_at = row.acknowledged_by = None
    has_task = session.execute(select(FollowUp.id).where(FollowUp.handoff_id == row.id)).first()
    if has_task is None:
        session.add(FollowUp(handoff_id=row.id, created_at=row.urgent_at))
    session.flush()


def announce_to_desk(item_id: int, database_url: Optional[str] = None) -> None:
    """Hand the item to intake.notifications (webhook, email). Never raises: the person's
    conversation must go on whatever happens to an alert; a failure is logged for the desk."""
    try:
        from intake.notifications import notify_handoff
    except ImportError:
        logger.warning("handoff item %s: intake.notifications is not available; no alert sent", item_id)
        return
    try:
        notify_handoff(item_id, database_url)
    except Exception:
        logger.exception("handoff item %s: the alert to the front desk could not be started", item_id)


def note_user_message(conversation_id: str, database_url: Optional[str] = None) -> None:
    """The person wrote while a staff member holds the conversation: the console shows it as new."""
    with session_scope(database_url) as session:
        session.execute(update(Handoff).where(Handoff.conversation_id == conversation_id, _is_open())
                        .values(last_user_message_at=utc_now()).execution_options(synchronize_session=False))


# -- reading ----------------------------------------------------------------------------------
def open_items(database_url: Optional[str] = None) -> List[HandoffItem]:
    """New and claimed items, most urgent first, then oldest first."""
    with session_scope(database_url) as session:
        rows = session.execute(select(Handoff).where(Handoff.status.in_(OPEN_STATUSES))).scalars()
        items = [view(row) for row in rows]
    return sorted(items, key=lambda item: (PRIORITY_RANK.get(item.priority, len(PRIORITY_RANK)), item.created_at,
                                           item.id))


def get_item(item_id: int, database_url: Optional[str] = None) -> Optional[HandoffItem]:
    with session_scope(database_url) as session:
        row = session.get(Handoff, item_id)
        return view(row) if row is not None else None


def open_item_for(conversation_id: str, database_url: Optional[str] = None) -> Optional[HandoffItem]:
    """The conversation's open item (new or claimed), if any."""
    with session_scope(database_url) as session:
        row = session.execute(select(Handoff).where(Handoff.conversation_id == conversation_id, _is_open())
                              ).scalar_one_or_none()
        return view(row) if row is not None else None


def active_claim(conversation_id: str, database_url: Optional[str] = None) -> Optional[HandoffItem]:
    """The conversation's item while a staff member holds it, else None."""
    item = open_item_for(conversation_id, database_url)
    return item if item is not None and item.status == "claimed" else None


# -- staff actions ----------------------------------------------------------------------------
def _change(item_id: int, database_url: Optional[str], apply: Callable[[Handoff], bool]) -> HandoffItem:
    """Lock the item, let `apply` check and change it (True when it changed), return the result."""
    with session_scope(database_url) as session:
        _lock(session, Handoff.id == item_id)
        row = session.get(Handoff, item_id, populate_existing=True)
        if row is None:
            raise HandoffNotFound(f"no handoff item {item_id}")
        if apply(row):
            row.updated_at = utc_now()
            session.flush()
        return view(row)


def claim(item_id: int, staff_username: str, database_url: Optional[str] = None) -> HandoffItem:
    """new -> claimed by `staff_username`. Claiming one's own item again changes nothing."""
    def apply(row: Handoff) -> bool:
        if row.status == "closed":
            raise HandoffConflict(f"handoff item {item_id} is closed")
        if row.status == "claimed":
            if row.claimed_by != staff_username:
                raise HandoffConflict(f"handoff item {item_id} is held by another staff member")
            return False
        row.status, row.claimed_by, row.claimed_at = "claimed", staff_username, utc_now()
        _note_acknowledged(row, staff_username)
        return True

    item = _change(item_id, database_url, apply)
    logger.info("handoff item %s claimed", item_id)
    return item


def _note_acknowledged(row: Handoff, staff_username: str) -> bool:
    """Record the first acknowledgement since the item became urgent; True when this was it."""
    if row.acknowledged_at is not None:
        return False
    row.acknowledged_at, row.acknowledged_by = utc_now(), staff_username
    return True


def acknowledge(item_id: int, staff_username: str, database_url: Optional[str] = None) -> HandoffItem:
    """A staff member has seen the item (e.g. is calling the person) without taking over the chat:
    it stops the escalation clock. Acknowledging twice keeps the first; a closed item is refused."""
    def apply(row: Handoff) -> bool:
        if row.status == "closed":
            raise HandoffConflict(f"handoff item {item_id} is closed")
        return _note_acknowledged(row, staff_username)

    item = _change(item_id, database_url, apply)
    logger.info("handoff item %s acknowledged", item_id)
    return item


def release(item_id: int, staff_username: str, database_url: Optional[str] = None) -> HandoffItem:
    """Hand back to the assistant: claimed -> new (it stays in the queue, unclaimed).

    Only the staff member holding the item hands it back; an unclaimed item is left as it is."""
    def apply(row: Handoff) -> bool:
        if row.status == "closed":
            raise HandoffConflict(f"handoff item {item_id} is closed")
        if row.status == "new":
            return False
        if row.claimed_by != staff_username:
            raise HandoffConflict(f"handoff item {item_id} is held by another staff member")
        row.status, row.claimed_by, row.claimed_at = "new", None, None
        return True

    item = _change(item_id, database_url, apply)
    logger.info("handoff item %s handed back", item_id)
    return item


def close(item_id: int, staff_username: str, database_url: Optional[str] = None,
          expected_status: Optional[str] = None) -> HandoffItem:
    """new or claimed -> closed, by any staff member (the desk works as a team). Closing a closed
    item changes nothing. The caller ends a live takeover (RasaConversations.end_takeover).

    `expected_status` is the status the caller saw when it decided whether a takeover had to be
    ended: if someone claimed the item since, closing it now would leave relaying on with no open
    item (the person's messages going to nobody), so it is refused as a conflict instead."""
    def apply(row: Handoff) -> bool:
        if row.status == "closed":
            return False
        if expected_status is not None and row.status != expected_status:
            raise HandoffConflict(f"handoff item {item_id} changed to {row.status} meanwhile")
        row.status, row.closed_at = "closed", utc_now()
        _note_acknowledged(row, staff_username)
        return True

    item = _change(item_id, database_url, apply)
    logger.info("handoff item %s closed", item_id)
    return item
