"""What code says in Spanish around facts: the FAQ's topic buttons, the clinic's hours and its
answer about itself, the SMS channel's own texts and keywords, the options header, and the
language the web chat is told a reply is in."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from intake.faq.catalogue import load_topics
from intake.faq.clinic_reply import clinic_reply
from intake.faq.message_kind import is_personal_statement, is_plain_statement, is_question
from intake.handoff.hours import DeskHours
from intake.language import is_spanish_greeting, reply_language
from intake.phrases import phrase
from intake.settings import Clinic
from intake.sms import messages
from intake.sms.keywords import Keyword, keyword_language, keyword_of
from intake.sms.options import render_messages
from intake.sms.segments import split_into_segments

LA = ZoneInfo("America/Los_Angeles")
CLINIC = Clinic("Clínica de prueba", "Los Angeles, CA", "1 Main St", "+1 310-555-0142", "desk@example.org",
                "America/Los_Angeles", {d: ("09:00", "17:00") for d in ("mon", "tue", "wed", "thu", "fri")})
HOURS = DeskHours.from_config("America/Los_Angeles", CLINIC.front_desk_hours)


def test_every_faq_topic_has_a_spanish_button_that_asks_in_spanish():
    for topic in load_topics().values():
        button = topic.button("es")
        assert button["payload"].startswith("¿") and button["payload"].endswith("?"), topic.key
        assert button != topic.button("en")
        assert reply_language(button["payload"], "es") == "es", button["payload"]


def test_a_language_without_wording_gets_the_english_button():
    topic = load_topics()["side_effects"]
    assert topic.button("fr") == {"title": topic.title, "payload": topic.question}


def test_phrases_in_spanish_and_english():
    assert phrase("talk_to_front_desk", "es") == "Hablar con la recepción"
    assert phrase("talk_to_front_desk", "en") == "Talk to the front desk"
    assert phrase("book_consultation", "fr") == "Book a consultation"


def test_desk_hours_in_spanish():
    assert CLINIC.hours_summary("es") == "lun-vie 09:00-17:00 (hora de Los Ángeles)"
    assert CLINIC.hours_summary() == "Mon-Fri 09:00-17:00 (Los Angeles time)"


@pytest.mark.parametrize("moment, expected", [
    (datetime(2026, 12, 1, 10, 0, tzinfo=LA), "La recepción está abierta ahora."),
    (datetime(2026, 12, 1, 7, 0, tzinfo=LA), "La recepción está cerrada ahora. Responderá a partir de hoy a las "
                                             "9:00 a. m. (hora de Los Ángeles)."),
    (datetime(2026, 12, 1, 18, 0, tzinfo=LA), "La recepción está cerrada ahora. Responderá a partir de mañana a las "
                                              "9:00 a. m. (hora de Los Ángeles)."),
    (datetime(2026, 12, 4, 18, 0, tzinfo=LA), "La recepción está cerrada ahora. Responderá a partir del lunes a "
                                              "las 9:00 a. m. (hora de Los Ángeles)."),
])
def test_when_the_desk_answers_in_spanish(moment, expected):
    assert HOURS.reply(moment, "es") == expected


def test_a_one_oclock_opening_is_a_la_una():
    hours = DeskHours.from_config("America/Los_Angeles", {"tue": ("13:00", "17:00")})
    assert "a la 1:00 p. m." in hours.reply(datetime(2026, 12, 1, 10, 0, tzinfo=LA), "es")


def test_the_clinic_answers_about_itself_in_spanish():
    text = clinic_reply(CLINIC, HOURS, datetime(2026, 12, 1, 10, 0, tzinfo=LA), "es")
    assert text.startswith("Somos Clínica de prueba, en Los Angeles, CA.")
    assert "+1 310-555-0142" in text and "lun-vie" in text and "La recepción está abierta ahora." in text


@pytest.mark.parametrize("text, keyword", [
    ("ALTO", Keyword.OPT_OUT), ("Parar", Keyword.OPT_OUT), ("cancelar.", Keyword.OPT_OUT),
    ("COMENZAR", Keyword.OPT_IN), ("ayuda", Keyword.HELP), ("Ayuda!", Keyword.HELP), ("información", Keyword.HELP),
    ("para", None), ("ayuda por favor no sé qué hacer", None), ("alto ahí", None),
])
def test_spanish_carrier_words(text, keyword):
    assert keyword_of(text) is keyword


def test_a_spanish_keyword_is_answered_in_spanish():
    assert keyword_language("ALTO") == "es" and keyword_language("AYUDA") == "es"
    assert keyword_language("STOP") == "en" and keyword_language("HELP") == "en"


@pytest.mark.parametrize("text", [
    messages.help_reply(CLINIC, "es"), messages.opted_out_reply(CLINIC, "es"), messages.unencrypted_notice(CLINIC, "es"), messages.empty_message_reply("es"), messages.media_only_reply("es"),
    messages.too_long_reply(1600, "es"), messages.assistant_unavailable_reply(CLINIC, "es"),
])
def test_the_sms_channels_own_spanish_texts_give_988_in_spanish_and_fit_two_texts(text):
    assert "988" in text and "911" in text and "marque 2" in text
    assert len(split_into_segments(text, 3, 160, 70)) <= 2


def test_the_spanish_stop_confirmation_says_how_to_come_back():
    assert len(split_into_segments(messages.opted_in_reply(CLINIC, "es"), 3, 160, 70)) == 1
    assert "COMENZAR" in messages.opted_out_reply(CLINIC, "es")
    assert "ALTO" in messages.help_reply(CLINIC, "es") and "AYUDA" in messages.unencrypted_notice(CLINIC, "es")


def test_options_header_follows_the_language_of_the_reply():
    spanish = render_messages([{"text": "¿Qué le gustaría hacer? Elija una opción, por favor.",
                                "buttons": [{"title": "Hacer una cita", "payload": "/book_consultation"}]}])
    english = render_messages([{"text": "What would you like to do? Please choose one of these.",
                                "buttons": [{"title": "Book a consultation", "payload": "/book_consultation"}]}])
    assert "Responda con un numero:\n1: Hacer una cita" in spanish.text
    assert "Reply with a number:\n1: Book a consultation" in english.text


@pytest.mark.parametrize("text, question", [
    ("¿la ketamina es adictiva?", True), ("cuanto cuesta el tratamiento", True), ("q es el tept", True),
    ("xq da ptsd", True), ("tengo pesadillas todas las noches", False),
])
def test_spanish_questions_are_questions(text, question):
    assert is_question(text) is question


def test_a_spanish_story_is_a_personal_statement_and_a_spanish_ask_inside_one_is_not_plain():
    assert is_personal_statement("tuve un accidente hace años y todavía me afecta")
    assert is_plain_statement("tuve un accidente hace años y todavía me afecta")
    assert not is_plain_statement("tuve un accidente hace años, quisiera saber si la ketamina me serviría")


@pytest.mark.parametrize("text, current, expected", [
    ("¿Cuánto dura una sesión de ketamina?", None, "es"), ("/greet", "es", "es"), ("ok", "es", "es"),
    ("How long does a session take?", "es", "en"), ("", None, "en"),
])
def test_the_language_an_action_answers_in(text, current, expected):
    assert reply_language(text, current) == expected


def test_an_urgent_flag_out_of_hours_says_in_spanish_not_to_wait():
    from intake.handoff.hours import urgent_flag_reply

    closed = urgent_flag_reply(datetime(2026, 12, 4, 18, 0, tzinfo=LA), HOURS, "es")
    assert "no nos espere" in closed and "988 y marque 2" in closed and "911" in closed
    assert "hasta el lunes a las 9:00 a. m." in closed
    assert urgent_flag_reply(datetime(2026, 12, 1, 10, 0, tzinfo=LA), HOURS, "es").startswith("También marqué")


@pytest.mark.parametrize("text, says_yes", [
    ("so about that", False), ("about the treatment then", False), ("yeah that works", True),
    ("i guess so", True), ("claro que sí", True), ("sí, por favor", True), ("hmm ok yes", True),
])
def test_a_vague_lead_in_has_no_word_that_says_yes(text, says_yes):
    from intake.screening.answers import says_yes_somewhere

    assert says_yes_somewhere(text) is says_yes


def test_every_affirm_training_example_of_three_words_or_more_says_yes():
    """The FAQ gate turns a long "affirm" without a yes word into the unsure reply: none of the
    examples the classifier learnt "affirm" from may be one of those."""
    import glob

    import yaml

    from intake.screening.answers import says_yes_somewhere

    for path in glob.glob("data/**/*.yml", recursive=True):
        for block in (yaml.safe_load(open(path, encoding="utf-8")) or {}).get("nlu") or []:
            if block.get("intent") == "affirm":
                for line in block["examples"].splitlines():
                    example = line.strip()[2:]
                    assert len(example.split()) < 3 or says_yes_somewhere(example), example


@pytest.mark.parametrize("text, spanish", [("oye hola", True), ("buenas noches", True), ("que tal", True),
                                           ("hola hola", True), ("hello", False), ("hey", False),
                                           ("hola, necesito ayuda con mi cita de mañana", False)])
def test_a_first_message_of_spanish_greeting_words_is_spanish(text, spanish):
    assert is_spanish_greeting(text) is spanish
