"""The ketamine pre-screen: questions a clinician reviews, turned into flags, never a refusal.

Questions, their kinds and their flags live in prescreen.yml so a clinician can review and
change them without touching code. The only answer that changes the conversation is being
under 18: the clinic treats adults, so the intake stops kindly and points to help.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

import yaml

from intake.language import plain
from intake.screening.answers import Answer, parse_yes_no

PRESCREEN_FILE = Path(__file__).with_name("prescreen.yml")
YES, NO, SKIPPED, NONE = "yes", "no", "skipped", "none"
ADULT_AGE = 18
MAX_FREE_TEXT = 500
NUMBER_WORDS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
NOTHING = re.compile(
    r"^(none|nothing|no|nope|nah|n/?a|no meds|no medications?|not any|nothing yet|not really"
    r"|ninguno|ninguna|ningun|nada|no tomo|todavia nada|aun nada)\b"
)
# Spanish ages in words: the tens, and the single words from ten to twenty-nine.
SPANISH_NUMBER_WORDS = {
    "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16,
    "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintiun": 21,
    "veintidos": 22, "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26,
    "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "treinta": 30, "cuarenta": 40, "cincuenta": 50,
    "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90,
}
SPANISH_ONES = ["uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"]
MINOR = re.compile(
    r"\b(under|not yet|younger than|below)\s*18\b|\bminor\b|\bteen(ager)?\b|\bhigh school\b"
    r"|\bmenor\b|\bmenos de 18\b|\bno tengo 18\b|\btodavia no\b|\badolescente\b|\bprepa(ratoria)?\b"
    r"|\bno soy (mayor|adult[oa])\b"
)
NOT_A_MINOR = re.compile(r"\bno soy menor\b|\bnot (a )?minor\b")
ADULT = re.compile(
    r"\b(over|above|older than)\s*18\b|\badult\b|\bmayor de edad\b|\b(mas|mayor) de 18\b|\badult[oa]\b"
)


@dataclass(frozen=True)
class PrescreenQuestion:
    slot: str
    kind: str  # adult, yes_no, free_text
    text: str
    flag: Optional[str]
    text_es: str = ""

    def text_in(self, language: str) -> str:
        """The question in the conversation's language (English when no translation is written)."""
        return self.text_es if language == "es" and self.text_es else self.text


@dataclass(frozen=True)
class Prescreen:
    instrument: str
    version: str
    questions: Dict[str, PrescreenQuestion]
    medications_to_review: Dict[str, Tuple[str, ...]]

    @property
    def slots(self) -> List[str]:
        return list(self.questions)


@lru_cache(maxsize=None)
def load_prescreen(path: Path = PRESCREEN_FILE) -> Prescreen:
    """The pre-screen defined in the YAML file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = {
        slot: PrescreenQuestion(slot, item["kind"], item["text"], item.get("flag"), item.get("text_es", ""))
        for slot, item in raw["questions"].items()
    }
    meds = {group: tuple(words) for group, words in raw["medications_to_review"].items()}
    return Prescreen(raw["instrument"], str(raw["version"]), questions, meds)


def parse_age_answer(text: str) -> Optional[str]:
    """"yes"/"no" to "are you 18 or older", from yes/no words or an age; SKIPPED; None if unclear."""
    cleaned = plain(text or "")
    if NOT_A_MINOR.search(cleaned):
        return YES
    if MINOR.search(cleaned):
        return NO
    if ADULT.search(cleaned):
        return YES
    age = _age_in(cleaned)
    if age is not None:
        return YES if age >= ADULT_AGE else NO
    answer = parse_yes_no(cleaned)
    return {Answer.YES: YES, Answer.NO: NO, Answer.SKIP: SKIPPED}.get(answer)


def _age_in(text: str) -> Optional[int]:
    """An age in years written as digits or words ("34", "I'm 17", "twenty five"), else None."""
    if re.fullmatch(r"[12]", text):  # SMS option numbers, not ages
        return None
    digits = re.search(r"\b(\d{1,3})\s*(years?|yrs?|y/?o)?\b", text)
    if digits and 5 <= int(digits.group(1)) <= 120:
        return int(digits.group(1))
    words = re.findall(r"[a-z]+", text)
    for index, word in enumerate(words):
        if word in NUMBER_WORDS:
            value = NUMBER_WORDS[word]
            following = words[index + 1] if index + 1 < len(words) else ""
            ones = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
            if value >= 20 and following in ones:
                value += ones.index(following) + 1
            return value
    return _spanish_age_in(words)


def _spanish_age_in(words: List[str]) -> Optional[int]:
    """"tengo treinta y cuatro", "veintidos años": an age in Spanish words, else None."""
    for index, word in enumerate(words):
        if word == "once" and words[index + 1:index + 2] != ["anos"]:
            continue  # "once" is also an English word
        if word in SPANISH_NUMBER_WORDS:
            value = SPANISH_NUMBER_WORDS[word]
            rest = words[index + 1:index + 3]
            if value >= 30 and len(rest) == 2 and rest[0] == "y" and rest[1] in SPANISH_ONES:
                value += SPANISH_ONES.index(rest[1]) + 1
            return value
    return None


def parse_free_text_answer(text: str) -> Optional[str]:
    """A free-text answer kept as written (trimmed), NONE, SKIPPED, or None when empty."""
    cleaned = re.sub(r"\s+", " ", (text or "").strip())
    if not cleaned:
        return None
    if parse_yes_no(cleaned) is Answer.SKIP:
        return SKIPPED
    if NOTHING.match(plain(cleaned)) and len(cleaned) < 40 and not medication_groups(cleaned):
        return NONE
    return cleaned[:MAX_FREE_TEXT]


def is_minor(answers: Mapping[str, Optional[str]]) -> bool:
    return answers.get("ps_adult") == NO


def slots_to_ask(answers: Mapping[str, Optional[str]], prescreen: Optional[Prescreen] = None) -> List[str]:
    """Every question in order; only the age question once the person said they are under 18."""
    prescreen = prescreen or load_prescreen()
    return prescreen.slots[:1] if is_minor(answers) else prescreen.slots


def medication_groups(text: Optional[str], prescreen: Optional[Prescreen] = None) -> List[str]:
    """The medicine groups of REFERENCE.md named in a free-text medication list."""
    prescreen = prescreen or load_prescreen()
    lowered = f" {plain(text or '')} "
    return [
        group for group, words in prescreen.medications_to_review.items()
        if any(re.search(rf"\b{re.escape(word)}\b", lowered) for word in words)
    ]


def prescreen_flags(answers: Mapping[str, Optional[str]], prescreen: Optional[Prescreen] = None) -> List[str]:
    """Flags for the clinician. A flag is something to discuss, never a reason to refuse."""
    prescreen = prescreen or load_prescreen()
    flags: List[str] = []
    for slot, question in prescreen.questions.items():
        value = answers.get(slot)
        if question.kind == "adult" and value == NO:
            flags.append(question.flag)
        elif question.kind == "yes_no" and value == YES:
            flags.append(question.flag)
        elif question.kind == "free_text" and question.flag and medication_groups(value, prescreen):
            groups = ", ".join(medication_groups(value, prescreen))
            flags.append(f"{question.flag}: {groups}")
    unanswered = [slot for slot in slots_to_ask(answers, prescreen) if answers.get(slot) == SKIPPED]
    flags.extend(f"not_answered: {slot}" for slot in unanswered)
    return flags


def is_complete(answers: Mapping[str, Optional[str]], prescreen: Optional[Prescreen] = None) -> bool:
    return all(answers.get(slot) for slot in slots_to_ask(answers, prescreen))
