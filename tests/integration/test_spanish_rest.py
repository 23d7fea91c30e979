"""Spanish, crisis first (issue 27, first part), through the real Rasa and action servers: the
conversation's language is read from the person's words, the crisis protocol and its questions
are answered in Spanish, the menu switches language both ways, and a short or mixed message
does not flip it. By SMS the crisis reply comes in Spanish too."""
from __future__ import annotations

from typing import List

import requests

from tests.integration.test_sms_channel import new_phone, post_sms
from tests.support.stack import buttons, texts

SPANISH_SAFETY_QUESTION = "¿Está a salvo en este momento?"


def _said(reply: List[dict]) -> str:
    return texts(reply)


def test_a_first_message_in_spanish_gets_the_spanish_greeting_and_menu(stack, sender):
    reply = stack.send(sender, "hola")
    said = _said(reply)
    assert "asistente automático" in said and "988 y marque 2" in said and "911" in said
    assert "¿Qué le gustaría hacer?" in said
    assert '/choose_language{"language": "en"}' in [b["payload"] for b in buttons(reply)]


def test_a_crisis_in_spanish_gets_the_protocol_in_spanish_and_its_answers_are_read(stack, sender):
    reply = stack.send(sender, "ya no quiero vivir, me quiero morir")
    assert "988 y marque 2" in reply[0]["text"] and "911" in reply[0]["text"]
    assert reply[-1]["text"] == SPANISH_SAFETY_QUESTION
    assert "I'm really glad" not in _said(reply)
    followup = stack.send(sender, "sí, estoy a salvo")
    assert "Me alegra que esté a salvo" in _said(followup)


def test_not_safe_in_spanish_gets_the_next_steps_in_spanish(stack, sender):
    stack.send(sender, "me voy a matar esta noche")
    reply = stack.send(sender, "no")
    assert "Llame al 911 ahora" in _said(reply)


def test_the_menu_switches_the_language_both_ways_and_short_words_do_not(stack, sender):
    stack.send(sender, "hello")
    reply = stack.send(sender, '/choose_language{"language": "es"}')
    assert "seguimos en español" in _said(reply)
    assert "¿Qué le gustaría hacer?" in _said(reply)
    stack.send(sender, "ok")  # a short word keeps Spanish
    assert "¿Qué le gustaría hacer?" in _said(stack.send(sender, "/show_menu"))
    reply = stack.send(sender, "English")
    assert "continue in English" in _said(reply) and "What would you like to do?" in _said(reply)


def test_an_english_conversation_stays_in_english_after_a_spanish_word(stack, sender):
    stack.send(sender, "I'd like some information about your clinic")
    stack.send(sender, "sí")
    reply = stack.send(sender, "I want to kill myself")
    assert reply[-1]["text"] == "Are you safe right now?"


def test_a_crisis_text_in_spanish_is_answered_in_spanish(sms_stack, twilio):
    phone, mark = new_phone(), twilio.mark()
    assert post_sms(sms_stack, phone, "ya no aguanto, me quiero morir").ok
    sent = " ".join(twilio.sent_to(phone, since=mark))
    assert "988 y marque 2" in sent and "911" in sent
    assert "¿Esta a salvo en este momento?" in sent


# ---- issue 27, second part: the FAQ, the clinic, the front desk and the SMS channel's own words

def test_a_spanish_question_gets_the_spanish_answer_from_the_faq(stack, sender):
    stack.send(sender, "hola")
    reply = stack.send(sender, "¿La ketamina es adictiva?")
    said = _said(reply)
    assert "sustancia controlada" in said and "(Fuente: la FDA, 2023.)" in said
    assert "Schedule III" not in said


def test_a_first_message_that_is_a_spanish_question_is_answered_in_spanish(stack, sender):
    said = _said(stack.send(sender, "cuanto dura una sesion de ketamina?"))
    assert "de 1 a 2 horas" in said and "no debe manejar" in said


def test_the_closest_topics_are_offered_in_spanish(stack, sender):
    stack.send(sender, "hola")
    reply = stack.send(sender, "¿y la ketamina qué onda?")
    titles = [b["title"] for b in buttons(reply)]
    said = _said(reply)
    if "No estoy seguro de haber entendido su pregunta" in said:  # unsure: Spanish topics, Spanish desk
        assert "Hablar con la recepción" in titles
        assert all(b["payload"].startswith(("¿", "/")) for b in buttons(reply)), buttons(reply)
    else:  # answered: in Spanish
        assert "ketamina" in said.lower() and "ketamine" not in said.lower()


def test_a_question_about_the_clinic_is_answered_in_spanish(stack, sender):
    stack.send(sender, "hola")
    reply = stack.send(sender, "¿tienen estacionamiento para los pacientes?")
    said = _said(reply)
    assert "Puede llamar a la recepción" in said and "estacionamiento" in said
    assert {"Hablar con la recepción", "Hacer una cita"} <= {b["title"] for b in buttons(reply)}


def test_a_health_question_outside_the_topics_is_declined_in_spanish(stack, sender):
    stack.send(sender, "hola")
    said = _said(stack.send(sender, "¿cuáles son los efectos secundarios de la sertralina?"))
    assert "solo puedo responder preguntas sobre el TEPT" in said


def test_asking_for_a_person_in_spanish_is_answered_in_spanish(stack, sender):
    stack.send(sender, "hola")
    said = _said(stack.send(sender, "quiero hablar con una persona de verdad"))
    assert "Ya le avisé a nuestra recepción" in said and "988 y marcar 2" in said


