"""The NIMH ASQ (Ask Suicide-Screening Questions): items, refusal rule and triage.

Items 1-4 are asked in order. A yes to any of them, or a refusal to answer, makes the screen
positive, and then the acuity question (item 5) is asked. Triage: negative, non-acute positive
(potential risk: resources, clinician follow-up at high priority, continue), acute positive
(imminent risk: crisis protocol at once, urgent alert, no further screening questions).
"""
from __future__ import annotations

from enum import Enum
from typing import Mapping, Optional, Sequence

INSTRUMENT = "ASQ"
VERSION = "NIMH ASQ 2017"

ITEMS = {
    "asq_wished_dead": "In the past few weeks, have you wished you were dead?",
    "asq_family_better_off": "In the past few weeks, have you felt that you or your family would be better off if you were dead?",
    "asq_thoughts_of_killing": "In the past week, have you been having thoughts about killing yourself?",
    "asq_ever_tried": "Have you ever tried to kill yourself?",
}
ACUITY_ITEM = "asq_thoughts_now"
ACUITY_QUESTION = "Are you having thoughts of killing yourself right now?"

# The ASQ in Spanish. FOR CLINICAL REVIEW before going live: NIMH publishes the ASQ in Spanish,
# but its own Spanish document was not available here; this wording was found in six unrelated
# copies that agree word for word (one cites "NIMH (2017), versión oficial en español"), and a
# Spanish validation exists (Rodante et al., Gen Hosp Psychiatry 2023;85:191-198). Check it
# against NIMH's Spanish ASQ before relying on it (docs/spanish.md).
ITEMS_ES = {
    "asq_wished_dead": "En las últimas semanas, ¿ha deseado estar muerto?",
    "asq_family_better_off": "En las últimas semanas, ¿ha sentido que usted o su familia estarían mejor si estuviera muerto?",
    "asq_thoughts_of_killing": "En la última semana, ¿ha estado pensando en suicidarse?",
    "asq_ever_tried": "¿Alguna vez ha intentado suicidarse?",
}
ACUITY_QUESTION_ES = "¿Está pensando en suicidarse en este momento?"
QUESTIONS = {"en": {**ITEMS, ACUITY_ITEM: ACUITY_QUESTION}, "es": {**ITEMS_ES, ACUITY_ITEM: ACUITY_QUESTION_ES}}


def question(item: str, language: str = "en") -> str:
    """The item's exact wording in `language` (English when there is no other)."""
    return QUESTIONS.get(language, QUESTIONS["en"])[item]
SCREEN_ITEMS: Sequence[str] = tuple(ITEMS)

YES, NO, REFUSED = "yes", "no", "refused"


class AsqTriage(str, Enum):
    NEGATIVE = "negative"
    NON_ACUTE_POSITIVE = "non_acute_positive"
    ACUTE_POSITIVE = "acute_positive"


def screen_is_positive(answers: Mapping[str, Optional[str]]) -> bool:
    """Yes to any of items 1-4, or a refusal to answer any of them."""
    return any(is_positive_answer(answers.get(item)) for item in SCREEN_ITEMS)


def needs_acuity_question(answers: Mapping[str, Optional[str]]) -> bool:
    """The acuity question is asked only once items 1-4 are answered and one is positive."""
    return all(answers.get(item) for item in SCREEN_ITEMS) and screen_is_positive(answers)


def asq_triage(answers: Mapping[str, Optional[str]]) -> AsqTriage:
    """Triage per the NIMH ASQ. A refused acuity question is treated as yes (imminent risk)."""
    if not screen_is_positive(answers):
        return AsqTriage.NEGATIVE
    if answers.get(ACUITY_ITEM) in (YES, REFUSED):
        return AsqTriage.ACUTE_POSITIVE
    return AsqTriage.NON_ACUTE_POSITIVE


def triage_when_unfinished(answers: Mapping[str, Optional[str]]) -> AsqTriage:
    """Triage of a screen that ended early (stop, STOP, a crisis, expiry): positive with the
    acuity question unanswered counts as acute, as a refused acuity question does."""
    if screen_is_positive(answers) and answers.get(ACUITY_ITEM) not in (YES, NO, REFUSED):
        return AsqTriage.ACUTE_POSITIVE
    return asq_triage(answers)


def is_positive_answer(value: Optional[str]) -> bool:
    """A yes or a refusal to one of items 1-4: the screen is positive from then on."""
    return value in (YES, REFUSED)


def alert_priority(triage: AsqTriage) -> Optional[str]:
    """Front-desk priority of a screen result, or None when no alert is needed."""
    return {AsqTriage.ACUTE_POSITIVE: "urgent", AsqTriage.NON_ACUTE_POSITIVE: "high"}.get(triage)
