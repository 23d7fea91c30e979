"""The SMS channel end to end: signed Twilio webhooks to the real Rasa server, replies caught by a
Twilio Messages API stand-in on loopback (the twilio client inside Rasa is pointed at it).

This module starts its own Rasa server and action server (with TWILIO_* in their environment),
so the shared stack of tests/conftest.py is left alone.
"""
from __future__ import annotations

import re
import threading
import time
import uuid
from pathlib import Path
from typing import Dict, List

import pytest
import requests
import sqlalchemy as sa
import yaml
from twilio.request_validator import RequestValidator

from intake.sms.identity import conversation_id_for
from intake.sms.segments import sms_length, to_gsm_friendly
from tests.support.stack import RasaStack
from tests.support.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, CLINIC_NUMBER, ID_KEY, TwilioStandIn

MAX_SEGMENTS = 3
FAQ_ANSWERS = yaml.safe_load((Path(__file__).parents[2] / "data" / "faq" / "responses.yml").read_text())["responses"]





def new_phone() -> str:
    """A fresh US number in the 555-01xx fiction range's spirit (unique per test)."""
    return f"+1310555{uuid.uuid4().int % 10000:04d}"


def webhook_url(stack: RasaStack) -> str:
    return f"{stack.rasa_url}/webhooks/sms/webhook"


def post_sms(stack: RasaStack, phone: str, body: str, media: int = 0, signature: str = "sign",
             timeout: float = 60, message_sid: str = "") -> requests.Response:
    """POST what Twilio posts for an inbound SMS, signed like Twilio unless told otherwise."""
    params: Dict[str, str] = {
        "MessageSid": message_sid or "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT_SID, "From": phone, "To": CLINIC_NUMBER,
        "Body": body, "NumMedia": str(media), "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01",
    }
    if media:
        params.update(MediaUrl0="https://api.twilio.com/media/ME1", MediaContentType0="image/jpeg")
    headers = {}
    if signature == "sign":
        headers["X-Twilio-Signature"] = RequestValidator(AUTH_TOKEN).compute_signature(webhook_url(stack), params)
    elif signature:
        headers["X-Twilio-Signature"] = signature
    return requests.post(webhook_url(stack), data=params, headers=headers, timeout=timeout)


def text(stack: RasaStack, twilio: TwilioStandIn, phone: str, body: str, media: int = 0) -> List[str]:
    """Send one signed inbound text; return the texts sent back to that number."""
    mark = twilio.mark()
    answer = post_sms(stack, phone, body, media)
    assert answer.status_code == 200, answer.text
    return twilio.sent_to(phone, since=mark)


def joined(texts: List[str]) -> str:
    return " ".join(texts)


def app_db_rows(stack: RasaStack, query: str, **params) -> list:
    with sa.create_engine(stack.app_database_url).connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query), params)]


# -- the webhook itself ---------------------------------------------------------------------
def test_a_missing_or_wrong_signature_is_refused_with_403(sms_stack, twilio):
    phone = new_phone()
    mark = twilio.mark()
    assert post_sms(sms_stack, phone, "hello", signature="").status_code == 403
    assert post_sms(sms_stack, phone, "hello", signature="bm90IHRoZSBzaWduYXR1cmU=").status_code == 403
    wrong_key = RequestValidator("not-the-token").compute_signature(webhook_url(sms_stack), {"From": phone})
    assert post_sms(sms_stack, phone, "hello", signature=wrong_key).status_code == 403
    assert twilio.sent_to(phone, since=mark) == []
    assert app_db_rows(sms_stack, "SELECT id FROM sms_contacts WHERE phone = :p", p=phone) == []


def test_a_signed_request_without_a_sender_is_a_clean_400(sms_stack, twilio):
    params = {"Body": "hello", "AccountSid": ACCOUNT_SID}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(webhook_url(sms_stack), params)
    answer = requests.post(webhook_url(sms_stack), data=params, headers={"X-Twilio-Signature": signature}, timeout=30)
    assert answer.status_code == 400 and answer.json()["error"] == "bad_request"


