"""The conversation's language as an action sees it (intake.language decides)."""
from typing import Optional, Text

from rasa_sdk import Tracker

from intake.language import LANGUAGES, reply_language

LANGUAGE_SLOT = "language"


def conversation_language(tracker: Tracker) -> Text:
    """"es" or "en": the slot, or the language this turn's message sets (the slot is recorded only
    after the turn's first action), or an earlier session's (slots are not carried over)."""
    current = tracker.get_slot(LANGUAGE_SLOT) or _earlier_session_language(tracker)
    return reply_language((tracker.latest_message or {}).get("text") or "", current)


def _earlier_session_language(tracker: Tracker) -> Optional[Text]:
    for event in reversed(tracker.events or []):
        if event.get("event") == "slot" and event.get("name") == LANGUAGE_SLOT and event.get("value") in LANGUAGES:
            return event["value"]
    return None
