"""A conversation's transcript for the front desk, read from Rasa's tracker (the tracker store
is the record of what was said; the app database keeps no copy of message text).

Three speakers: the person, the assistant, and staff (bot messages uttered as utter_staff_reply
by the console). Buttons the assistant offered are listed after its text as
"[options: A | B]", and a button the person pressed is shown by its title, as they saw it.
The text is returned as written: whoever displays it must escape it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional

STAFF_ACTION = "utter_staff_reply"


@dataclass(frozen=True)
class TranscriptLine:
    at: datetime
    speaker: str  # "person" | "assistant" | "staff"
    text: str


def _at(event: Mapping[str, Any]) -> datetime:
    return datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)


def _buttons(event: Mapping[str, Any]) -> List[Dict[str, Any]]:
    buttons = (event.get("data") or {}).get("buttons") or []
    return [b for b in buttons if isinstance(b, dict)]


def _bot_text(event: Mapping[str, Any]) -> str:
    text = event.get("text") or ""
    titles = [str(b.get("title") or b.get("payload") or "") for b in _buttons(event)]
    if titles:
        options = "[options: " + " | ".join(titles) + "]"
        text = f"{text}\n{options}" if text else options
    return text


def _person_text(text: str, offered: List[Dict[str, Any]]) -> str:
    """A pressed button arrives as its payload ("/request_human"); show what the person saw."""
    for button in offered:
        if button.get("payload") == text and button.get("title"):
            return f"[chose: {button['title']}]"
    return text


def lines_from_tracker(tracker: Mapping[str, Any]) -> List[TranscriptLine]:
    """The transcript of a tracker as Rasa's HTTP API returns it (GET .../tracker)."""
    lines: List[TranscriptLine] = []
    offered: List[Dict[str, Any]] = []
    for event in tracker.get("events") or []:
        kind = event.get("event")
        if kind == "user":
            text: Optional[str] = event.get("text")
            if not text:  # an external event (trigger_intent) has no text: nobody wrote anything
                continue
            lines.append(TranscriptLine(_at(event), "person", _person_text(text, offered)))
            offered = []
        elif kind == "bot":
            text = _bot_text(event)
            if not text:
                continue
            metadata = event.get("metadata") or {}
            speaker = "staff" if metadata.get("utter_action") == STAFF_ACTION else "assistant"
            lines.append(TranscriptLine(_at(event), speaker, text))
            offered = _buttons(event) or offered
    return lines
