"""How the console (and the project's tools) prove themselves to Rasa's HTTP API without ever
putting a secret in a URL.

Rasa 3.6 accepts either `?token=<the token>` in the query string or a JWT in the Authorization
header. A query string is written by every access log on the way (nginx's default format
included), so the project starts Rasa with `--jwt-secret=<RASA_TOKEN>` only: the shared secret
stays on the machines and signs a short-lived token for each call, sent as a header. Rasa gives
the `admin` role access to every conversation, which the front desk needs.
"""
from __future__ import annotations

import time
from typing import Dict

import jwt

ALGORITHM = "HS256"  # Rasa's default for --jwt-method
LIFETIME_SECONDS = 60
CALLER = "frontdesk"


def bearer_token(secret: str, now: float | None = None) -> str:
    """A JWT for one call: role admin, valid for a minute (Rasa rejects a JWT without `exp`)."""
    issued = int(time.time() if now is None else now)
    payload = {"user": {"username": CALLER, "role": "admin"}, "iat": issued, "exp": issued + LIFETIME_SECONDS}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def auth_headers(secret: str) -> Dict[str, str]:
    return {"Authorization": f"Bearer {bearer_token(secret)}"}


def rasa_secret_options(secret: str) -> list:
    """`rasa run` options that protect the HTTP API with `secret` (the '=' form, because a URL-safe
    secret may begin with '-')."""
    return ["--enable-api", f"--jwt-secret={secret}", f"--jwt-method={ALGORITHM}"]