def test_twilio_gets_an_empty_twiml_answer(sms_stack, twilio):
    answer = post_sms(sms_stack, new_phone(), "hello")
    assert answer.status_code == 200 and "<Response></Response>" in answer.text
    assert answer.headers["Content-Type"].startswith("text/xml")


@pytest.mark.parametrize("body,media,expected", [
    ("", 0, "didn't get any text"),
    ("", 1, "only read text"),
    ("word " * 400, 0, "too long"),
])
def test_empty_media_only_and_oversized_texts_get_a_clear_reply(sms_stack, twilio, body, media, expected):
    phone = new_phone()
    text(sms_stack, twilio, phone, "hello")
    reply = joined(text(sms_stack, twilio, phone, body, media))
    assert expected in reply and "988" in reply


def test_a_slow_twilio_does_not_block_the_server(sms_stack, twilio):
    """While a reply waits 2 s per text for Twilio, the server still answers other requests."""
    twilio.delay_s = 2.0
    try:
        slow = threading.Thread(target=post_sms, args=(sms_stack, new_phone(), "HELP"))
        slow.start()
        time.sleep(0.5)
        started = time.monotonic()
        assert requests.get(f"{sms_stack.rasa_url}/version", timeout=10).ok
        assert time.monotonic() - started < 1.0
        assert slow.is_alive()  # the slow reply was still being sent meanwhile
        slow.join(timeout=30)
    finally:
        twilio.delay_s = 0.0


# -- carrier keywords -------------------------------------------------------------------------
def test_stop_sends_one_confirmation_then_nothing_until_start(sms_stack, twilio):
    phone = new_phone()
    text(sms_stack, twilio, phone, "hello")
    confirmation = text(sms_stack, twilio, phone, " Stop. ")
    assert len(confirmation) == 1 and "unsubscribed" in confirmation[0] and "START" in confirmation[0]
    for later in ("STOP", "hello?", "HELP", "1", "what does ketamine treatment cost", ""):
        assert text(sms_stack, twilio, phone, later) == [], later
    assert app_db_rows(sms_stack, "SELECT opted_out_at IS NOT NULL FROM sms_contacts WHERE phone = :p", p=phone) == [(1,)]
    resumed = text(sms_stack, twilio, phone, "START")
    assert len(resumed) == 1 and "subscribed again" in resumed[0]
    assert text(sms_stack, twilio, phone, "hello")


def test_stop_during_the_symptom_check_ends_it_and_keeps_the_answers_as_unfinished(sms_stack, twilio):
    phone = new_phone()
    text(sms_stack, twilio, phone, "check my symptoms")
    text(sms_stack, twilio, phone, "1")  # yes to "are you 18 or older?"
    text(sms_stack, twilio, phone, "1")  # yes to the trauma question
    text(sms_stack, twilio, phone, "1")  # yes to the first item
    assert len(text(sms_stack, twilio, phone, "STOP")) == 1
    conversation = conversation_id_for(phone, ID_KEY.encode())
    assert app_db_rows(sms_stack, "SELECT instrument, completed FROM screenings WHERE conversation_id = :c",
                       c=conversation) == [("PC-PTSD-5", 0)]


def test_stop_after_a_yes_in_the_safety_questions_ends_as_a_positive_screen_with_an_urgent_alert(sms_stack, twilio):
    phone = new_phone()
    text(sms_stack, twilio, phone, "can I do the safety screen")
    text(sms_stack, twilio, phone, "1")  # yes to "wished you were dead"
    confirmation = text(sms_stack, twilio, phone, "STOP")
    assert len(confirmation) == 1 and "988" in confirmation[0] and "911" in confirmation[0]
    conversation = conversation_id_for(phone, ID_KEY.encode())
    assert app_db_rows(sms_stack, "SELECT instrument, triage, completed FROM screenings WHERE conversation_id = :c",
                       c=conversation) == [("ASQ", "acute_positive", 0)]
    assert app_db_rows(sms_stack, "SELECT source, category, priority FROM alerts WHERE conversation_id = :c",
                       c=conversation) == [("asq", "asq_positive_answer", "urgent")]


