"""What the person is told when part of the assistant is down.

A person may write at the worst moment of their life, so an outage never means silence: every
reply says what happened in plain words, what to do next, and where help is right now.
"""
from __future__ import annotations

from intake.settings import Clinic

CRISIS_LINES = "If you are in crisis, call or text 988; in an emergency, call 911."


def storage_unavailable_reply(clinic: Clinic) -> str:
    """The conversation store could not be reached: what they wrote was not taken in."""
    return ("Sorry, I can't reach our records right now, so I couldn't take in your last message. "
            f"Please send it again in a minute, or call our front desk at {clinic.front_desk_phone}. "
            + CRISIS_LINES)


def step_failed_reply(clinic: Clinic) -> str:
    """A step of the conversation (saving an answer, finding times, booking) failed."""
    return ("Sorry, part of this assistant isn't working right now, so I couldn't finish that step. "
            f"Please try again in a few minutes, or call our front desk at {clinic.front_desk_phone}. "
            + CRISIS_LINES)


def message_failed_reply(clinic: Clinic) -> str:
    """Handling the message failed for another reason."""
    return ("Sorry, something went wrong on our side with your last message. Please send it again, "
            f"or call our front desk at {clinic.front_desk_phone}. " + CRISIS_LINES)
