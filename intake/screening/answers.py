"""Understanding a free-text answer to a yes/no screening question.

People answer "yeah", "nope", "1" (SMS option 1 = yes), "I'd rather not say" or "sometimes".
The parser turns that into YES, NO, SKIP (a refusal or a skip; no answer recorded), UNSURE
(one clarifying question is asked) or UNCLEAR (the question is asked again). Spanish answers
("claro que sí", "nel", "prefiero no contestar", "a veces") are read the same way; accents are
optional ("si", "no se").
"""
from __future__ import annotations

import re
from enum import Enum


class Answer(str, Enum):
    YES = "yes"
    NO = "no"
    SKIP = "skip"
    UNSURE = "unsure"
    UNCLEAR = "unclear"


_PHRASES = {
    Answer.SKIP: [
        r"skip", r"pass", r"next question", r"(i'?d |i would )?rather not( say| answer)?", r"prefer not( to)?( say| answer)?",
        r"i don'?t want to (say|answer)", r"not comfortable (saying|answering)", r"no comment", r"decline",
        r"none of your business", r"private", r"i won'?t answer", r"can we skip( this| that| it)?",
        r"prefiero no (contestar|responder|decir(lo)?)( esa| eso| esta)?", r"paso", r"siguiente( pregunta)?",
        r"no quiero (contestar|responder)( esa| eso| esta)?", r"(saltar|s[aá]ltatela|s[aá]ltela)( esa| esta)?",
    ],
    Answer.UNSURE: [
        r"sometimes", r"maybe", r"not sure", r"i'?m not sure", r"i don'?t know", r"idk", r"kind of", r"kinda",
        r"sort of", r"a little", r"a bit", r"occasionally", r"now and then", r"once or twice", r"possibly",
        r"perhaps", r"hard to say", r"depends", r"on and off", r"somewhat",
        r"a veces", r"tal vez", r"quiz[aá]s?", r"no s[eé]", r"no estoy segur[oa]", r"m[aá]s o menos", r"un poco",
        r"de vez en cuando", r"depende", r"puede ser", r"no (lo )?s[eé]( bien)?", r"no s[eé],? .*", r"nose",
        r"no sabr[ií]a( decir(le)?)?", r"ni idea", r"no siempre", r"no mucho", r"ya no", r"ya no .*",
    ],
    Answer.NO: [
        r"2", r"no+", r"nope", r"nah+", r"n", r"never", r"not really", r"not at all", r"no,? never",
        r"i have not", r"i haven'?t", r"haven'?t", r"i don'?t", r"don'?t", r"i do not", r"negative", r"none",
        r"not that i know of", r"no way", r"definitely not", r"nothing like that", r"no i haven'?t",
        r"no i don'?t", r"no i didn'?t", r"i did not", r"i didn'?t", r"nop", r"noo+pe", r"hell no",
        r"no ma'?am", r"no sir", r"not lately", r"not recently",
        r"(absolutely|certainly|of course|definitely) not", r"(that'?s |thats )?not true",
        r"nel", r"nunca", r"no,? nunca", r"para nada", r"claro que no", r"de ninguna manera", r"no,? gracias",
        r"no,? se[nñ]or(a|ita)?", r"no lo he (hecho|tenido|sentido)", r"no he", r"tampoco", r"nones",
    ],
    Answer.YES: [
        r"1", r"y", r"ye+s+", r"yeah+", r"yea", r"yep", r"yup", r"ya", r"yah", r"sure", r"i have", r"i do",
        r"i did", r"correct", r"right", r"true", r"definitely", r"absolutely", r"of course", r"affirmative",
        r"yes i have", r"yes i do", r"yes i did", r"many times", r"all the time", r"a lot", r"often",
        r"constantly", r"every day", r"uh huh", r"mhm+", r"si", r"sí", r"ok yes", r"unfortunately yes",
        r"sadly yes", r"i guess so", r"i think so", r"yes,? sometimes", r"yes unfortunately",
        r"certainly", r"(that'?s |thats )(right|true|correct)",
        r"s[ií],? claro", r"claro( que s[ií])?", r"por supuesto", r"as[ií] es", r"correcto", r"sim[oó]n", r"[aá]ndale",
        r"sip", r"s[ií],? se[nñ]or(a|ita)?", r"s[ií],? (mucho|muchas veces|seguido)", r"desafortunadamente s[ií]",
        r"s[ií],? lo he (hecho|tenido|sentido)", r"as[ií] mero", r"eso", r"exacto", r"efectivamente",
    ],
}
_COMPILED = {
    answer: re.compile(r"^(?:" + "|".join(phrases) + r")$") for answer, phrases in _PHRASES.items()
}


def _clean(text: str) -> str:
    text = text.strip().lower().replace("\u2019", "'")
    text = re.sub(r"[.!?,;:]+$", "", text)
    return re.sub(r"\s+", " ", text)


def _without_filler(text: str) -> str:
    return re.sub(r"^(um+|uh+|well|hmm+|honestly|i mean|ok|okay)[, ]+", "", text)


def is_bare_answer(text: str) -> bool:
    """The whole message is one known answer phrase ("no", "not really", "skip", "sometimes"):
    it answers the question asked and says nothing else."""
    cleaned = _clean(text or "")
    return bool(cleaned) and any(pattern.match(candidate) for candidate in (cleaned, _without_filler(cleaned))
                                 for pattern in _COMPILED.values())


def parse_yes_no(text: str) -> Answer:
    """Classify a free-text answer to a yes/no question."""
    cleaned = _clean(text or "")
    if not cleaned:
        return Answer.UNCLEAR
    for candidate in (cleaned, _without_filler(cleaned)):
        for answer in (Answer.SKIP, Answer.UNSURE, Answer.NO, Answer.YES):
            if _COMPILED[answer].match(candidate):
                return answer
    cleaned = _without_filler(cleaned)
    words = re.split(r"[ ,.!]+", cleaned)
    first = words[0]
    if first == "ya" and len(words) > 1 and words[1] == "no":  # "ya no": not any more
        return Answer.UNSURE
    if first == "no" and re.match(r"no (lo )?s[eé]\b|no sabr[ií]a\b", cleaned):  # "no sé, ...": unsure
        return Answer.UNSURE
    if first in {"yes", "yeah", "yep", "yup", "yea", "ya", "sí", "si"}:
        return Answer.YES
    if first in {"no", "nope", "nah", "never"}:
        return Answer.NO
    return Answer.UNCLEAR


# Words that say yes, in English or Spanish, anywhere in a message.
_YES_WORDS = re.compile(
    r"\b(yes|yeah|yep|yup|yea|ya|sure|ok|okay|k|alright|fine|good|great|perfect|works|correct|right|true|"
    r"absolutely|definitely|course|please|guess|think|do|go|let'?s|s[ií]|sip|claro|dale|sale|va|vale|sim[oó]n|"
    r"[oó]rale|[aá]ndale|supuesto|acuerdo|bien|exacto|eso)\b", re.IGNORECASE)


def says_yes_somewhere(text: str) -> bool:
    """Whether a word of the message says yes ("yeah that works", "claro que sí"). A message of
    three words or more read as a yes without one ("so about that") is not an answer."""
    return bool(_YES_WORDS.search(text or ""))