def test_trauma_history_in_spanish_is_acknowledged_in_spanish(stack, sender):
    stack.send(sender, "hola")
    said = _said(stack.send(sender, "tuve un accidente de carro muy fuerte hace cinco años"))
    assert "I'm not sure" not in said and "Thank you" not in said
    assert "Gracias" in said or "No estoy seguro" in said


def test_the_spanish_sms_words_stop_and_help_are_answered_in_spanish(sms_stack, twilio):
    phone = new_phone()
    mark = twilio.mark()
    assert post_sms(sms_stack, phone, "AYUDA").ok
    helped = " ".join(twilio.sent_to(phone, since=mark))
    assert "asistente automatico" in helped and "988 y marque 2" in helped and "ALTO" in helped
    mark = twilio.mark()
    assert post_sms(sms_stack, phone, "ALTO").ok
    assert "ya no recibira mas mensajes" in " ".join(twilio.sent_to(phone, since=mark))
    mark = twilio.mark()
    assert post_sms(sms_stack, phone, "¿la ketamina es adictiva?").ok
    assert twilio.sent_to(phone, since=mark) == []  # opted out: nothing more
    assert post_sms(sms_stack, phone, "COMENZAR").ok
    assert "volvera a recibir mensajes" in " ".join(twilio.sent_to(phone, since=mark))


def test_a_spanish_text_gets_its_options_and_notice_in_spanish(sms_stack, twilio):
    phone, mark = new_phone(), twilio.mark()
    assert post_sms(sms_stack, phone, "hola buenas tardes").ok
    sent = " ".join(twilio.sent_to(phone, since=mark))
    assert "Responda con un numero:" in sent and "Reply with a number" not in sent
    assert "no van cifrados" in sent
    mark = twilio.mark()
    assert post_sms(sms_stack, phone, "1").ok  # the first option: questions about ketamine
    assert "pregunteme lo que quiera" in " ".join(twilio.sent_to(phone, since=mark)).lower().replace("ú", "u")


def test_a_whole_booking_in_spanish_is_stored(stack, sender):
    from tests.integration.test_booking_rest import _bookings, _slot_payloads, fresh_phone

    stack.send(sender, "hola")
    reply = stack.send(sender, "quiero hacer una cita por favor")
    said = _said(reply)
    assert "No se guarda nada hasta que usted confirme" in said and "¿Cuándo le gustaría su consulta?" in said
    assert _slot_payloads(reply) and all(" a las " in b["title"] or " a la " in b["title"]
                                         for b in buttons(reply) if "booking_slot" in b["payload"])
    assert "¿Prefiere venir en persona" in _said(stack.send(sender, "la primera"))
    assert "nombre y apellido" in _said(stack.send(sender, "por video"))
    assert "número de teléfono" in _said(stack.send(sender, "Me llamo Ana Pérez"))
    assert "correo electrónico" in _said(stack.send(sender, fresh_phone()))
    asked = stack.send(sender, "no tengo correo")
    assert "¿Cómo prefiere que la recepción le contacte" in _said(asked)
    assert {"Llámenme", "Mándenme un texto"} <= {b["title"] for b in buttons(asked)}
    confirm = _said(stack.send(sender, "por mensaje de texto"))
    assert "Por favor revise su solicitud" in confirm and "Ana Pérez" in confirm and "por video" in confirm
    done = _said(stack.send(sender, "sí"))
    assert "Recibimos su solicitud de consulta" in done and "Código de referencia" in done
    [row] = _bookings(stack, sender)
    assert row["full_name"] == "Ana Pérez" and row["visit_type"] == "telehealth" and row["contact_method"] == "text"


def test_a_time_asked_for_in_spanish_is_read(stack, sender):
    stack.send(sender, "hola")
    stack.send(sender, "me gustaría agendar una consulta")
    said = _said(stack.send(sender, "el próximo martes en la tarde"))
    # The free times of that afternoon to choose from, the time taken (the next question), or the
    # nearest free times: in Spanish, never "not understood".
    assert any(words in said for words in ("¿Cuál de estas le conviene?", "¿Prefiere venir en persona",
                                            "horas libres")), said
    assert "couldn't find" not in said and "no encontré un día" not in said


def test_the_safety_questions_are_asked_in_spanish(stack, sender):
    stack.send(sender, "hola")
    reply = stack.send(sender, "/start_safety_screen")
    said = _said(reply)
    assert "preguntas sobre su seguridad" in said and "En las últimas semanas, ¿ha deseado estar muerto?" in said
    assert [b["title"] for b in buttons(reply)] == ["Sí", "No", "Prefiero no decir"]
    assert "¿ha sentido que usted o su familia estarían mejor" in _said(stack.send(sender, "no"))
    assert "¿ha estado pensando en suicidarse?" in _said(stack.send(sender, "no"))
    assert "¿Alguna vez ha intentado suicidarse?" in _said(stack.send(sender, "nunca"))
    assert "Gracias por responder estas preguntas" in _said(stack.send(sender, "no"))


def test_not_sure_in_spanish_to_a_safety_question_is_noted_as_a_yes(stack, sender):
    stack.send(sender, "hola")
    stack.send(sender, "/start_safety_screen")
    said = _said(stack.send(sender, "no lo sé"))
    assert "Lo voy a anotar como un sí" in said


def test_a_huge_spanish_message_is_answered_in_spanish(stack, sender):
    response = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                             json={"sender": sender, "message": "¿cuánto cuesta una consulta en su clínica? " * 3_000},
                             timeout=30)
    said = _said(response.json())
    assert "demasiado largo" in said and "988 y marque 2" in said


def test_an_empty_message_in_a_spanish_conversation_is_answered_in_spanish(stack, sender):
    stack.send(sender, "hola, buenas tardes")
    response = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": "  "},
                             timeout=30)
    assert "No recibí ningún texto" in _said(response.json())
