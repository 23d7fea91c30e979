"""The answer to questions about the clinic itself (its name, how to reach a person, desk hours,
and practical matters such as parking, access, languages or paperwork), from config/clinic.yml.

The assistant knows the clinic's name, phone, email and desk hours; everything else about a
visit is the front desk's to answer, so the reply says so and offers to connect them rather
than guessing. Written without the clinic's facts in domain.yml, so one file serves any clinic.
"""
from __future__ import annotations

from datetime import datetime

from intake.handoff.hours import DeskHours
from intake.settings import Clinic


def clinic_reply(clinic: Clinic, hours: DeskHours, now: datetime, language: str = "en") -> str:
    """E.g. 'This is Westside Ketamine Clinic (demo) in Los Angeles, CA. You can call the front
    desk at +1 310-555-0142, Mon-Fri 09:00-17:00 (Los Angeles time), or email ... The front desk
    is open now. They can help with ... parking, access, ...'; in Spanish when `language` is "es"."""
    if language == "es":
        return (f"Somos {clinic.name}, en {clinic.city}. Puede llamar a la recepción al {clinic.front_desk_phone}, "
                f"{clinic.hours_summary('es')}, o escribir a {clinic.front_desk_email}. {hours.reply(now, 'es')} "
                "Le pueden ayudar con todo lo práctico de una visita, como el estacionamiento, el acceso, "
                "los idiomas, los formularios o los expedientes. ¿Quiere que les avise que tiene una pregunta?")
    return (f"This is {clinic.name} in {clinic.city}. You can call the front desk at {clinic.front_desk_phone}, "
            f"{clinic.hours_summary()}, or email {clinic.front_desk_email}. {hours.reply(now)} "
            "They can help with anything practical about a visit, such as parking, access, languages, "
            "paperwork or records. Would you like me to let them know you have a question?")
