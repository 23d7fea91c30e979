"""What the assistant says about times and bookings: short, plain, with the clinic's own facts,
in English or in Spanish (`language` "es": "mar 8 de dic. a las 3:00 p. m.")."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from intake.booking.contact import display_phone
from intake.handoff.hours import spanish_clock
from intake.booking.store import BookingView
from intake.settings import Clinic

VISIT_WORDS = {"in_person": "in person at the clinic", "telehealth": "by telehealth (video)"}
CONTACT_WORDS = {"call": "a phone call", "text": "a text message", "email": "an email"}
SPANISH = "es"
VISIT_WORDS_ES = {"in_person": "en persona en la clínica", "telehealth": "por video (telesalud)"}
CONTACT_WORDS_ES = {"call": "teléfono", "text": "mensaje de texto", "email": "correo electrónico"}
UNAVAILABLE_ES = {
    "past": "Esa hora ya pasó.",
    "too_soon": "Esa hora es demasiado pronto para prepararnos; necesitamos un poco más de aviso.",
    "reserved": "Esa hora no está disponible.",
    "holiday": "La clínica está cerrada ese día.",
    "closed": "No tenemos consultas que empiecen a esa hora.",
    "too_far": "Solo podemos hacer citas con unas semanas de anticipación.",
    "taken": "Perdón, alguien acaba de tomar esa hora.",
    "none_in_window": "No hay nada libre en ese momento.",
    "none_at_that_time": "No hay nada libre a esa hora.",
}
SPANISH_DAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
SPANISH_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                  "noviembre", "diciembre")
UNAVAILABLE = {
    "past": "That time has already passed.",
    "too_soon": "That's too soon for us to prepare; we need a little more notice.",
    "reserved": "That time isn't available.",
    "holiday": "The clinic is closed that day.",
    "closed": "We don't have a consultation starting at that time.",
    "too_far": "We can only book a few weeks ahead.",
    "taken": "Sorry, that time has just been taken.",
    "none_in_window": "Nothing is free then.",
    "none_at_that_time": "Nothing is free at that time.",
}


def slot_label(slot: datetime, language: str = "en") -> str:
    """'Tue, Dec 1 at 10:00 AM' (clinic time); in Spanish 'martes 1 de diciembre a las 10:00 a. m.'."""
    if language == SPANISH:
        article = "la" if slot.hour % 12 == 1 else "las"
        return (f"{SPANISH_DAYS[slot.weekday()]} {slot.day} de {SPANISH_MONTHS[slot.month - 1]} "
                f"a {article} {spanish_clock(slot)}")
    hour = slot.strftime("%I:%M %p").lstrip("0")
    return f"{slot.strftime('%a, %b')} {slot.day} at {hour}"


def unavailable_sentence(reason: Optional[str], language: str = "en") -> str:
    if language == SPANISH:
        return UNAVAILABLE_ES.get(reason or "", "Esa hora no está disponible.")
    return UNAVAILABLE.get(reason or "", "That time isn't available.")


# The summary shown before a request is sent, in each language: its lines' wording.
SUMMARY = {
    "en": {"heading": "Please check your request:", "time": "• Time: {slot} ({zone} time)", "visit": "• Visit: {visit}",
           "name": "• Name: {name}", "phone": "• Phone: {phone}", "email": "• Email: {email}",
           "contact": "• We'll reach you by {contact}", "question": "Shall I send this request?"},
    SPANISH: {"heading": "Por favor revise su solicitud:", "time": "• Hora: {slot} (hora de {zone})",
              "visit": "• Consulta: {visit}", "name": "• Nombre: {name}", "phone": "• Teléfono: {phone}",
              "email": "• Correo: {email}", "contact": "• Le contactaremos por {contact}",
              "question": "¿Envío esta solicitud?"},
}


def confirmation_question(name: str, phone: str, email: Optional[str], contact_method: str,
                          visit_type: str, slot: datetime, time_zone_label: str, language: str = "en") -> str:
    """Everything the person gave, shown once before anything is stored."""
    spanish = language == SPANISH
    words = SUMMARY[SPANISH if spanish else "en"]
    facts = {"slot": slot_label(slot, language), "zone": time_zone_label, "name": name, "phone": display_phone(phone),
             "email": email, "visit": (VISIT_WORDS_ES if spanish else VISIT_WORDS)[visit_type],
             "contact": (CONTACT_WORDS_ES if spanish else CONTACT_WORDS)[contact_method]}
    keys = ["heading", "time", "visit", "name", "phone"] + (["email"] if email else []) + ["contact", "question"]
    return "\n".join(words[key].format(**facts) for key in keys)


def booked_message(booking: BookingView, clinic: Clinic, telehealth_note: str, time_zone_label: str,
                   heading: Optional[str] = None, language: str = "en") -> str:
    """Date, time, place or telehealth note, reference code and what happens next."""
    if language == SPANISH:
        place = (f"en {clinic.address}" if booking.visit_type == "in_person"
                 else f"por video (telesalud): {telehealth_note}")
        return (
            f"{heading or 'Recibimos su solicitud de consulta.'} Fecha: {slot_label(booking.slot_start, SPANISH)} "
            f"(hora de {time_zone_label}), {place}.\n"
            f"Código de referencia: {booking.reference}\n"
            f"Lo que sigue: nuestra recepción la confirmará por {CONTACT_WORDS_ES[booking.contact_method]}, "
            "normalmente en un día hábil. Para cambiarla o cancelarla, dígame su código de referencia y su número "
            f"de teléfono, o llame al {clinic.front_desk_phone}."
        )
    heading = heading or "Your consultation request is in."
    place = (f"at {clinic.address}" if booking.visit_type == "in_person"
             else f"by telehealth: {telehealth_note}")
    contact = CONTACT_WORDS[booking.contact_method]
    return (
        f"{heading} {slot_label(booking.slot_start)} ({time_zone_label} time), {place}.\n"
        f"Reference code: {booking.reference}\n"
        f"What happens next: our front desk will confirm by {contact}, usually within one business day. "
        f"To change or cancel, tell me your reference code and phone number, or call {clinic.front_desk_phone}."
    )
