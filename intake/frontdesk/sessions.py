"""Console sessions: a random token in a cookie, only its SHA-256 in the database.

The cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it),
scoped to /frontdesk, and Secure unless the deployment serves plain http on localhost
(INTAKE_COOKIE_SECURE=0). A session ends at a fixed time after sign-in (`session_hours`) or at
sign-out, which deletes its row, so a copied cookie is worthless afterwards.

Each session has its own CSRF token: every console POST must carry it in the X-CSRF-Token
header (or, for the plain sign-out form, a `csrf_token` field). The sign-in form, which has no
session yet, is protected by a double-submit token: a random value in a short-lived cookie and
the same value in a hidden field; another site can set neither.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional, Tuple

from aiohttp import web
from sqlalchemy import delete, select, update

from intake.frontdesk.config import ConsoleSettings, as_utc, console_settings
from intake.storage import StaffAccount, StaffSession, session_scope

SESSION_COOKIE = "frontdesk_session"
LOGIN_COOKIE = "frontdesk_login"
COOKIE_PATH = "/frontdesk"
LOGIN_TOKEN_MINUTES = 30
# Writing last_seen_at on every 3-second poll would be needless database traffic.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
_MAX_TOKEN_LENGTH = 128


@dataclass(frozen=True)
class SignedIn:
    """The staff member behind a valid session."""

    session_id: int
    staff_id: int
    username: str
    display_name: str
    csrf_token: str
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(timezone.utc)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(staff_id: int, now: Optional[datetime] = None, config: Optional[ConsoleSettings] = None,
                  database_url: Optional[str] = None) -> Tuple[str, SignedIn]:
    """A new session for the account: (the cookie's token, the session). Expired rows are removed."""
    now = now or _now()
    config = config or console_settings()
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + config.session_lifetime
    with session_scope(database_url) as session:
        session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
        row = StaffSession(token_hash=token_hash(token), staff_id=staff_id, csrf_token=csrf, created_at=now,
                           last_seen_at=now, expires_at=expires)
        session.add(row)
        session.flush()
        account = session.get(StaffAccount, staff_id)
        return token, SignedIn(row.id, staff_id, account.username, account.display_name, csrf, expires)


def find_session(token: Optional[str], now: Optional[datetime] = None,
                 database_url: Optional[str] = None) -> Optional[SignedIn]:
    """The session of this cookie value if it exists, has not expired and its account is enabled."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    now = now or _now()
    with session_scope(database_url) as session:
        found = session.execute(
            select(StaffSession, StaffAccount).join(StaffAccount, StaffAccount.id == StaffSession.staff_id)
            .where(StaffSession.token_hash == token_hash(token))).first()
        if found is None:
            return None
        row, account = found
        expires = as_utc(row.expires_at)
        if expires <= now or account.disabled:
            return None
        if now - as_utc(row.last_seen_at) >= LAST_SEEN_RESOLUTION:
            session.execute(update(StaffSession).where(StaffSession.id == row.id).values(last_seen_at=now))
        return SignedIn(row.id, account.id, account.username, account.display_name, row.csrf_token, expires)


def end_session(token: Optional[str], database_url: Optional[str] = None) -> None:
    """Sign out: the row goes, so the cookie value is refused from now on."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return
    with session_scope(database_url) as session:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash(token)))


def same_token(expected: Optional[str], supplied: Optional[str]) -> bool:
    """Constant-time comparison; an empty or missing value never matches."""
    if not expected or not supplied:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), supplied.encode("utf-8"))


# -- cookies -------------------------------------------------------------------------------
def set_session_cookie(response: web.StreamResponse, token: str, config: ConsoleSettings) -> None:
    response.set_cookie(SESSION_COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="Strict",
                        secure=config.secure_cookie, max_age=int(config.session_lifetime.total_seconds()))


def clear_session_cookie(response: web.StreamResponse, config: ConsoleSettings) -> None:
    response.set_cookie(SESSION_COOKIE, "", path=COOKIE_PATH, httponly=True, samesite="Strict",
                        secure=config.secure_cookie, max_age=0, expires="Thu, 01 Jan 1970 00:00:00 GMT")


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def set_login_cookie(response: web.StreamResponse, token: str, config: ConsoleSettings) -> None:
    response.set_cookie(LOGIN_COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="Strict",
                        secure=config.secure_cookie, max_age=LOGIN_TOKEN_MINUTES * 60)


def clear_login_cookie(response: web.StreamResponse, config: ConsoleSettings) -> None:
    response.set_cookie(LOGIN_COOKIE, "", path=COOKIE_PATH, httponly=True, samesite="Strict",
                        secure=config.secure_cookie, max_age=0, expires="Thu, 01 Jan 1970 00:00:00 GMT")
