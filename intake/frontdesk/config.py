"""The `frontdesk:` section of config/clinic.yml, read into a small typed value."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from intake.settings import settings

_FALSE = {"0", "false", "no", "off"}
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class ConsoleSettings:
    """How long a sign-in lasts, when an account locks, and whether the cookie needs HTTPS."""

    session_hours: float = 10
    max_failed_sign_ins: int = 5
    lockout_minutes: float = 15
    secure_cookie: bool = True

    @property
    def session_lifetime(self) -> timedelta:
        return timedelta(hours=self.session_hours)

    @property
    def lockout(self) -> timedelta:
        return timedelta(minutes=self.lockout_minutes)


def console_settings() -> ConsoleSettings:
    """The console's settings; INTAKE_COOKIE_SECURE=0/1 overrides `secure_cookie` (plain http on localhost)."""
    raw = dict(settings().section("frontdesk"))
    known = {name: raw[name] for name in ConsoleSettings.__dataclass_fields__ if name in raw}
    value = ConsoleSettings(**known)
    override = os.environ.get("INTAKE_COOKIE_SECURE", "").strip().lower()
    if override in _FALSE:
        value = ConsoleSettings(value.session_hours, value.max_failed_sign_ins, value.lockout_minutes, False)
    elif override in _TRUE:
        value = ConsoleSettings(value.session_hours, value.max_failed_sign_ins, value.lockout_minutes, True)
    if value.max_failed_sign_ins < 1 or value.session_hours <= 0 or value.lockout_minutes < 0:
        raise ValueError("frontdesk: max_failed_sign_ins >= 1, session_hours > 0, lockout_minutes >= 0")
    return value


def as_utc(moment: Optional[datetime]) -> Optional[datetime]:
    """SQLite hands back naive datetimes for timezone-aware columns; they are UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
