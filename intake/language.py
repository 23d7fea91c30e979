"""The language of a conversation: English or Spanish, read from the person's own words.

About half of Los Angeles County is Hispanic or Latino, and Spanish is the language of home for a
third of its people: a Spanish speaker is answered in Spanish, a crisis first. The reading uses
lingua (a detector made for short text, its models inside the pip package), limited to the two
languages the assistant speaks.

When the language changes (the `language:` section of config/clinic.yml):
- the person asks for it: "español", "english", the menu's language buttons, ESPAÑOL / ENGLISH by
  SMS (`explicit_choice`);
- before any language is known (the first messages), a message of at least `first_min_letters`
  letters read as one language with at least `first_confidence` ("hello" is read as Spanish with
  0.61, so the bar is 0.7), or a Spanish opening word ("hola", "buenas");
- once one is known, only a message of at least `switch_min_words` words read as the other
  language with at least `switch_confidence`, so "ok", "sí", "no" or a mixed message
  ("tengo un anxiety horrible today") never flip it.
No language yet means English (the clinic's default).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Optional

ENGLISH, SPANISH = "en", "es"
LANGUAGES = (ENGLISH, SPANISH)
# Their names in English, for the front desk (console, alerts): the language to call back in.
NAMES_FOR_STAFF = {ENGLISH: "English", SPANISH: "Spanish"}
DEFAULT_LANGUAGE = ENGLISH
# What a person types to choose a language (accents and case ignored; a trailing "please" too).
CHOICE_WORDS = {
    SPANISH: {"espanol", "en espanol", "spanish", "in spanish", "hablo espanol", "habla espanol",
              "en espanol por favor", "espanol por favor", "spanish please", "castellano"},
    ENGLISH: {"english", "in english", "ingles", "en ingles", "english please", "en ingles por favor",
              "ingles por favor", "i speak english"},
}
# Spanish greeting words, too short for the detector to be sure of ("hola" reads 0.66 Spanish, and
# "hello" 0.61): a first message made only of them ("hola", "oye hola", "buenas noches", "que tal")
# is Spanish.
SPANISH_GREETING_WORDS = {"hola", "holi", "holaa", "ola", "buenas", "buenos", "buen", "dia", "dias", "tardes",
                          "noches", "que", "tal", "oye", "oiga", "saludos", "muy", "quiubo", "quihubo"}
SPANISH_GREETING_MAX_WORDS = 5
# A message of at most this many words that names exactly one language asks for it.
LANGUAGE_NAMES = {SPANISH: {"espanol", "spanish", "castellano"}, ENGLISH: {"english", "ingles"}}
CHOICE_MAX_WORDS = 6
LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class LanguageSettings:
    first_min_letters: int = 4
    first_confidence: float = 0.7
    switch_min_words: int = 3
    switch_confidence: float = 0.8

    @classmethod
    def from_config(cls, section: Mapping[str, object]) -> "LanguageSettings":
        return cls(**{key: type(getattr(cls, key))(value) for key, value in section.items()
                      if key in cls.__dataclass_fields__})


def plain(text: str) -> str:
    """Lower case, no accents, single spaces, no punctuation at the ends."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    bare = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return " ".join(bare.strip(" \t\n.!?¡¿,;:").split())


def explicit_choice(text: str) -> Optional[str]:
    """The language a message asks for by name ("Español", "english please", "do you speak
    spanish?", "prefiero inglés"): a short message that names one of the two languages, else None."""
    said = plain(text)
    for language, words in CHOICE_WORDS.items():
        if said in words:
            return language
    words = set(said.split())
    if len(words) > CHOICE_MAX_WORDS:
        return None
    named = {language for language, names in LANGUAGE_NAMES.items() if words & names}
    return named.pop() if len(named) == 1 else None


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    return (LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.SPANISH)
            .with_preloaded_language_models().build())


def warm_up() -> None:
    """Load the detector's models now (a server start), not on a person's first message."""
    _detector()


def likeliest(text: str) -> tuple:
    """(language, confidence) of the text, the confidence between 0.5 and 1 for two languages."""
    from lingua import Language

    values = _detector().compute_language_confidence_values(text)
    if not values:
        return DEFAULT_LANGUAGE, 0.0
    top = values[0]
    return (SPANISH if top.language == Language.SPANISH else ENGLISH), float(top.value)


def language_after(text: str, current: Optional[str], settings: LanguageSettings = LanguageSettings()
                   ) -> Optional[str]:
    """The conversation's language after this message when it changes, else None (keep `current`)."""
    chosen = explicit_choice(text)
    if chosen:
        return chosen if chosen != current else None
    if current not in LANGUAGES:
        if is_spanish_greeting(text):
            return SPANISH
        if len(LETTERS.findall(text)) < settings.first_min_letters:
            return None
        language, confidence = likeliest(text)
        return language if confidence >= settings.first_confidence else None
    if len(text.split()) < settings.switch_min_words:
        return None
    language, confidence = likeliest(text)
    return language if language != current and confidence >= settings.switch_confidence else None


def language_of_message(text: str, settings: Optional[LanguageSettings] = None) -> str:
    """The language to answer one message in when the conversation's is not at hand (a failed or
    late turn): the message's own, by the first-message rule. Never raises: English when the
    detector cannot be used (a crisis reply must still go out)."""
    try:
        return language_after(text, None, settings or configured()) or DEFAULT_LANGUAGE
    except Exception:  # noqa: BLE001 - see the docstring
        return DEFAULT_LANGUAGE


def is_spanish_greeting(text: str) -> bool:
    """Only Spanish greeting words, at most a few of them."""
    words = plain(text).split()
    return 0 < len(words) <= SPANISH_GREETING_MAX_WORDS and all(word in SPANISH_GREETING_WORDS for word in words)


def configured() -> LanguageSettings:
    from intake.settings import settings

    return LanguageSettings.from_config(settings().section("language"))


def reply_language(text: str, current: Optional[str], settings: Optional[LanguageSettings] = None) -> str:
    """The language to answer `text` in when `current` is the conversation's language so far: the
    one this message switches to, else `current`, else English. For code that runs before the
    turn's language is recorded (Rasa records a policy's slot only after the turn's first action:
    the action server sees the slot as it was). Never raises: `current` when the detector fails."""
    known = current if current in LANGUAGES else DEFAULT_LANGUAGE
    if not text or text.startswith("/"):
        return known
    try:
        return language_after(text, current, settings or configured()) or known
    except Exception:  # noqa: BLE001 - see the docstring
        return known

