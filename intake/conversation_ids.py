"""The channel a conversation lives on, read from its id.

An SMS conversation's id is "sms-" and an HMAC of the phone number (intake.sms.identity); a web
chat's is issued and signed by the Rasa server (intake.web_sessions). Each is written to only by
its own channel, which refuses the other's ids (REST refuses both), so a message can never move a
conversation to another channel, and the front desk's replies go where the person is.
"""
from __future__ import annotations

from typing import Optional

from intake.sms.identity import CONVERSATION_PREFIX as SMS_CONVERSATION_PREFIX
from intake.web_sessions import is_issued


def channel_by_id(conversation_id: str) -> Optional[str]:
    """"sms", "socketio", or None for any other id (a REST conversation: its latest channel).
    Case does not matter for the SMS prefix, so "SMS-..." cannot pass for a REST id."""
    if (conversation_id or "").lower().startswith(SMS_CONVERSATION_PREFIX):
        return "sms"
    return "socketio" if is_issued(conversation_id) else None
