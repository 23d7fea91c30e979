"""What people wrote, and their contact details, sealed inside stored conversation events.

Rasa's tracker store keeps every event as JSON: what the person typed, what the NLU pipeline
read from it, the slots the forms filled and what the bot answered. A person booking a
consultation types a phone number and an email address, and some people type them unasked.
The tracker store must not keep them readable, yet the booking form reads its slots back from
the stored conversation on every turn, and the front desk reads transcripts through Rasa's API.

So they are sealed, not deleted, replaced by `[[sealed:TOKEN]]`, where TOKEN is the text
encrypted (Fernet: AES-128-CBC with an HMAC) with the deployment's tracker key:
- whole, every message a person wrote (with the copies the NLU pipeline keeps: the parsed text,
  the entity values), every message said to them (it may repeat their name or answers, and a
  staff member writes freely) and every slot value that is text (names, free-text answers about
  medication and treatment, times, the contact details): none of a person's words, not a name,
  not the words of a crisis disclosure, is readable in the database;
- inside any other string of an event, each phone number or email address.
What stays readable is what the clinic's reports and the purge need and no one wrote: event types,
timestamps, intent, action and slot names (so that a message was read as a crisis), the risk
rule's name, numbers and yes/no values.
Reading an event back with the same key restores it exactly. The database, its backups and anyone
with only a database login see none of it; the Rasa servers, which hold the key, see it as typed.
"""
from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from typing import Any, List, Mapping, Tuple

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken

from intake.keys import VAR_DIR, secret_from_env_or_file

TRACKER_KEY_ENV = "INTAKE_TRACKER_KEY"
SEALED = re.compile(r"\[\[sealed:([A-Za-z0-9_\-=]+)\]\]")
EMAIL = re.compile(r"[\w.+\-']+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)
# A phone number has at least 7 digits; strings with fewer are skipped without parsing.
MIN_PHONE_DIGITS = 7
# A long run of digits is sealed even when it is not a valid number anywhere (a mistyped phone).
DIGIT_RUN = re.compile(r"(?<!\d)(?:\d[\s().\-]?){9,14}\d(?!\d)")
DEFAULT_REGION = "US"
# Event ids (message_id) are hex: never a contact detail, and often seven digits in a row.
HEX_ID = re.compile(r"[0-9a-f]{16,}")


def contact_spans(text: str) -> List[Tuple[int, int]]:
    """Start and end of every phone number and email address in `text`, in order, not overlapping."""
    spans = [match.span() for match in EMAIL.finditer(text)]
    if sum(ch.isdigit() for ch in text) >= MIN_PHONE_DIGITS:
        spans += [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(
            text, DEFAULT_REGION, leniency=phonenumbers.Leniency.POSSIBLE)]
        spans += [match.span() for match in DIGIT_RUN.finditer(text)]
    return _merged(spans)


def _merged(spans: List[Tuple[int, int]]) -> List[Tuple[int, int]]:
    merged: List[Tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


class ContactSeal:
    """Seals contact details in event data with one key, and opens what that key sealed."""

    def __init__(self, secret: bytes) -> None:
        # Fernet wants 32 url-safe base64 bytes; any configured secret is stretched to that.
        self._fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret).digest()))

    def seal_text(self, text: str) -> str:
        """`text` with every contact detail replaced by its sealed form."""
        if "[[sealed:" in text or HEX_ID.fullmatch(text):  # already sealed, or an event id
            return text
        spans = contact_spans(text)
        if not spans:
            return text
        pieces, last = [], 0
        for start, end in spans:
            pieces += [text[last:start], self._sealed(text[start:end])]
            last = end
        return "".join(pieces) + text[last:]

    def seal_whole(self, value: Any) -> Any:
        """A string sealed as one piece (a list of strings: each); anything else as it is."""
        if isinstance(value, list):
            return [self.seal_whole(item) for item in value]
        if not isinstance(value, str) or not value or SEALED.fullmatch(value):
            return value
        return self._sealed(value)

    def _sealed(self, text: str) -> str:
        """`text` encrypted, in the form `open_text` finds: [[sealed:TOKEN]]."""
        return f"[[sealed:{self._fernet.encrypt(text.encode('utf-8')).decode('ascii')}]]"

    def seal_event(self, data: Mapping[str, Any]) -> Any:
        """A stored event's JSON: contact details sealed everywhere, and what a person wrote, what
        they were told and every text slot value sealed whole (module docstring)."""
        sealed = self.seal(dict(data))
        kind = data.get("event")
        if kind in ("user", "bot"):
            sealed["text"] = self.seal_whole(data.get("text"))
        if kind == "user" and isinstance(data.get("parse_data"), dict):
            parsed = dict(sealed["parse_data"])
            parsed["text"] = self.seal_whole(data["parse_data"].get("text"))
            parsed["entities"] = [{**entity, "value": self.seal_whole(entity.get("value"))}
                                  if isinstance(entity, dict) else entity
                                  for entity in data["parse_data"].get("entities") or []]
            sealed["parse_data"] = parsed
        if kind == "slot":
            sealed["value"] = self.seal_whole(data.get("value"))
        return sealed

    def open_text(self, text: str) -> str:
        """`text` with every sealed detail restored; a seal this key cannot open stays as it is."""
        for _ in range(3):  # a sealed whole may hold a sealed detail from an earlier save
            if "[[sealed:" not in text:
                return text
            opened = SEALED.sub(self._opened, text)
            if opened == text:
                return text
            text = opened
        return text

    def _opened(self, match: "re.Match[str]") -> str:
        try:
            return self._fernet.decrypt(match.group(1).encode("ascii")).decode("utf-8")
        except InvalidToken:
            return match.group(0)

    def seal(self, data: Any) -> Any:
        """A copy of JSON-like `data` with every string value sealed (keys are left alone)."""
        return _map_strings(data, self.seal_text)

    def open(self, data: Any) -> Any:
        """A copy of JSON-like `data` with every sealed string value opened."""
        return _map_strings(data, self.open_text)


def _map_strings(data: Any, change: Any) -> Any:
    if isinstance(data, str):
        return change(data)
    if isinstance(data, dict):
        return {key: _map_strings(value, change) for key, value in data.items()}
    if isinstance(data, list):
        return [_map_strings(value, change) for value in data]
    return data


@lru_cache(maxsize=1)
def tracker_seal() -> ContactSeal:
    """The seal of this deployment: INTAKE_TRACKER_KEY, or on a developer machine a key in var/."""
    return ContactSeal(secret_from_env_or_file(TRACKER_KEY_ENV, VAR_DIR / "tracker_key"))