def test_harm_to_others_by_sms_asks_whether_anyone_is_in_danger(sms_stack, twilio):
    phone = new_phone()
    reply = joined(text(sms_stack, twilio, phone, "im going to stab my roommate tonight"))
    assert "Is anyone in danger right now? Reply 1 for yes, 2 for no." in reply
    danger = joined(text(sms_stack, twilio, phone, "1"))
    assert "call 911 now" in danger.lower() and "988 for yourself" in danger and "hurt yourself" not in danger


def test_a_crisis_text_from_an_opted_out_number_gets_no_reply_but_an_urgent_alert(sms_stack, twilio):
    phone = new_phone()
    text(sms_stack, twilio, phone, "UNSUBSCRIBE")
    assert text(sms_stack, twilio, phone, "I want to kill myself") == []
    conversation = conversation_id_for(phone, ID_KEY.encode())
    assert app_db_rows(sms_stack, "SELECT source, category, priority, channel FROM alerts WHERE conversation_id = :c",
                       c=conversation) == [("crisis_opted_out", "suicide", "urgent", "sms")]
    # and it reaches a person: an urgent front-desk item (console, webhook and email), not just a row
    assert app_db_rows(sms_stack, "SELECT reasons, priority, status, channel FROM handoffs WHERE conversation_id = :c",
                       c=conversation) == [('["crisis_opted_out"]', "urgent", "new", "sms")]


def test_help_says_who_this_is_and_how_to_reach_a_person(sms_stack, twilio):
    from intake.settings import load_settings

    clinic = load_settings().clinic
    phone = new_phone()
    text(sms_stack, twilio, phone, "hi")
    reply = joined(text(sms_stack, twilio, phone, "help"))
    assert clinic.name in reply and "automated assistant" in reply
    assert clinic.front_desk_phone in reply and "988" in reply and "911" in reply and "STOP" in reply


def test_only_the_first_reply_to_a_number_says_sms_is_not_encrypted(sms_stack, twilio):
    phone = new_phone()
    first = text(sms_stack, twilio, phone, "hello")
    assert "not encrypted" in first[0] and len(first) >= 2
    assert "not encrypted" not in joined(text(sms_stack, twilio, phone, "hello"))
    assert "not encrypted" not in joined(text(sms_stack, twilio, phone, "what is ptsd"))


# -- the assistant over SMS -------------------------------------------------------------------
def test_a_crisis_text_gets_the_sms_crisis_reply_with_988_within_the_segment_limit(sms_stack, twilio):
    phone = new_phone()
    text(sms_stack, twilio, phone, "hello")
    reply = text(sms_stack, twilio, phone, "I want to kill myself")
    assert 1 <= len(reply) <= MAX_SEGMENTS
    assert all(sms_length(part) <= 160 for part in reply), reply
    assert "988" in reply[0] and "911" in reply[0]
    assert reply[0].index("988") < reply[0].index("911")
    assert "Veterans: 988 then 1" in joined(reply)  # the `channel: sms` variant, not the web text
    assert "Reply 1 for yes, 2 for no" in joined(reply)
    conversation = conversation_id_for(phone, ID_KEY.encode())
    assert ("crisis_message", "suicide", "sms") in app_db_rows(
        sms_stack, "SELECT source, category, channel FROM alerts WHERE conversation_id = :c", c=conversation)
    not_safe = joined(text(sms_stack, twilio, phone, "2"))  # "Reply 1 for yes, 2 for no": 2 is not safe
    assert "call 911 now" in not_safe.lower()
    assert ("crisis_not_safe",) in app_db_rows(
        sms_stack, "SELECT source FROM alerts WHERE conversation_id = :c", c=conversation)


