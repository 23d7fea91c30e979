"""Short replies inside booking that mean yes, no, or "no email", beyond a plain yes or no, in
English or Spanish ("está bien", "dale", "no tengo correo", "pero el teléfono está mal")."""
from __future__ import annotations

import re
from typing import Optional

from intake.screening.answers import Answer, parse_yes_no

_CONFIRM = re.compile(r"^\W*(ok(ay)?|k|looks? (good|right|fine|correct)|all (good|correct)|that'?s (right|correct|fine)|"
                      r"perfect|great|confirm(ed)?|send( it)?|book( it)?|go ahead|do it|sounds good|correct|right|"
                      r"est[aá] bien|todo bien|perfecto|de acuerdo|confirmo|conf[ií]rm[ea]la|"
                      r"ag[eé]nd[ea]la|as[ií] est[aá] bien|todo correcto|excelente|(?:va|vale|dale)(?=\W*$))\b",
                      re.IGNORECASE)
_NO_EMAIL = re.compile(r"\b(skip|none|n/?a|no e-?mail|don'?t (have|use)|do not (have|use)|rather not|prefer not|"
                       r"no thanks|no thank you|not needed|nope|no|no tengo( correo| email| e-?mail)?|sin correo|"
                       r"no uso( correo| email)?|prefiero no|no gracias|ninguno|saltar)\b", re.IGNORECASE)


_CORRECTION = re.compile(r"\b(but|wrong|wait|change|fix|correct (my|the)|not right|incorrect|mistake|typo|hold on|"
                         r"pero|est[aá] mal|equivocad[oa]|cambiar|corregir|espere|no es (mi|ese|correcto))\b",
                         re.IGNORECASE)


def confirmation_answer(text: str) -> Optional[bool]:
    """True for yes ("ok", "looks good", "send it"), False for no, None when unclear. "Yes but
    the phone is wrong" is a correction, not a yes."""
    if _CORRECTION.search(text or ""):
        return False
    if "?" in (text or "") or "¿" in (text or ""):  # "¿va a costar algo?" asks; it confirms nothing
        return None
    answer = parse_yes_no(text or "")
    if answer is Answer.YES:
        return True
    if answer is Answer.NO:
        return False
    return True if _CONFIRM.search(text or "") else None


def declines_email(text: str) -> bool:
    """"skip", "none", "I don't have one", "no thanks": no email address is given."""
    return "@" not in (text or "") and bool(_NO_EMAIL.search(text or ""))
