"""The FAQ through the real Rasa and action servers over REST.

What a person sees: every topic's question gets that topic's answer (the same question is the
payload of the topic's button when the assistant is unsure); a vague question gets "I'm not sure"
with topic buttons and the front desk, and pressing a topic button answers it; a question inside
the safety questions is answered and the same safety question is asked again.
"""
from __future__ import annotations

import uuid
from typing import List

import pytest

from intake.faq.catalogue import load_topics
from intake.safety.asq import ITEMS as ASQ_ITEMS
from intake.settings import settings
from tests.support.faq_answers import faq_answers
from tests.support.stack import buttons, texts

FRONT_DESK_PAYLOAD = "/request_human"
UNSURE_OPENING = "I'm not sure I understood"  # both the closest-topics reply and the menu fallback
FIRST_ASQ_QUESTION = ASQ_ITEMS["asq_wished_dead"]


ANSWERS = faq_answers()
TOPICS = list(load_topics().values())


def _sender() -> str:
    return f"faq-{uuid.uuid4().hex[:12]}"


def test_every_topic_question_gets_that_topics_answer(stack):
    clinic = settings().clinic
    wrong: List[str] = []
    for topic in TOPICS:
        reply = texts(stack.send(_sender(), topic.question))
        # The clinic's name and phone come from config/clinic.yml, not from a fixed response.
        expected = [clinic.name, clinic.front_desk_phone] if topic.key == "clinic_contact" else [ANSWERS[topic.key]]
        if not all(part in reply for part in expected):
            wrong.append(f"{topic.key}: {topic.question!r} -> {reply[:80]!r}")
    assert not wrong, "\n".join(wrong)


# -- issue 25: what the FAQ must not answer ----------------------------------------------------------
@pytest.mark.parametrize("question", ["what are the side effects of lithium", "is xanax addictive",
                                      "how many sessions of EMDR will I need", "does medi-cal cover couples therapy"])
def test_a_health_question_outside_the_topics_gets_a_plain_answer_not_a_topic(stack, question):
    reply = stack.send(_sender(), question)
    shown = texts(reply)
    assert not any(answer in shown for answer in ANSWERS.values()), f"answered from the FAQ: {shown}"
    assert "only answer questions about PTSD and this clinic's ketamine treatment" in shown
    assert "National Center for PTSD" in shown and "NIMH" in shown
    assert {"/book_consultation", FRONT_DESK_PAYLOAD} <= {b["payload"] for b in buttons(reply)}


@pytest.mark.parametrize("question", ["what are your hours", "is there parking at your office",
                                      "what's the clinic's phone number"])
def test_a_question_about_the_clinic_is_answered_from_the_clinic_file(stack, question):
    clinic = settings().clinic
    reply = stack.send(_sender(), question)
    shown = texts(reply)
    assert clinic.front_desk_phone in shown and clinic.front_desk_email in shown and "Mon-Fri" in shown
    assert FRONT_DESK_PAYLOAD in [b["payload"] for b in buttons(reply)]


@pytest.mark.parametrize("statement", ["my dad was abusive when I was a kid and I still think about it",
                                       "I've tried three different antidepressants over the years",
                                       "I did two tours overseas and came back different"])
def test_a_personal_statement_is_never_answered_with_not_understood(stack, statement):
    shown = texts(stack.send(_sender(), statement))
    assert UNSURE_OPENING not in shown, shown
    assert not any(answer in shown for answer in ANSWERS.values()), f"answered from the FAQ: {shown}"


@pytest.mark.parametrize(
    "vague_question",
    ["is it ok", "wait does it do that", "and how does that work for someone like me?", "and the thing after that?"],
)
def test_an_unsure_question_offers_topics_and_the_front_desk_never_a_guess(stack, vague_question):
    sender = _sender()
    reply = stack.send(sender, vague_question)
    shown = texts(reply)
    assert not any(answer in shown for answer in ANSWERS.values()), f"guessed an answer: {shown}"
    offered = buttons(reply)
    assert UNSURE_OPENING in shown, f"no clear 'not sure' reply: {reply}"
    assert FRONT_DESK_PAYLOAD in [b["payload"] for b in offered]


def test_pressing_a_closest_topic_button_answers_that_topic(stack):
    sender = _sender()
    reply = stack.send(sender, "is it ok")
    topic_buttons = [b for b in buttons(reply) if b["payload"] != FRONT_DESK_PAYLOAD]
    if UNSURE_OPENING not in texts(reply):
        pytest.fail(f"expected the unsure reply with topic buttons, got {reply}")
    assert topic_buttons, f"no topic buttons: {reply}"
    by_question = {t.question: t.key for t in TOPICS}
    for button in topic_buttons:
        key = by_question[button["payload"]]
        shown = texts(stack.send(sender, button["payload"]))
        if key == "clinic_contact":  # answered from config/clinic.yml (the FAQ gate's topic_intents)
            assert settings().clinic.front_desk_phone in shown, button
        else:
            assert ANSWERS[key] in shown, button


def test_a_question_inside_the_safety_questions_is_answered_and_the_form_resumes(stack):
    sender = _sender()
    assert FIRST_ASQ_QUESTION in texts(stack.send(sender, "/start_safety_screen"))
    reply = texts(stack.send(sender, "sorry, first - how long does a session take?"))
    assert ANSWERS["session_length"] in reply
    assert FIRST_ASQ_QUESTION in reply, f"the form did not resume: {reply}"