def test_a_first_text_in_crisis_gets_988_before_the_notice(sms_stack, twilio):
    reply = text(sms_stack, twilio, new_phone(), "i want to kill myself")
    assert "988" in reply[0] and "not encrypted" in reply[-1]


def test_buttons_become_numbered_options_and_a_number_picks_one(sms_stack, twilio):
    phone = new_phone()
    text(sms_stack, twilio, phone, "hello")
    menu = joined(text(sms_stack, twilio, phone, "menu"))
    assert "Reply with a number:" in menu
    number = re.search(r"(\d): Check my symptoms", menu).group(1)
    after = joined(text(sms_stack, twilio, phone, number))
    assert "Reply with a number:" in after  # the symptom check asks its first yes/no question
    tracker = sms_stack.tracker(conversation_id_for(phone, ID_KEY.encode()))
    user_texts = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert "/check_symptoms" in user_texts  # "1" reached Rasa as the button's payload


def test_a_long_faq_answer_is_split_at_sentence_ends_into_at_most_three_texts(sms_stack, twilio):
    phone = new_phone()
    text(sms_stack, twilio, phone, "hello")
    reply = text(sms_stack, twilio, phone, "what are the side effects of ketamine?")
    answer = to_gsm_friendly(FAQ_ANSWERS["utter_faq/side_effects"][0]["text"])
    assert 2 <= len(reply) <= MAX_SEGMENTS, reply
    assert answer in " ".join(part.replace("\n", " ") for part in reply)  # nothing lost, nothing cut mid-sentence
    for part in reply:
        assert re.search(r"[.?!)]$", part.split("\nReply with a number:")[0]), part
    assert "1: Book a consultation" in reply[-1]


# -- identity ---------------------------------------------------------------------------------
def test_the_tracker_id_is_a_keyed_hash_and_the_number_is_only_in_the_app_database(sms_stack, twilio):
    phone = new_phone()
    text(sms_stack, twilio, phone, "hello")
    conversation = conversation_id_for(phone, ID_KEY.encode())
    tracker = sms_stack.tracker(conversation)
    assert tracker["sender_id"] == conversation and phone.lstrip("+") not in conversation
    assert any(e["event"] == "user" and e.get("text") == "hello" for e in tracker["events"])
    assert phone not in str(tracker) and phone.lstrip("+")[1:] not in str(tracker)
    unknown = sms_stack.tracker(phone)
    assert not any(e["event"] == "user" for e in unknown["events"])
    assert app_db_rows(sms_stack, "SELECT conversation_id FROM sms_contacts WHERE phone = :p", p=phone) == [(conversation,)]


def test_numbered_options_survive_a_restart_of_the_rasa_server(sms_stack, twilio):
    phone = new_phone()
    text(sms_stack, twilio, phone, "hello")
    menu = joined(text(sms_stack, twilio, phone, "menu"))
    number = re.search(r"(\d): Talk to the front desk", menu).group(1)
    sms_stack.stop("rasa")
    sms_stack.start_rasa()
    text(sms_stack, twilio, phone, number)
    tracker = sms_stack.tracker(conversation_id_for(phone, ID_KEY.encode()))
    assert "/request_human" in [e.get("text") for e in tracker["events"] if e["event"] == "user"]


def test_a_text_twilio_posts_twice_is_answered_once(sms_stack, twilio):
    """Twilio retries, or someone replays a captured signed request: the same MessageSid."""
    phone, message_sid = new_phone(), "SM" + uuid.uuid4().hex
    mark = twilio.mark()
    assert post_sms(sms_stack, phone, "hello", message_sid=message_sid).status_code == 200
    assert twilio.sent_to(phone, since=mark)
    mark = twilio.mark()
    assert post_sms(sms_stack, phone, "hello", message_sid=message_sid).status_code == 200
    assert twilio.sent_to(phone, since=mark) == []
    assert app_db_rows(sms_stack, "SELECT message_sid FROM sms_inbound_handled WHERE message_sid = :s",
                       s=message_sid) == [(message_sid,)]
