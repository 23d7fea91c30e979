"""Staff accounts: argon2id password hashes, sign-in with a lockout after repeated failures.

A sign-in that fails says nothing about why: an unknown username, a wrong password, a locked
or a disabled account all cost the same argon2 work and get the same answer, so the form
cannot be used to find out which usernames exist. A hash made with older argon2 parameters is
replaced at the next successful sign-in.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Dict, Iterable, List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update

from intake.frontdesk.config import as_utc, console_settings
from intake.storage import StaffAccount, StaffSession, session_scope

MIN_PASSWORD_LENGTH = 12
# Longer input is refused before any hashing (argon2 would take it, but nobody types 1 kB).
MAX_PASSWORD_LENGTH = 1024
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MAX_DISPLAY_NAME_LENGTH = 100


class AccountError(ValueError):
    """A request about accounts that cannot be done (the message says why, for the command line)."""


@dataclass(frozen=True)
class StaffMember:
    """An account as the console and the command line see it (never the hash)."""

    id: int
    username: str
    display_name: str
    disabled: bool
    failed_attempts: int
    locked_until: Optional[datetime]
    created_at: datetime

    def locked(self, now: Optional[datetime] = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or _now())


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _member(row: StaffAccount) -> StaffMember:
    return StaffMember(id=row.id, username=row.username, display_name=row.display_name, disabled=bool(row.disabled),
                       failed_attempts=row.failed_attempts or 0, locked_until=as_utc(row.locked_until),
                       created_at=as_utc(row.created_at))


@lru_cache(maxsize=1)
def password_hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: t=3, 64 MiB, p=4)."""
    return PasswordHasher()


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    """A hash of a random password, checked for unknown usernames so they cost the same work."""
    return password_hasher().hash(secrets.token_urlsafe(24))


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def check_username(username: str) -> str:
    name = normalize_username(username)
    if not USERNAME_PATTERN.match(name):
        raise AccountError("A username is 1-64 characters: lowercase letters, digits, '.', '_' or '-', "
                           "starting with a letter or digit.")
    return name


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at most {MAX_PASSWORD_LENGTH} characters long.")
    if password != password.strip():
        raise AccountError("The password must not start or end with a space.")


def _check_display_name(display_name: str) -> str:
    name = " ".join((display_name or "").split())
    if not name or len(name) > MAX_DISPLAY_NAME_LENGTH:
        raise AccountError(f"The display name is 1-{MAX_DISPLAY_NAME_LENGTH} characters (shown to the person "
                           "in the chat, e.g. 'Dana').")
    return name


def create_account(username: str, display_name: str, password: str,
                   database_url: Optional[str] = None) -> StaffMember:
    """A new staff account. AccountError when the username is taken or an input is not acceptable."""
    name = check_username(username)
    shown = _check_display_name(display_name)
    check_new_password(password)
    hashed = password_hasher().hash(password)
    with session_scope(database_url) as session:
        if session.execute(select(StaffAccount.id).where(StaffAccount.username == name)).first():
            raise AccountError(f"There is already an account '{name}'.")
        row = StaffAccount(username=name, display_name=shown, password_hash=hashed, failed_attempts=0, disabled=False)
        session.add(row)
        session.flush()
        return _member(row)


