"""The carrier keywords (CTIA, TCPA): opt out, opt back in, ask for help.

A keyword counts only when it is the whole message, ignoring case, spaces and punctuation
("Stop.", " STOP!", "s t o p"), as carriers and Twilio treat them; "stop asking me" is a normal
message for the assistant. "YES", which Twilio also treats as opt-in, is deliberately not one:
here it answers the assistant's yes/no questions.
"""
from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import Optional


class Keyword(Enum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
OPT_IN_WORDS = frozenset({"start", "unstop"})
HELP_WORDS = frozenset({"help", "info"})
NOT_LETTERS = re.compile(r"[^a-z]")


def _letters_only(text: str) -> str:
    """Lower-case ASCII letters of `text`, accents folded, everything else dropped."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return NOT_LETTERS.sub("", folded.lower())


def keyword_of(text: Optional[str]) -> Optional[Keyword]:
    """The keyword that `text` is as a whole, or None for any other message."""
    word = _letters_only(text or "")
    if word in OPT_OUT_WORDS:
        return Keyword.OPT_OUT
    if word in OPT_IN_WORDS:
        return Keyword.OPT_IN
    if word in HELP_WORDS:
        return Keyword.HELP
    return None
