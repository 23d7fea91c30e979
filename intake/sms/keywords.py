"""The carrier keywords (CTIA, TCPA): opt out, opt back in, ask for help.

A keyword counts only when it is the whole message, ignoring case, spaces and punctuation
("Stop.", " STOP!", "s t o p"), as carriers and Twilio treat them; "stop asking me" is a normal
message for the assistant. "YES", which Twilio also treats as opt-in, is deliberately not one:
here it answers the assistant's yes/no questions.

Spanish speakers have their own words (ALTO, PARAR, CANCELAR; COMENZAR; AYUDA), handled exactly
like the English ones and answered in Spanish (`keyword_language`). Twilio's own opt-out list is
English only, so a Spanish STOP is honoured here: the number gets nothing more after it. "PARA"
is not one: as a whole text it is too often the start of a sentence sent early.
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


SPANISH_OPT_OUT_WORDS = frozenset({"alto", "parar", "pare", "cancelar", "detener", "baja"})
SPANISH_OPT_IN_WORDS = frozenset({"comenzar", "reanudar"})
SPANISH_HELP_WORDS = frozenset({"ayuda", "informacion"})
OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}) | SPANISH_OPT_OUT_WORDS
OPT_IN_WORDS = frozenset({"start", "unstop"}) | SPANISH_OPT_IN_WORDS
HELP_WORDS = frozenset({"help", "info"}) | SPANISH_HELP_WORDS
SPANISH_WORDS = SPANISH_OPT_OUT_WORDS | SPANISH_OPT_IN_WORDS | SPANISH_HELP_WORDS
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


def keyword_language(text: Optional[str]) -> str:
    """"es" when `text` is one of the Spanish keywords, else "en": the language of its reply."""
    return "es" if _letters_only(text or "") in SPANISH_WORDS else "en"