def _verify(hashed: str, password: str) -> bool:
    try:
        return password_hasher().verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(username: str, password: str, now: Optional[datetime] = None,
                 database_url: Optional[str] = None) -> Optional[StaffMember]:
    """The account when the username and password are right and it may sign in now, else None.

    Every call does exactly one argon2 verification, whatever the outcome. A wrong password adds
    one to the account's failures; at `max_failed_sign_ins` the account is locked for
    `lockout_minutes` (and the count starts again). While locked, even the right password is
    refused and attempts are not counted. A success clears the count."""
    now = now or _now()
    config = console_settings()
    name = normalize_username(username)
    password = password or ""
    if len(password) > MAX_PASSWORD_LENGTH:
        password = password[:MAX_PASSWORD_LENGTH]  # still one verification of bounded cost
    row = None
    if USERNAME_PATTERN.match(name):
        with session_scope(database_url) as session:
            found = session.execute(select(StaffAccount).where(StaffAccount.username == name)).scalar_one_or_none()
            if found is not None:
                row = (found.id, found.password_hash, as_utc(found.locked_until), bool(found.disabled))
    if row is None:
        _verify(_decoy_hash(), password)
        return None
    account_id, hashed, locked_until, disabled = row
    matches = _verify(hashed, password)
    if disabled or (locked_until is not None and locked_until > now):
        return None
    if not matches:
        _record_failure(account_id, now, config.max_failed_sign_ins, config.lockout, database_url)
        return None
    new_hash = password_hasher().hash(password) if password_hasher().check_needs_rehash(hashed) else None
    with session_scope(database_url) as session:
        values = {"failed_attempts": 0, "locked_until": None}
        if new_hash:
            values["password_hash"] = new_hash
        session.execute(update(StaffAccount).where(StaffAccount.id == account_id).values(**values))
        return _member(session.get(StaffAccount, account_id))


def _record_failure(account_id: int, now: datetime, limit: int, lockout, database_url: Optional[str]) -> None:
    """One more failure, counted in the database (atomic increment, also across web app processes)."""
    with session_scope(database_url) as session:
        session.execute(update(StaffAccount).where(StaffAccount.id == account_id)
                        .values(failed_attempts=StaffAccount.failed_attempts + 1))
        count = session.execute(select(StaffAccount.failed_attempts).where(StaffAccount.id == account_id)).scalar_one()
        if count >= limit:
            session.execute(update(StaffAccount).where(StaffAccount.id == account_id)
                            .values(failed_attempts=0, locked_until=now + lockout))


def get_account(username: str, database_url: Optional[str] = None) -> Optional[StaffMember]:
    with session_scope(database_url) as session:
        row = session.execute(select(StaffAccount).where(StaffAccount.username == normalize_username(username))
                              ).scalar_one_or_none()
        return _member(row) if row is not None else None


def list_accounts(database_url: Optional[str] = None) -> List[StaffMember]:
    with session_scope(database_url) as session:
        return [_member(row) for row in session.execute(select(StaffAccount).order_by(StaffAccount.username)).scalars()]


def display_names(usernames: Iterable[str], database_url: Optional[str] = None) -> Dict[str, str]:
    """username -> display name, for the ones that exist."""
    wanted = {name for name in usernames if name}
    if not wanted:
        return {}
    with session_scope(database_url) as session:
        rows = session.execute(select(StaffAccount.username, StaffAccount.display_name)
                               .where(StaffAccount.username.in_(wanted)))
        return {username: shown for username, shown in rows}


def _change(username: str, values: dict, end_sessions: bool, database_url: Optional[str]) -> bool:
    with session_scope(database_url) as session:
        account_id = session.execute(select(StaffAccount.id).where(StaffAccount.username == normalize_username(username))
                                     ).scalar_one_or_none()
        if account_id is None:
            return False
        session.execute(update(StaffAccount).where(StaffAccount.id == account_id).values(**values))
        if end_sessions:
            session.execute(delete(StaffSession).where(StaffSession.staff_id == account_id))
        return True


def disable_account(username: str, database_url: Optional[str] = None) -> bool:
    """No more sign-ins, and every open session of the account ends now. False if there is no such account."""
    return _change(username, {"disabled": True}, True, database_url)


def enable_account(username: str, database_url: Optional[str] = None) -> bool:
    return _change(username, {"disabled": False, "failed_attempts": 0, "locked_until": None}, False, database_url)


def unlock_account(username: str, database_url: Optional[str] = None) -> bool:
    """Lift a lockout and clear the failure count."""
    return _change(username, {"failed_attempts": 0, "locked_until": None}, False, database_url)


def set_password(username: str, password: str, database_url: Optional[str] = None) -> bool:
    """A new password; the account's sessions end (a forgotten or leaked password)."""
    check_new_password(password)
    values = {"password_hash": password_hasher().hash(password), "failed_attempts": 0, "locked_until": None}
    return _change(username, values, True, database_url)
