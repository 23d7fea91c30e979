"""Staff accounts: argon2id password hashes, an optional one-time code (second_factor), and
sign-in with growing waits after failures (throttle), never a lockout.

A sign-in that fails says nothing about why: an unknown username, a wrong password, a wrong code
or a disabled account all cost the same argon2 work and get the same answer, so the form cannot
be used to find out which usernames exist. A hash made with older argon2 parameters is replaced at
the next successful sign-in.
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

from intake.frontdesk import second_factor, throttle
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
    created_at: datetime
    second_factor: bool = False


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt gave: the account, or None; `wait_seconds` > 0 when the attempt was
    not even checked because earlier failures (from its address or for its username) must wait."""

    member: Optional[StaffMember]
    wait_seconds: int = 0


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _member(row: StaffAccount) -> StaffMember:
    return StaffMember(id=row.id, username=row.username, display_name=row.display_name, disabled=bool(row.disabled),
                       created_at=as_utc(row.created_at), second_factor=bool(row.totp_secret))


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


def authenticate(username: str, password: str, code: str = "", address: Optional[str] = None,
                 now: Optional[datetime] = None, database_url: Optional[str] = None,
                 known_device: bool = False) -> SignIn:
    """Sign in with a username, a password and, for an account that has one, the one-time code.

    An attempt while its address or its username must wait is refused unchecked (SignIn with
    `wait_seconds`); from a browser this username signed in on before (`known_device`,
    intake.frontdesk.known_devices) only the address's wait applies. Otherwise exactly one argon2
    verification is done, whatever the outcome; a failure of any kind counts for the address and
    for the username (intake.frontdesk.throttle), and a success clears both."""
    now = now or _now()
    config = console_settings()
    name = normalize_username(username)[:64]
    backoffs = {throttle.address_key(address): config.address_backoff,
                throttle.username_key(name): config.username_backoff}
    waits_for = [throttle.address_key(address)] if known_device else list(backoffs)
    wait = throttle.seconds_to_wait(waits_for, now, config.forget_failures_after, database_url)
    if wait:
        return SignIn(None, wait)
    member = _check(name, password, code, now, database_url)
    if member is None:
        throttle.record_failure(backoffs, now, config.forget_failures_after, database_url)
    else:
        throttle.clear(backoffs, database_url)
    return SignIn(member)


def _check(name: str, password: str, code: str, now: datetime, database_url: Optional[str]) -> Optional[StaffMember]:
    """The account when everything is right, else None (one argon2 verification either way)."""
    password = (password or "")[:MAX_PASSWORD_LENGTH]  # still one verification of bounded cost
    found = None
    if USERNAME_PATTERN.match(name):
        with session_scope(database_url) as session:
            row = session.execute(select(StaffAccount).where(StaffAccount.username == name)).scalar_one_or_none()
            if row is not None:
                found = (row.id, row.password_hash, bool(row.disabled), row.totp_secret, row.totp_last_step)
    if found is None:
        _verify(_decoy_hash(), password)
        return None
    account_id, hashed, disabled, totp_secret, last_step = found
    if not _verify(hashed, password) or disabled:
        return None
    if totp_secret:
        step = second_factor.accepted_step(totp_secret, code, now, last_step)
        if step is None or not _use_step(account_id, step, database_url):
            return None
    with session_scope(database_url) as session:
        if password_hasher().check_needs_rehash(hashed):
            session.execute(update(StaffAccount).where(StaffAccount.id == account_id)
                            .values(password_hash=password_hasher().hash(password)))
        return _member(session.get(StaffAccount, account_id))


def _use_step(account_id: int, step: int, database_url: Optional[str]) -> bool:
    """Record `step` as used, only if no sign-in used it (or a later one) meanwhile: of two
    sign-ins at once with the same code, one gets in."""
    with session_scope(database_url) as session:
        changed = session.execute(update(StaffAccount).where(
            StaffAccount.id == account_id,
            (StaffAccount.totp_last_step.is_(None)) | (StaffAccount.totp_last_step < step),
        ).values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount
    return changed == 1


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
    return _change(username, {"disabled": False}, False, database_url)


def clear_waits(username: str, database_url: Optional[str] = None) -> bool:
    """Forget the username's failed sign-ins (the wait they cause); False if there is no such account."""
    if get_account(username, database_url) is None:
        return False
    throttle.clear([throttle.username_key(normalize_username(username))], database_url)
    return True


def set_password(username: str, password: str, database_url: Optional[str] = None) -> bool:
    """A new password; the account's sessions end (a forgotten or leaked password)."""
    check_new_password(password)
    return _change(username, {"password_hash": password_hasher().hash(password)}, True, database_url)


def start_second_factor(username: str, database_url: Optional[str] = None) -> Optional[str]:
    """A new one-time-code secret for the account (replacing any earlier one); its sessions end, so
    the next sign-in needs a code. None if there is no such account."""
    secret = second_factor.new_secret()
    if not _change(username, {"totp_secret": secret, "totp_last_step": None}, True, database_url):
        return None
    return secret


def stop_second_factor(username: str, database_url: Optional[str] = None) -> bool:
    """Sign in with the password alone again (a lost phone); False if there is no such account."""
    return _change(username, {"totp_secret": None, "totp_last_step": None}, False, database_url)
