"""Is a message a question, or something the person is telling about themselves?

When the assistant cannot place a message, a question gets the closest FAQ topics ("did you mean
one of these?"), but a personal statement ("my dad was abusive when I was a kid", "I've tried
three antidepressants") must not get "I'm not sure I understood": it gets thanks and an offer.
"""
from __future__ import annotations

import re

# How questions start in English and Spanish, also without a question mark and with typos.
QUESTION_START = re.compile(
    r"^\s*(what|whats|what's|wat|wut|how|hw|why|when|where|who|whom|whose|which|is|isn'?t|are|aren'?t|am|"
    r"can|cant|can't|could|do|does|doesn'?t|did|will|would|should|shall|may|might|have|has|was|were|"
    r"any|anyone|tell me|explain|qu[eé]|c[oó]mo|cu[aá]l|cu[aá]ndo|d[oó]nde|qui[eé]n|puedo|puede|hay|es|son)\b",
    re.IGNORECASE)
FIRST_PERSON = re.compile(r"\b(i|i'?m|i'?ve|i'?d|i'?ll|my|me|myself|mine|yo|mi|me siento|tengo)\b", re.IGNORECASE)


def is_question(text: str) -> bool:
    return "?" in text or "¿" in text or bool(QUESTION_START.match(text))


def is_personal_statement(text: str) -> bool:
    """A statement (not a question) of three words or more about oneself."""
    text = (text or "").strip()
    return bool(text) and not is_question(text) and len(text.split()) >= 3 and bool(FIRST_PERSON.search(text))
