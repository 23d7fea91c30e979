"""What the SMS channel itself says: carrier keyword replies, the notice, and replies to texts
the assistant cannot read. Clinic facts come from config/clinic.yml.

Each text is written to fit one or two segments, names the sender (carriers require it of the
HELP and STOP replies) and, because people in crisis may text this number, gives 988 and 911.
"""
from __future__ import annotations

from intake.settings import Clinic


def help_reply(clinic: Clinic) -> str:
    """HELP / INFO: who this is, how to reach a person, and crisis numbers."""
    return (
        f"{clinic.name}: this is an automated assistant, not a clinician. "
        f"To reach a person, call our front desk at {clinic.front_desk_phone}, {clinic.hours_summary()}. "
        "In a crisis call or text 988. Emergency: 911. Text MENU to see what I can do, STOP to opt out."
    )


def opted_out_reply(clinic: Clinic) -> str:
    """The one confirmation after STOP; nothing else is sent to the number until START."""
    return (
        f"{clinic.name}: you're unsubscribed and will get no more texts. Reply START to resume. "
        "In a crisis call or text 988. Emergency: 911."
    )


def opted_in_reply(clinic: Clinic) -> str:
    """START / UNSTOP: texts resume."""
    return (
        f"{clinic.name}: you're subscribed again. Text MENU to see what I can do. "
        "Reply HELP for help, STOP to opt out."
    )


def unencrypted_notice(clinic: Clinic) -> str:
    """Sent with the first reply to a number, before any health question is answered by text."""
    return (
        f"{clinic.name} automated assistant, not a clinician. Not for emergencies: call 911 or 988. "
        "Texts are not encrypted, so others could read them. Reply HELP for help, STOP to opt out."
    )


def empty_message_reply() -> str:
    return ("I didn't get any text. Text MENU to see what I can do, or HELP to reach a person. "
            "In a crisis call or text 988; emergency 911.")


def media_only_reply() -> str:
    return ("I can only read text, not pictures or files. Please type your message. "
            "In a crisis call or text 988; emergency 911.")


def too_long_reply(max_chars: int) -> str:
    return (f"That message is too long for me (over {max_chars} characters). Please send a shorter one. "
            "In a crisis call or text 988; emergency 911.")


def assistant_unavailable_reply(clinic: Clinic) -> str:
    """When the assistant failed on a message: never leave the person without a way forward."""
    return (f"Sorry, something went wrong on our side. Please call our front desk at {clinic.front_desk_phone}. "
            "In a crisis call or text 988; emergency 911.")
