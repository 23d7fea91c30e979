"""Web chat session ids, issued and signed by the server.

A web chat's session id is its conversation's id: whoever knows one could write into that
conversation and receive what the front desk sends to it. So the server issues every id, a random
token with an HMAC of it under INTAKE_WEB_SESSION_KEY (generated once into var/ on a developer
machine; the same on every Rasa server of a deployment), and the socket.io channel refuses
messages under an id it did not issue (rasa_addons/channels/socketio.py).
"""
from __future__ import annotations

import hashlib
import hmac
import uuid
from functools import lru_cache

from intake.keys import VAR_DIR, secret_from_env_or_file

KEY_ENV = "INTAKE_WEB_SESSION_KEY"
KEY_FILE = VAR_DIR / "web_session_key"
SIGNATURE_CHARS = 32


@lru_cache(maxsize=1)
def _key() -> bytes:
    return secret_from_env_or_file(KEY_ENV, KEY_FILE)


def _signature(token: str) -> str:
    return hmac.new(_key(), token.encode("ascii"), hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def issue_session_id() -> str:
    """A new session id: `<32 hex>.<32 hex signature>`."""
    token = uuid.uuid4().hex
    return f"{token}.{_signature(token)}"


def is_issued(session_id: object) -> bool:
    """Whether `session_id` is one this deployment issued."""
    if not isinstance(session_id, str) or session_id.count(".") != 1:
        return False
    token, signature = session_id.split(".")
    if len(token) != 32 or not all(c in "0123456789abcdef" for c in token):
        return False
    return hmac.compare_digest(signature, _signature(token))
