"""What the person is told when part of the assistant is down, or when a message is not read.

A person may write at the worst moment of their life, so an outage never means silence: every
reply says what happened in plain words, what to do next, and where help is right now, in the
conversation's language (English or Spanish; 988 in Spanish is "call and press 2, or text AYUDA").
"""
from __future__ import annotations

from typing import Dict

from intake.settings import Clinic

CRISIS_LINES = "If you are in crisis, call or text 988; in an emergency, call 911."
CRISIS_LINES_IN: Dict[str, str] = {
    "en": CRISIS_LINES,
    "es": "Si está en crisis, llame al 988 y marque 2, o envíe AYUDA al 988; en una emergencia, llame al 911.",
}
# Each reply's words; {phone} is the front desk's number, {max_chars} the longest message read.
WORDS: Dict[str, Dict[str, str]] = {
    "storage_unavailable": {
        "en": "Sorry, I can't reach our records right now, so I couldn't take in your last message. "
              "Please send it again in a minute, or call our front desk at {phone}.",
        "es": "Perdón, en este momento no puedo llegar a nuestros registros, así que no pude recibir su último "
              "mensaje. Por favor envíelo otra vez en un minuto, o llame a nuestra recepción al {phone}.",
    },
    "step_failed": {
        "en": "Sorry, part of this assistant isn't working right now, so I couldn't finish that step. "
              "Please try again in a few minutes, or call our front desk at {phone}.",
        "es": "Perdón, una parte de este asistente no está funcionando ahora, así que no pude terminar ese paso. "
              "Por favor inténtelo otra vez en unos minutos, o llame a nuestra recepción al {phone}.",
    },
    "message_failed": {
        "en": "Sorry, something went wrong on our side with your last message. Please send it again, "
              "or call our front desk at {phone}.",
        "es": "Perdón, algo falló de nuestro lado con su último mensaje. Por favor envíelo otra vez, o llame a "
              "nuestra recepción al {phone}.",
    },
    "slow_down": {
        "en": "You're sending messages faster than I can read them, so I skipped that one. Please wait a "
              "minute, then send it again.",
        "es": "Está enviando mensajes más rápido de lo que puedo leerlos, así que no leí ese. Por favor espere "
              "un minuto y envíelo otra vez.",
    },
    "too_long": {
        "en": "That message is too long for me to read (over {max_chars:,} characters). "
              "Please send it again in shorter parts.",
        "es": "Ese mensaje es demasiado largo para que lo lea (más de {max_chars:,} caracteres). "
              "Por favor envíelo otra vez en partes más cortas.",
    },
    "empty": {
        "en": "I didn't receive any text. Type your question, or type 'menu' to see what I can do.",
        "es": "No recibí ningún texto. Escriba su pregunta, o escriba 'menú' para ver lo que puedo hacer.",
    },
}


def reply(kind: str, language: str = "en", **facts: object) -> str:
    """The reply `kind` in `language` (English when it has no such wording), then where help is."""
    words = WORDS[kind]
    spoken = language if language in words else "en"
    return f"{words[spoken].format(**facts)} {CRISIS_LINES_IN[spoken]}"


def storage_unavailable_reply(clinic: Clinic, language: str = "en") -> str:
    """The conversation store could not be reached: what they wrote was not taken in."""
    return reply("storage_unavailable", language, phone=clinic.front_desk_phone)


def step_failed_reply(clinic: Clinic, language: str = "en") -> str:
    """A step of the conversation (saving an answer, finding times, booking) failed."""
    return reply("step_failed", language, phone=clinic.front_desk_phone)


def message_failed_reply(clinic: Clinic, language: str = "en") -> str:
    """Handling the message failed for another reason."""
    return reply("message_failed", language, phone=clinic.front_desk_phone)
