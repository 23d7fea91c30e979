"""The PC-PTSD-5 symptom screen (National Center for PTSD; Prins et al., J Gen Intern Med 2016).

No Spanish version published by its owner could be confirmed, and this project does not
translate an instrument itself: a Spanish conversation is first asked whether the person wants to
answer the English questions. A "no" (or a skip) leaves the screen not asked, for a clinician to
go over in Spanish at the consultation.

The lead-in asks only whether a traumatic event happened; nobody has to describe it. A "no"
ends the screen with a total of 0. Otherwise the five items are asked, each yes = 1. A total
of 3 or more is the "optimally sensitive" cut-off and is used for triage: it means a clinician
should look more closely, never that the person has PTSD.
"""
from __future__ import annotations

from enum import Enum
from typing import Dict, List, Mapping, Optional

INSTRUMENT = "PC-PTSD-5"
VERSION = "Prins et al. 2016"
CUTOFF = 3

TRAUMA_ITEM = "pc_trauma"
LEAD_IN = (
    "Sometimes things happen to people that are unusually or especially frightening, horrible, or "
    "traumatic. For example: a serious accident or fire; a physical or sexual assault or abuse; an "
    "earthquake or flood; a war; seeing someone be killed or seriously injured; having a loved one die "
    "through homicide or suicide. Have you ever experienced this kind of event?"
)
ITEM_STEM = "In the past month, have you"
ITEMS: Dict[str, str] = {
    "pc_nightmares": "had nightmares about the event(s) or thought about the event(s) when you did not want to?",
    "pc_avoidance": "tried hard not to think about the event(s) or went out of your way to avoid situations "
                    "that reminded you of the event(s)?",
    "pc_on_guard": "been constantly on guard, watchful, or easily startled?",
    "pc_numb": "felt numb or detached from people, activities, or your surroundings?",
    "pc_guilt": "felt guilty or unable to stop blaming yourself or others for the event(s) or any problems "
                "the event(s) may have caused?",
}
SLOTS: List[str] = [TRAUMA_ITEM, *ITEMS]
# Asked first in a Spanish conversation: "yes" (answer the English questions) or "skipped".
IN_ENGLISH_CHOICE = "pc_in_english"
FORM_SLOTS: List[str] = [IN_ENGLISH_CHOICE, *SLOTS]

YES, NO, SKIPPED = "yes", "no", "skipped"


class PcPtsd5Triage(str, Enum):
    NO_TRAUMA = "no_trauma"
    NEGATIVE = "negative"
    POSITIVE = "positive"
    NOT_ASKED = "not_asked_no_spanish_version"


def question(slot: str) -> str:
    """The exact wording of one slot's question."""
    if slot == TRAUMA_ITEM:
        return LEAD_IN
    return f"{ITEM_STEM} {ITEMS[slot]}"


def slots_to_ask(answers: Mapping[str, Optional[str]], language: str = "en") -> List[str]:
    """The lead-in, then the five items unless the lead-in was answered "no".

    In Spanish, the choice to answer in English comes first; declining it ends the screen. A
    conversation that turns Spanish once the questions are under way is not asked the choice: its
    answers so far are kept and the questions go on."""
    started = _started(answers)
    choice = [IN_ENGLISH_CHOICE] if answers.get(IN_ENGLISH_CHOICE) or (language == "es" and not started) else []
    if declined_in_english(answers):
        return choice
    if answers.get(TRAUMA_ITEM) == NO:
        return [*choice, TRAUMA_ITEM]
    return [*choice, *SLOTS]


def declined_in_english(answers: Mapping[str, Optional[str]]) -> bool:
    """A Spanish speaker chose not to answer the English questions: nothing was asked."""
    return answers.get(IN_ENGLISH_CHOICE) in (NO, SKIPPED) and not _started(answers)


def _started(answers: Mapping[str, Optional[str]]) -> bool:
    return any(answers.get(slot) for slot in SLOTS)


def pcptsd5_score(answers: Mapping[str, Optional[str]]) -> int:
    """Number of "yes" answers to the five items; 0 when no traumatic event was reported.

    A skipped item counts 0: the total is then a lower bound, and the stored answers show it.
    """
    if answers.get(TRAUMA_ITEM) == NO:
        return 0
    return sum(1 for item in ITEMS if answers.get(item) == YES)


def pcptsd5_triage(answers: Mapping[str, Optional[str]]) -> PcPtsd5Triage:
    """Positive at a total of 3 or more (the sensitive cut-off of REFERENCE.md section 1)."""
    if declined_in_english(answers):
        return PcPtsd5Triage.NOT_ASKED
    if answers.get(TRAUMA_ITEM) == NO:
        return PcPtsd5Triage.NO_TRAUMA
    return PcPtsd5Triage.POSITIVE if pcptsd5_score(answers) >= CUTOFF else PcPtsd5Triage.NEGATIVE


def is_complete(answers: Mapping[str, Optional[str]], language: str = "en") -> bool:
    """Every question that had to be asked has an answer (a skip is an answer)."""
    return all(answers.get(slot) for slot in slots_to_ask(answers, language))


# Our own words around the instrument (not the instrument), so each has a Spanish version.
RESULT_MESSAGES = {
    "en": {
        PcPtsd5Triage.POSITIVE: (
            "Thank you for answering. Your answers suggest symptoms that a clinician should look at more "
            "closely. This is not a diagnosis; only a clinician can make one."
        ),
        PcPtsd5Triage.NEGATIVE: (
            "Thank you for answering. Your answers show fewer of these symptoms right now. This is not a "
            "diagnosis either way: if something is troubling you, a clinician can still talk it through with you."
        ),
        PcPtsd5Triage.NO_TRAUMA: (
            "Thank you. Then I'll skip the questions about such an event. If something is troubling you, "
            "a clinician can still talk it through with you."
        ),
        PcPtsd5Triage.NOT_ASKED: (
            "All right, I'll leave those questions out. A clinician can go over your symptoms with you at the "
            "consultation."
        ),
    },
    "es": {
        PcPtsd5Triage.POSITIVE: (
            "Gracias por contestar. Sus respuestas indican síntomas que un profesional clínico debería revisar con más "
            "atención. Esto no es un diagnóstico; solo un profesional clínico puede hacerlo."
        ),
        PcPtsd5Triage.NEGATIVE: (
            "Gracias por contestar. Sus respuestas muestran menos de estos síntomas en este momento. Esto no es "
            "un diagnóstico en ningún sentido: si algo le preocupa, puede hablarlo con un profesional clínico."
        ),
        PcPtsd5Triage.NO_TRAUMA: (
            "Gracias. Entonces no le haré las preguntas sobre ese tipo de experiencia. Si algo le preocupa, "
            "puede hablarlo con un profesional clínico."
        ),
        PcPtsd5Triage.NOT_ASKED: (
            "De acuerdo, no le haré esas preguntas. Un profesional clínico puede hablar de sus síntomas con usted "
            "en la consulta."
        ),
    },
}


def result_message(triage: PcPtsd5Triage, language: str = "en") -> str:
    """A non-diagnostic message about the result: never "you have PTSD"."""
    return RESULT_MESSAGES.get(language, RESULT_MESSAGES["en"])[triage]
