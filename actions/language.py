"""The conversation's language as an action sees it (intake.language decides)."""
from typing import Dict, List, Optional, Text

from rasa_sdk import Tracker

from intake.language import LANGUAGES, reply_language
from intake.phrases import phrase

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


def translated(buttons: List[Dict[Text, Text]], language: Text) -> List[Dict[Text, Text]]:
    """Buttons whose titles are keys of responses/phrases.yml, in `language`."""
    return [{**button, "title": phrase(button["title"], language)} for button in buttons]
