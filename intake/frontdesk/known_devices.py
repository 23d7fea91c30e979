"""A browser a staff member has signed in from before is let past their username's wait.

The wait per username (intake.frontdesk.throttle) slows guessing from many machines, but someone
who keeps guessing each time the wait ends would keep it up for good, and the staff member could
then hardly ever sign in. So a successful sign-in leaves a signed cookie naming the username on
that browser; an attempt for that username that carries it skips the username's wait (the
address's wait still applies, and the password and code are still checked). A guesser has no
such cookie. This is OWASP's "device cookie" answer to lockout by guessing.

The cookie is an HMAC of the username and its expiry under a key derived from the link secret
(INTAKE_LINK_SECRET, which every web app has), so nothing is stored for it.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from typing import Optional

from intake.booking.calendar import link_secret

DEVICE_COOKIE = "frontdesk_device"
LIFETIME_DAYS = 90


def _key() -> bytes:
    return hashlib.sha256(b"frontdesk known device:" + link_secret()).digest()


def _signature(username: str, expires: int) -> str:
    return hmac.new(_key(), f"{username}|{expires}".encode("utf-8"), hashlib.sha256).hexdigest()


def device_cookie_value(username: str, now: Optional[float] = None) -> str:
    expires = int((now or time.time()) + LIFETIME_DAYS * 86400)
    return f"{username}|{expires}|{_signature(username, expires)}"


def is_known_device(cookie: Optional[str], username: str, now: Optional[float] = None) -> bool:
    """The cookie was made by a sign-in of `username` on this browser and has not expired."""
    try:
        named, expires_text, signature = (cookie or "").split("|")
        expires = int(expires_text)
    except ValueError:
        return False
    if named != username or expires < (now or time.time()):
        return False
    return hmac.compare_digest(signature, _signature(named, expires))
