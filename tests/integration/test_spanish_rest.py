"""Spanish, crisis first (issue 27, first part), through the real Rasa and action servers: the
conversation's language is read from the person's words, the crisis protocol and its questions
are answered in Spanish, the menu switches language both ways, and a short or mixed message
does not flip it. By SMS the crisis reply comes in Spanish too."""
from __future__ import annotations

from typing import List

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
