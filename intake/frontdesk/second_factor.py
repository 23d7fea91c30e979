"""The optional second factor of a staff account: a time-based one-time code (RFC 6238: six
digits, 30-second steps, SHA-1), as every authenticator app makes them, through pyotp.

A code is accepted for the step before and after the current one (clocks drift), and each step
only once: the last step used is stored, so a code seen over someone's shoulder or captured on the
way cannot be used again.
"""
from __future__ import annotations

import hmac
from datetime import datetime
from typing import Optional

import pyotp

STEP_SECONDS = 30
DRIFT_STEPS = 1


def new_secret() -> str:
    """A random base32 secret (160 bits), to be typed or scanned into an authenticator app."""
    return pyotp.random_base32()


def setup_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads (from a QR code or pasted)."""
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=username, issuer_name=issuer)


def accepted_step(secret: str, code: str, now: datetime, last_step: Optional[int]) -> Optional[int]:
    """The step `code` belongs to when it is right and newer than `last_step`, else None."""
    typed = "".join((code or "").split())
    if not (typed.isdigit() and len(typed) == 6):
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), typed) and (last_step is None or step > last_step):
            return step
    return None
