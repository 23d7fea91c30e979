"""The `frontdesk:` section of config/clinic.yml, read into a small typed value."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Optional

from intake.frontdesk.backoff import Backoff
from intake.settings import settings

_FALSE = {"0", "false", "no", "off"}
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class ConsoleSettings:
    """How long a sign-in lasts, how failed sign-ins wait (intake.frontdesk.throttle), and whether
    the cookie needs HTTPS."""

    session_hours: float = 10
    secure_cookie: bool = True
    address_backoff: Backoff = Backoff(free_failures=10, first_delay_seconds=5, max_delay_seconds=900)
    username_backoff: Backoff = Backoff(free_failures=5, first_delay_seconds=5, max_delay_seconds=60)
    forget_failures_after_minutes: float = 60

    @property
    def session_lifetime(self) -> timedelta:
        return timedelta(hours=self.session_hours)

    @property
    def forget_failures_after(self) -> timedelta:
        return timedelta(minutes=self.forget_failures_after_minutes)


def _backoff(raw: Mapping[str, Any], default: Backoff) -> Backoff:
    values = {name: raw[name] for name in Backoff.__dataclass_fields__ if name in (raw or {})}
    backoff = replace(default, **values)
    if backoff.free_failures < 0 or backoff.first_delay_seconds <= 0 or \
            backoff.max_delay_seconds < backoff.first_delay_seconds:
        raise ValueError("frontdesk.sign_in_throttle: free_failures >= 0, 0 < first_delay_seconds <= max_delay_seconds")
    return backoff


def console_settings() -> ConsoleSettings:
    """The console's settings; INTAKE_COOKIE_SECURE=0/1 overrides `secure_cookie` (plain http on localhost)."""
    raw = dict(settings().section("frontdesk"))
    throttle = dict(raw.get("sign_in_throttle") or {})
    plain = {name: raw[name] for name in ("session_hours", "secure_cookie") if name in raw}
    value = replace(ConsoleSettings(), **plain,
                    address_backoff=_backoff(throttle.get("address"), ConsoleSettings.address_backoff),
                    username_backoff=_backoff(throttle.get("username"), ConsoleSettings.username_backoff),
                    forget_failures_after_minutes=throttle.get("forget_after_minutes",
                                                               ConsoleSettings.forget_failures_after_minutes))
    override = os.environ.get("INTAKE_COOKIE_SECURE", "").strip().lower()
    if override in _FALSE | _TRUE:
        value = replace(value, secure_cookie=override in _TRUE)
    if value.session_hours <= 0 or value.forget_failures_after_minutes <= 0:
        raise ValueError("frontdesk: session_hours > 0, sign_in_throttle.forget_after_minutes > 0")
    return value


def as_utc(moment: Optional[datetime]) -> Optional[datetime]:
    """SQLite hands back naive datetimes for timezone-aware columns; they are UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
