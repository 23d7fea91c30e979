"""The intake screening through the real Rasa and action servers over REST, read back from the
app database: the whole path, SMS-style numbers, a clarifying question, skip, stop, a FAQ and a
crisis inside the forms, and the under-18 path."""
from __future__ import annotations

import json
import uuid
from typing import List

import sqlalchemy as sa

from intake.safety.asq import ITEMS as ASQ_ITEMS
from intake.screening import pcptsd5
from intake.screening.prescreen import load_prescreen
from tests.support.faq_answers import faq_answers
from tests.support.stack import buttons, texts

PRESCREEN = load_prescreen()
LEAD_IN_END = "Have you ever experienced this kind of event?"
AGE_QUESTION = PRESCREEN.questions["ps_adult"].text


def _sender() -> str:
    return f"screen-{uuid.uuid4().hex[:12]}"


def _screenings(stack, sender: str) -> List[dict]:
    engine = sa.create_engine(stack.app_database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT instrument, version, answers, score, triage, flags, completed, started_at, finished_at "
                    "FROM screenings WHERE conversation_id = :c ORDER BY id"), {"c": sender})
        return [dict(row._mapping) for row in rows]


def _json(value):
    """JSON columns come back as text from SQLite."""
    return json.loads(value) if isinstance(value, str) else value


def _answer_all(stack, sender: str, answers: List[str]) -> str:
    reply = ""
    for answer in answers:
        reply = texts(stack.send(sender, answer))
    return reply


def test_first_reply_already_asks_the_age_and_the_next_one_the_lead_in(stack):
    sender = _sender()
    reply = stack.send(sender, "do I have PTSD?")
    assert AGE_QUESTION in texts(reply) and LEAD_IN_END not in texts(reply)
    assert [b["payload"] for b in buttons(reply)] == ["yes", "no", "skip"]
    reply = stack.send(sender, "I'm 27")
    assert LEAD_IN_END in texts(reply)
    assert [b["payload"] for b in buttons(reply)] == ["yes", "no", "skip"]


def test_whole_intake_is_stored_with_scores_flags_and_ends_with_the_offer_to_book(stack):
    sender = _sender()
    stack.send(sender, "check my symptoms")
    stack.send(sender, "I'm 41")  # the age comes first
    reply = _answer_all(stack, sender, ["yes", "yeah", "y", "1", "no", "nope"])  # lead-in + 5 items: 3 yes
    assert "suggest symptoms that a clinician should look at more closely" in reply
    assert ASQ_ITEMS["asq_wished_dead"] in reply
    reply = _answer_all(stack, sender, ["no", "2", "never", "no"])
    assert PRESCREEN.questions["ps_pregnant"].text in reply and AGE_QUESTION not in reply  # not asked twice
    reply = _answer_all(stack, sender, ["no", "no", "no", "yes", "no", "no",
                                        "lexapro and klonopin", "therapy and two antidepressants"])
    assert "Would you like to book" in reply and "priority" in reply

    stored = {row["instrument"]: row for row in _screenings(stack, sender)}
    pc = stored[pcptsd5.INSTRUMENT]
    assert pc["score"] == 3 and pc["triage"] == "positive" and pc["completed"] and pc["finished_at"]
    assert _json(pc["answers"]) == {"pc_trauma": "yes", "pc_nightmares": "yes", "pc_avoidance": "yes",
                                    "pc_on_guard": "yes", "pc_numb": "no", "pc_guilt": "no"}
    assert stored["ASQ"]["triage"] == "negative"
    pre = stored[PRESCREEN.instrument]
    answers = _json(pre["answers"])
    assert answers["ps_adult"] == "yes" and answers["ps_heart"] == "yes"
    assert answers["ps_medications"] == "lexapro and klonopin"
    assert _json(pre["flags"]) == ["heart_blood_pressure_or_stroke", "medications_to_review: benzodiazepine"]


def test_sometimes_gets_one_clarifying_question_then_the_answer_counts(stack):
    sender = _sender()
    stack.send(sender, "check my symptoms")
    stack.send(sender, "I'm 30")
    stack.send(sender, "yes")
    clarify = texts(stack.send(sender, "sometimes"))
    assert "would you say yes or no" in clarify
    assert "avoid situations" in texts(stack.send(sender, "no"))  # next item: the answer was taken


def test_skip_records_no_answer_and_stop_leaves_politely_keeping_the_partial_screening(stack):
    sender = _sender()
    stack.send(sender, "check my symptoms")
    stack.send(sender, "I'm 30")
    stack.send(sender, "yes")
    assert "avoid situations" in texts(stack.send(sender, "I'd rather not say"))
    reply = stack.send(sender, "stop")
    assert "we can stop here" in texts(reply)
    assert "/check_symptoms" in [b["payload"] for b in buttons(reply)]
    (row,) = _screenings(stack, sender)
    assert row["instrument"] == pcptsd5.INSTRUMENT and not row["completed"] and row["finished_at"] is None
    assert _json(row["answers"]) == {"pc_trauma": "yes", "pc_nightmares": "skipped"}


def test_a_question_inside_the_form_is_answered_and_the_same_question_comes_back(stack):
    sender = _sender()
    stack.send(sender, "check my symptoms")
    stack.send(sender, "I'm 30")
    stack.send(sender, "yes")
    reply = texts(stack.send(sender, "is ketamine addictive?"))
    assert faq_answers()["addiction"] in reply
    assert pcptsd5.ITEMS["pc_nightmares"] in reply


def test_a_crisis_inside_the_form_gets_the_crisis_protocol_and_the_partial_screening_is_kept(stack):
    sender = _sender()
    stack.send(sender, "check my symptoms")
    stack.send(sender, "I'm 30")
    stack.send(sender, "yes")
    reply = stack.send(sender, "honestly I just want to die")
    assert "988" in texts(reply) and "911" in texts(reply)
    assert reply[-1]["text"] == "Are you safe right now?"
    (row,) = _screenings(stack, sender)
    assert not row["completed"] and _json(row["answers"]) == {"pc_trauma": "yes"}


def test_under_18_is_asked_first_and_gets_a_kind_answer_with_988_911_and_the_front_desk(stack):
    """Issue 24 item 8: a minor hears that the clinic sees adults before any trauma or suicide question."""
    sender = _sender()
    assert AGE_QUESTION in texts(stack.send(sender, "check my symptoms"))
    reply = stack.send(sender, "im 16")
    shown = texts(reply)
    assert "only treats adults" in shown and "988" in shown and "911" in shown
    assert LEAD_IN_END not in shown and ASQ_ITEMS["asq_wished_dead"] not in shown
    assert "/request_human" in [b["payload"] for b in buttons(reply)]
    (row,) = _screenings(stack, sender)
    assert row["instrument"] == PRESCREEN.instrument and _json(row["flags"]) == ["under_18"]
    assert _json(row["answers"]) == {"ps_adult": "no"}


def test_health_answers_are_cleared_at_restart(stack):
    sender = _sender()
    stack.send(sender, "check my symptoms")
    stack.send(sender, "I'm 30")
    stack.send(sender, "yes")
    stack.send(sender, "yes")
    assert stack.tracker(sender)["slots"]["pc_nightmares"] == "yes"
    stack.send(sender, "/restart")
    slots = stack.tracker(sender)["slots"]
    assert all(slots.get(slot) is None for slot in pcptsd5.SLOTS)
