"""Growing waits after failed sign-ins, per address and per username, instead of a lockout.

A hard lockout lets anyone lock every staff account (display names are shown to patients, and
usernames are easy to guess), so a crisis could come in while nobody can sign in. Here every
failure is counted twice, for the address it came from and for the username it tried. After a few
free failures each further one makes the next attempt wait, twice as long each time, up to a cap:
- per address the cap is long (15 minutes by default): one machine guessing gets almost nowhere;
- per username the cap is short (a minute by default): guessing from many machines is slowed to a
  crawl, and the staff member it targets still signs in within a minute.
Counts are forgotten after a quiet period; a success clears both. The counts live in the app
database, so every web app process sees the same ones.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Iterable, Mapping, Optional

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from intake.frontdesk.backoff import Backoff
from intake.frontdesk.config import as_utc
from intake.storage import SignInThrottle, session_scope


def address_key(address: Optional[str]) -> str:
    return f"address:{(address or 'unknown')[:150]}"


def username_key(username: str) -> str:
    return f"username:{username[:150]}"


def seconds_to_wait(keys: Iterable[str], now: datetime, forget_after: timedelta,
                    database_url: Optional[str] = None) -> int:
    """Whole seconds until any of `keys` may try again (0: now)."""
    with session_scope(database_url) as session:
        rows = session.execute(select(SignInThrottle).where(SignInThrottle.key.in_(list(keys)))).scalars().all()
        waits = [(as_utc(row.next_allowed_at) - now).total_seconds() for row in rows
                 if row.next_allowed_at is not None and now - as_utc(row.last_failure_at) < forget_after]
    return max([0] + [math.ceil(wait) for wait in waits if wait > 0])


def record_failure(backoffs: Mapping[str, Backoff], now: datetime, forget_after: timedelta,
                   database_url: Optional[str] = None) -> None:
    """One more failure for each key (a count older than `forget_after` starts again); counts
    nobody has added to for that long are deleted, so the table holds only the last hour's."""
    forget_old(now, forget_after, database_url)
    for key, backoff in backoffs.items():
        for attempt in range(3):  # another sign-in may insert or clear the same key at once
            try:
                _count_one(key, backoff, now, forget_after, database_url)
                break
            except (IntegrityError, StaleDataError):
                if attempt == 2:
                    raise


def _count_one(key: str, backoff: Backoff, now: datetime, forget_after: timedelta,
               database_url: Optional[str]) -> None:
    with session_scope(database_url) as session:
        row = session.execute(select(SignInThrottle).where(SignInThrottle.key == key).with_for_update()
                              ).scalar_one_or_none()
        if row is None:
            row = SignInThrottle(key=key, failures=0, last_failure_at=now)
            session.add(row)
        elif now - as_utc(row.last_failure_at) >= forget_after:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        delay = backoff.delay_after(row.failures)
        row.next_allowed_at = now + timedelta(seconds=delay) if delay else None
        session.flush()


def clear(keys: Iterable[str], database_url: Optional[str] = None) -> int:
    """Forget the failures of `keys` (a success, or an administrator's `unlock`); how many there were."""
    with session_scope(database_url) as session:
        return session.execute(delete(SignInThrottle).where(SignInThrottle.key.in_(list(keys)))).rowcount or 0


def forget_old(now: datetime, forget_after: timedelta, database_url: Optional[str] = None) -> int:
    """Delete counts nobody has added to for `forget_after` (they no longer make anyone wait)."""
    with session_scope(database_url) as session:
        return session.execute(delete(SignInThrottle).where(SignInThrottle.last_failure_at < now - forget_after)
                               ).rowcount or 0
