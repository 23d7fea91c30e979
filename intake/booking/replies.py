"""Short replies inside booking that mean yes, no, or "no email", beyond a plain yes or no."""
from __future__ import annotations

import re
from typing import Optional

from intake.screening.answers import Answer, parse_yes_no

_CONFIRM = re.compile(r"^\W*(ok(ay)?|k|looks? (good|right|fine|correct)|all (good|correct)|that'?s (right|correct|fine)|"
                      r"perfect|great|confirm(ed)?|send( it)?|book( it)?|go ahead|do it|sounds good|correct|right)\b",
                      re.IGNORECASE)
_NO_EMAIL = re.compile(r"\b(skip|none|n/?a|no e-?mail|don'?t (have|use)|do not (have|use)|rather not|prefer not|"
                       r"no thanks|no thank you|not needed|nope|no)\b", re.IGNORECASE)


_CORRECTION = re.compile(r"\b(but|wrong|wait|change|fix|correct (my|the)|not right|incorrect|mistake|typo|hold on)\b",
                         re.IGNORECASE)


def confirmation_answer(text: str) -> Optional[bool]:
    """True for yes ("ok", "looks good", "send it"), False for no, None when unclear. "Yes but
    the phone is wrong" is a correction, not a yes."""
    if _CORRECTION.search(text or ""):
        return False
    answer = parse_yes_no(text or "")
    if answer is Answer.YES:
        return True
    if answer is Answer.NO:
        return False
    return True if _CONFIRM.search(text or "") else None


def declines_email(text: str) -> bool:
    """"skip", "none", "I don't have one", "no thanks": no email address is given."""
    return "@" not in (text or "") and bool(_NO_EMAIL.search(text or ""))
