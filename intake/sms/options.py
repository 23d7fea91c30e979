"""Buttons as numbered options, and a numeric reply back to the button it stands for.

A phone has no buttons, so "Book a consultation" becomes "2: Book a consultation" under
"Reply with a number:". The options of the last reply are stored with the contact (the app
database, not memory), so "2" still means that button after a restart or on another server.
Link buttons (tel:, sms:, http) are not numbered: a phone already makes the number or address
in the text tappable, so they are written out ("Call 988: 988") instead.

SMS variants in domain.yml may ask a yes/no question in their own words, "Reply 1 for yes, 2 for
no." (the crisis safety question does); such a reply then maps 1 to /affirm and 2 to /deny, so
a person in crisis who answers "2" (not safe) is understood whatever the NLU makes of a digit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from intake.language import language_of_message

LINK_SCHEMES = ("tel:", "sms:", "http://", "https://", "mailto:")
OPTIONS_HEADER = "Reply with a number:"
# The header in the language of the reply it stands under (GSM-7 letters only).
OPTIONS_HEADERS = {"en": OPTIONS_HEADER, "es": "Responda con un numero:"}
INLINE_YES_NO = re.compile(r"reply 1 for yes,? (?:or )?2 for no|responda 1 para s[ií],? (?:o )?2 para no", re.IGNORECASE)
NUMERIC_REPLY = re.compile(r"^\s*(?:#|no\.?\s*|number\s*|option\s*)?(\d{1,2})\s*[.)!]?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class NumberedOption:
    """One button as the person sees it (its number and title) and what it sends (its payload)."""

    number: int
    title: str
    payload: str

    def as_json(self) -> Dict[str, Any]:
        return {"number": self.number, "title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class RenderedReply:
    """The assistant's messages of one turn as plain text, and the options numbered in it."""

    text: str
    options: List[NumberedOption]


def _link_line(button: Mapping[str, Any]) -> str:
    payload = str(button.get("payload") or "")
    target = payload.split(":", 1)[1] if payload.startswith(("tel:", "sms:", "mailto:")) else payload
    title = str(button.get("title") or "").strip()
    if target in title:
        return title
    return f"{title}: {target}" if title else target


def render_messages(messages: Iterable[Mapping[str, Any]]) -> RenderedReply:
    """The bot messages of one turn (Rasa's dicts: text, buttons, image, ...) as one text.

    Options are numbered across the whole turn, so two messages with buttons in one reply
    still give each option its own number. Images and custom payloads have no SMS form and are
    dropped; a text always accompanies them in this assistant's responses. The header over the
    options is in the language the turn's own text is written in."""
    messages = list(messages)
    header = OPTIONS_HEADERS[language_of_message(" ".join(str(m.get("text") or "") for m in messages))]
    paragraphs: List[str] = []
    options: List[NumberedOption] = []
    for message in messages:
        text = str(message.get("text") or "").strip()
        lines: List[str] = [text] if text else []
        numbered: List[str] = []
        for button in message.get("buttons") or []:
            payload = str(button.get("payload") or "")
            if payload.lower().startswith(LINK_SCHEMES):
                lines.append(_link_line(button))
                continue
            option = NumberedOption(len(options) + 1, str(button.get("title") or payload).strip(), payload)
            options.append(option)
            numbered.append(f"{option.number}: {option.title}")
        if numbered:
            lines.append("\n".join([header, *numbered]))
        if lines:
            paragraphs.append("\n".join(lines))
    text = "\n".join(paragraphs)
    if not options and INLINE_YES_NO.search(text):
        options = [NumberedOption(1, "yes", "/affirm"), NumberedOption(2, "no", "/deny")]
    return RenderedReply(text, options)


def options_from_json(stored: Optional[Sequence[Mapping[str, Any]]]) -> List[NumberedOption]:
    """Options as stored with the contact; entries that do not parse are skipped."""
    options = []
    for item in stored or []:
        try:
            options.append(NumberedOption(int(item["number"]), str(item["title"]), str(item["payload"])))
        except (KeyError, TypeError, ValueError):
            continue
    return options


def payload_for_reply(text: str, options: Sequence[NumberedOption]) -> Optional[str]:
    """The payload of the option that `text` picks ("2", "2.", "#2", "option 2"), else None."""
    match = NUMERIC_REPLY.match(text or "")
    if not match:
        return None
    number = int(match.group(1))
    return next((option.payload for option in options if option.number == number), None)
