"""Pieces of the FAQ's scope handling that need no model: is a message a question or something
told about oneself, the answer about the clinic from its configuration file, and the FAQ gate's
routing of a topic that needs the clinic's facts."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from rasa.shared.nlu.training_data.message import Message

from intake.faq.clinic_reply import clinic_reply
from intake.faq.message_kind import is_personal_statement, is_question
from intake.handoff.hours import DeskHours
from intake.settings import settings
from rasa_addons.faq_gate import FaqGate


@pytest.mark.parametrize("text", [
    "my dad was abusive when I was a kid", "I did two tours in Afghanistan", "ive tried three antidepressants",
    "I just want to feel normal again", "loud noises make me jump, I hate it", "me siento muy cansada"])
def test_things_people_tell_about_themselves_are_personal_statements(text):
    assert is_personal_statement(text)


@pytest.mark.parametrize("text", [
    "what are your hours", "is ketamine safe for me", "can I bring my wife", "how do i know if i have ptsd",
    "my husband has ptsd, how do I help him?", "I wonder if this works?", "¿puedo ir con mi esposo?",
    "hello there", "ok", ""])
def test_questions_and_short_or_impersonal_messages_are_not(text):
    assert not is_personal_statement(text)


def test_a_question_is_known_without_its_question_mark():
    assert is_question("whats the cost") and is_question("como funciona") and not is_question("I was assaulted")


def test_the_clinic_answer_comes_from_the_clinic_file_and_says_whether_the_desk_is_open():
    clinic, hours = settings().clinic, DeskHours.configured()
    monday_10am = datetime(2026, 12, 7, 18, 0, tzinfo=timezone.utc)  # 10:00 in Los Angeles
    sunday = datetime(2026, 12, 6, 20, 0, tzinfo=timezone.utc)
    open_reply, closed_reply = clinic_reply(clinic, hours, monday_10am), clinic_reply(clinic, hours, sunday)
    for reply in (open_reply, closed_reply):
        assert clinic.name in reply and clinic.front_desk_phone in reply and clinic.front_desk_email in reply
        assert "Mon-Fri 09:00-17:00" in reply and "parking" in reply
    assert "open now" in open_reply and "closed now" in closed_reply and "tomorrow at 9:00 AM" in closed_reply


def _message(topic: str, confidence: float) -> Message:
    message = Message(data={"text": "what is the clinic called"})
    message.set("intent", {"name": "faq", "confidence": 0.9})
    message.set("intent_ranking", [{"name": "faq", "confidence": 0.9}])
    message.set("response_selector", {"faq": {"response": {"intent_response_key": f"faq/{topic}",
                                                            "confidence": confidence}}})
    return message


def test_the_gate_hands_a_topic_that_needs_the_clinic_facts_to_its_intent():
    gate = FaqGate({"threshold": 0.5, "topic_intents": {"clinic_contact": "ask_clinic_logistics"}})
    [routed] = gate.process([_message("clinic_contact", 0.8)])
    assert routed.get("intent")["name"] == "ask_clinic_logistics"
    [kept] = gate.process([_message("side_effects", 0.8)])
    assert kept.get("intent")["name"] == "faq"
    [unsure] = gate.process([_message("clinic_contact", 0.3)])
    assert unsure.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize("text, expected", [
    ("what are your hours", "ask_clinic_logistics"), ("is there parking", "ask_clinic_logistics"),
    ("what are the side effects of seroquel", "ask_other_health"), ("is EMDR safe", "ask_other_health"),
    ("how many hours does a ketamine session take", "faq"), ("can I take ketamine with lexapro", "faq"),
    # A story, not a question: neither the clinic's nor another subject's, and no FAQ answer either
    # (the safety guard reads it as history).
    ("OD'd in 2020, got narcan'd by a stranger in a parking lot, i'm 3 years clean", "nlu_fallback"),
    ("adderall side effects in adults", "ask_other_health")])
def test_the_gate_reads_clinic_questions_and_outside_subjects_by_name(text, expected):
    gate = FaqGate({"threshold": 0.5, "outside_intent": "ask_other_health", "clinic_intent": "ask_clinic_logistics"})
    message = _message("session_length", 0.9)
    message.set("text", text)
    [read] = gate.process([message])
    assert read.get("intent")["name"] == expected
