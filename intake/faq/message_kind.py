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
    r"any|anyone|tell me|explain|qu[eé]|q|c[oó]mo|cu[aá]l|cu[aá]les|cuándo|dónde|qui[eé]n|cu[aá]nt[oa]s?|"
    r"por qu[eé]|porqu[eé]|xq|pq|puedo|puede|pueden|podr[ií]a|hay|es|son|sirve|funciona|necesito saber|quisiera saber)\b",
    re.IGNORECASE)
FIRST_PERSON = re.compile(r"\b(i|i'?m|i'?ve|i'?d|i'?ll|my|me|myself|mine|yo|mi|mis|me siento|tengo|tuve|estoy|"
                          r"soy|fui|conmigo)\b", re.IGNORECASE)


# A question inside a longer message: an interrogative or a request anywhere ("my husband has ptsd
# how can i help him", "im on seroquel is that a problem"), not only at the start.
ASKS_SOMEWHERE = re.compile(
    r"\b(how|what|whats|what's|why|when|where|which|whether|who|if|wonder|wondering|curious|tell me|show me|"
    r"explain|want to know|wanna know|need to know|(is|are|does|do|can|will|would) (that|this|it|they|there|you|i)|"
    # Spanish, where "que" and "como" without accents are also "that" and "like": only in a question's shape.
    r"qu[eé] (es|son|pasa|hago|puedo|significa|tan)|c[oó]mo (se|es|funciona|puedo|le|lo|la|saber)|cuánt[oa]s?|"
    r"cuándo|dónde|cuál(es)?|por qu[eé]|quisiera saber|quiero saber|me gustar[ií]a saber|saber si|"
    r"tengo (una )?(duda|pregunta)|me (puede|podr[ií]a|pueden|podr[ií]an) (decir|explicar|informar))\b",
    re.IGNORECASE)

# Where a new clause may start a question: after punctuation, "so", "and" or "but" ("y", "pero").
CLAUSE_BREAK = re.compile(r"[.,;:!¡]+\s*|\s+(?:so|and|but|y|pero|entonces)\s+", re.IGNORECASE)


def is_question(text: str) -> bool:
    return "?" in text or "¿" in text or bool(QUESTION_START.match(text))


def is_personal_statement(text: str) -> bool:
    """A statement (not a question) of three words or more about oneself."""
    text = (text or "").strip()
    return bool(text) and not is_question(text) and len(text.split()) >= 3 and bool(FIRST_PERSON.search(text))


def is_plain_statement(text: str) -> bool:
    """A personal statement with no question anywhere in it ("I'm skeptical this will work for
    me", "my partner will come with me for support"). It is never answered with an FAQ topic,
    which would answer a question nobody asked; it gets thanks and the closest topics instead."""
    if not is_personal_statement(text) or ASKS_SOMEWHERE.search(text):
        return False
    return not any(QUESTION_START.match(clause) for clause in CLAUSE_BREAK.split(text) if clause)


# Words that carry no subject of their own: with nothing else in a message ("is it ok", "wait does
# it do that", "and then what?") there is nothing to answer without the context the assistant
# does not have.
EMPTY_WORDS = frozenset("""
a an the and or but so then also too just really actually like um uh hmm ok okay k wait well yes yeah no
nope sure right oh ah hey hi that this these those it its it's that's thing things stuff one ones
what whats what's which who why how when where whether if about after before for of to in on at with
is isn't are aren't am was were be been do does doesn't did can can't could will would should may might
i i'm me my you your we us our they them their he him his she her someone somebody anyone people
there here more much some any other else again now still even
y o pero entonces eso esto esa ese es que q qué como cómo lo la el los las le un una si sí no bueno pues
este oye mmm ah ahh también tambien hace hacer así asi ya ahora
""".split())


def is_empty_question(text: str) -> bool:
    """Only words without a subject of their own ("is it ok", "wait does it do that")."""
    words = re.findall(r"[a-záéíóúñü']+", (text or "").lower())
    return bool(words) and all(word in EMPTY_WORDS for word in words)
