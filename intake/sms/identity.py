"""Who is texting: the E.164 phone number, and the conversation id Rasa sees instead of it.

Rasa's tracker store keeps every message under the conversation id, often for a long time and
sometimes in logs and exports. So the id is an HMAC-SHA256 of the number under a server-side
key, not the number itself: the same number always reaches the same conversation, but the id
alone does not reveal the number, and without the key one cannot test guesses of numbers
against it (a plain hash of a 10-digit number space could be reversed in minutes).
The key is INTAKE_SMS_ID_KEY, or for development a key generated once into var/sms_id_key.
Changing the key starts new conversations for everyone; keep it stable.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Optional

import phonenumbers

from intake.keys import VAR_DIR, secret_from_env_or_file

ID_KEY_ENV = "INTAKE_SMS_ID_KEY"
ID_KEY_FILE = VAR_DIR / "sms_id_key"
CONVERSATION_PREFIX = "sms-"


def sms_id_key() -> bytes:
    """INTAKE_SMS_ID_KEY, or the development key in var/sms_id_key (created on first use)."""
    return secret_from_env_or_file(ID_KEY_ENV, ID_KEY_FILE)


def normalize_phone(raw: str, default_region: str = "US") -> str:
    """The number in E.164 ("+13105550100"); text Twilio sent that is no phone number stays as it is.

    Twilio already sends E.164 for phone numbers; normalising again means a number typed in
    another form elsewhere (the booking form, the front desk) still matches the same contact.
    Short codes and alphanumeric senders are kept verbatim rather than refused."""
    cleaned = (raw or "").strip()
    try:
        parsed = phonenumbers.parse(cleaned, default_region)
    except phonenumbers.NumberParseException:
        return cleaned
    if not phonenumbers.is_possible_number(parsed):
        return cleaned
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def conversation_id_for(phone: str, key: Optional[bytes] = None) -> str:
    """The tracker's conversation id for an E.164 number: 'sms-' and a keyed hash, never the number."""
    digest = hmac.new(key or sms_id_key(), phone.encode("utf-8"), hashlib.sha256).hexdigest()
    return CONVERSATION_PREFIX + digest
