"""What the SMS channel itself says: carrier keyword replies, the notice, and replies to texts
the assistant cannot read. Clinic facts come from config/clinic.yml.

Each text is written to fit one or two segments, names the sender (carriers require it of the
HELP and STOP replies) and, because people in crisis may text this number, gives 988 and 911.
Each has a Spanish text for Spanish speakers (988 in Spanish: call and press 2, or text AYUDA),
written in GSM-7 letters (no á, í, ó, ú) so it keeps 160-character segments.
"""
from __future__ import annotations

from intake.settings import Clinic

SPANISH = "es"


def help_reply(clinic: Clinic, language: str = "en") -> str:
    """HELP / INFO / AYUDA: who this is, how to reach a person, and crisis numbers."""
    if language == SPANISH:
        return (f"{clinic.name}: asistente automatico, no un profesional clinico. Para hablar con una persona: "
                f"{clinic.front_desk_phone}, {clinic.hours_summary(SPANISH)}. En una crisis llame al 988 y marque 2, "
                "o envie AYUDA al 988. Emergencia: 911. Escriba MENU para ver opciones, ALTO para no recibir mas.")
    return (
        f"{clinic.name}: this is an automated assistant, not a clinician. "
        f"To reach a person, call our front desk at {clinic.front_desk_phone}, {clinic.hours_summary()}. "
        "In a crisis call or text 988. Emergency: 911. Text MENU to see what I can do, STOP to opt out."
    )


def opted_out_reply(clinic: Clinic, language: str = "en") -> str:
    """The one confirmation after STOP; nothing else is sent to the number until START."""
    if language == SPANISH:
        return (f"{clinic.name}: ya no recibira mas mensajes. Responda COMENZAR para volver a recibirlos. "
                "En una crisis llame al 988 y marque 2. Emergencia: 911.")
    return (
        f"{clinic.name}: you're unsubscribed and will get no more texts. Reply START to resume. "
        "In a crisis call or text 988. Emergency: 911."
    )


def opted_in_reply(clinic: Clinic, language: str = "en") -> str:
    """START / UNSTOP / COMENZAR: texts resume."""
    if language == SPANISH:
        return (f"{clinic.name}: volvera a recibir mensajes. Escriba MENU para ver lo que puedo hacer. "
                "Responda AYUDA para ayuda, ALTO para no recibir mas mensajes.")
    return (
        f"{clinic.name}: you're subscribed again. Text MENU to see what I can do. "
        "Reply HELP for help, STOP to opt out."
    )


def unencrypted_notice(clinic: Clinic, language: str = "en") -> str:
    """Sent with the first reply to a number, before any health question is answered by text."""
    if language == SPANISH:
        return (f"Asistente automatico de {clinic.name}, no un profesional clinico. No es para emergencias: "
                "llame al 911, o al 988 y marque 2. Los mensajes de texto no van cifrados y otras personas "
                "podrian leerlos. Responda AYUDA para ayuda, ALTO para no recibir mas mensajes.")
    return (
        f"{clinic.name} automated assistant, not a clinician. Not for emergencies: call 911 or 988. "
        "Texts are not encrypted, so others could read them. Reply HELP for help, STOP to opt out."
    )


def empty_message_reply(language: str = "en") -> str:
    if language == SPANISH:
        return ("No recibi ningun texto. Escriba MENU para ver lo que puedo hacer, o AYUDA para hablar con una "
                "persona. En una crisis llame al 988 y marque 2; emergencia: 911.")
    return ("I didn't get any text. Text MENU to see what I can do, or HELP to reach a person. "
            "In a crisis call or text 988; emergency 911.")


def media_only_reply(language: str = "en") -> str:
    if language == SPANISH:
        return ("Solo puedo leer texto, no fotos ni archivos. Por favor escriba su mensaje. "
                "En una crisis llame al 988 y marque 2; emergencia: 911.")
    return ("I can only read text, not pictures or files. Please type your message. "
            "In a crisis call or text 988; emergency 911.")


def too_long_reply(max_chars: int, language: str = "en") -> str:
    if language == SPANISH:
        return (f"Ese mensaje es demasiado largo para mi (mas de {max_chars} caracteres). Por favor envie uno "
                "mas corto. En una crisis llame al 988 y marque 2; emergencia: 911.")
    return (f"That message is too long for me (over {max_chars} characters). Please send a shorter one. "
            "In a crisis call or text 988; emergency 911.")


def assistant_unavailable_reply(clinic: Clinic, language: str = "en") -> str:
    """When the assistant failed on a message: never leave the person without a way forward."""
    if language == SPANISH:
        return (f"Perdon, algo fallo de nuestro lado. Por favor llame a la recepcion al {clinic.front_desk_phone}. "
                "En una crisis llame al 988 y marque 2; emergencia: 911.")
    return (f"Sorry, something went wrong on our side. Please call our front desk at {clinic.front_desk_phone}. "
            "In a crisis call or text 988; emergency 911.")
