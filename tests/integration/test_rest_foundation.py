"""The conversation skeleton and bad input, through the real Rasa and action servers over REST."""
from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from intake.faq.catalogue import load_topics
from intake.handoff.rasa_auth import auth_headers, bearer_token
from intake.settings import settings
from tests.support.stack import MODEL_PATH, PROJECT_ROOT, buttons, texts

# The menu's four choices, and the button that switches the conversation to Spanish.
MENU_PAYLOADS = {"/ask_question", "/check_symptoms", "/book_consultation", "/request_human",
                 '/choose_language{"language": "es"}'}


def test_hello_gets_the_disclaimer_and_the_menu(stack, sender):
    reply = stack.send(sender, "hello")
    said = texts(reply)
    assert "automated" in said and "not a clinician" in said
    assert "911" in said and "988" in said
    assert "stored" in said and "front desk" in said
    assert {b["payload"] for b in buttons(reply)} == MENU_PAYLOADS


def test_symptom_check_button_asks_the_trauma_question_at_once(stack, sender):
    reply = stack.send(sender, "/check_symptoms")
    assert "Are you 18 or older?" in texts(reply)  # the age first (the clinic sees adults only)
    assert {b["payload"] for b in buttons(reply)} == {"yes", "no", "skip"}
    reply = stack.send(sender, "yes")
    assert "Have you ever experienced this kind of event?" in texts(reply)
    assert {b["payload"] for b in buttons(reply)} == {"yes", "no", "skip"}
    asq_reply = texts(stack.send(f"{sender}-asq", "/start_safety_screen"))
    assert "In the past few weeks, have you wished you were dead?" in asq_reply


def test_ask_question_invites_a_question_and_offers_common_topics(stack, sender):
    reply = stack.send(sender, "/ask_question")
    assert "ask me anything" in texts(reply).lower()
    questions = {topic.question for topic in load_topics().values()}
    offered = [b["payload"] for b in buttons(reply)]
    assert offered and all(payload in questions for payload in offered)


def test_the_front_desk_choice_names_the_configured_contact(stack, sender):
    said = texts(stack.send(sender, "/request_human"))
    assert "front desk" in said.lower()
    assert settings().clinic.front_desk_phone in said, "the action server gave the configured phone"


def test_the_booking_choice_offers_free_times(stack, sender):
    reply = stack.send(sender, "/book_consultation")
    assert "request a consultation" in texts(reply)
    assert any("booking_slot" in b["payload"] for b in buttons(reply))


def test_typed_requests_reach_the_same_places(stack, sender):
    assert settings().clinic.front_desk_phone in texts(stack.send(sender, "can i talk to a real person"))
    assert "request a consultation" in texts(stack.send(sender, "I'd like to book an appointment"))


def test_small_talk_goodbye_and_out_of_scope(stack, sender):
    assert "welcome" in texts(stack.send(sender, "thanks!")).lower()
    assert "outside what I can help with" in texts(stack.send(sender, "can you order me a pizza"))
    assert "988" in texts(stack.send(sender, "bye"))


def test_gibberish_gets_the_menu_and_the_front_desk(stack, sender):
    reply = stack.send(sender, "qwpoeiru zxmcnv lkjasd")
    assert "not sure I understood" in texts(reply) or "outside what I can help with" in texts(reply)
    assert "/request_human" in {b["payload"] for b in buttons(reply)}


def test_nlu_fallback_offers_the_menu_and_the_front_desk(stack, sender):
    reply = stack.send(sender, "/nlu_fallback")
    assert "not sure I understood" in texts(reply)
    assert {"/request_human", "/check_symptoms"} <= {b["payload"] for b in buttons(reply)}


def test_restart_clears_the_conversation(stack, sender):
    stack.send(sender, "hello")
    stack.send(sender, "start over")
    assert any(e["event"] == "restart" for e in stack.tracker(sender, "ALL")["events"])
    after_restart = stack.tracker(sender)["events"]
    assert not any(e.get("text") == "hello" for e in after_restart if e["event"] == "user")


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"[]", b'"just a string"', b'{"sender": "x", "message": 42}', b'{"message": "hi"}',
     b'{"sender": "", "message": "hi"}'],
)
def test_malformed_requests_get_a_clean_400(stack, raw):
    response = stack.post_rest(None, raw=raw)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


@pytest.mark.parametrize("message", ["", "   ", "\n\t"])
def test_empty_message_gets_a_clear_reply(stack, sender, message):
    response = stack.post_rest({"sender": sender, "message": message})
    assert response.status_code == 200
    assert "didn't receive any text" in texts(response.json())


@pytest.mark.parametrize(
    "message",
    [
        "x" * 20_000,
        "hello " * 3_400,
        "😀🙏💊🧠 👋",
        "<img src=x onerror=alert(1)><script>alert('x')</script>",
        "¿Dónde está la clínica? 你好 مرحبا",
        "\u0000\u202e hi",
    ],
)
def test_odd_messages_get_a_reply_and_the_server_keeps_serving(stack, sender, message):
    reply = stack.send(sender, message)
    assert texts(reply), "every message gets an answer"
    assert "<img" not in texts(reply) and "<script" not in texts(reply), "input is never echoed back"
    # A Spanish question makes the conversation Spanish: the greeting then comes in Spanish.
    greeting = texts(stack.send(sender, "hello"))
    assert "automated" in greeting or "automático" in greeting, "the server still serves"


def test_http_api_needs_a_token_signed_with_the_secret_and_never_takes_the_secret_in_a_url(stack, sender):
    stack.send(sender, "hello")
    url = f"{stack.rasa_url}/conversations/{sender}/tracker"
    assert requests.get(url, timeout=10).status_code in (401, 403)
    # The secret itself in the query string (Rasa's --auth-token way, which access logs record).
    assert requests.get(url, params={"token": stack.token}, timeout=10).status_code in (401, 403)
    assert requests.get(url, headers=auth_headers("another-secret"), timeout=10).status_code in (401, 403)
    expired = {"Authorization": f"Bearer {bearer_token(stack.token, now=time.time() - 3600)}"}
    assert requests.get(url, headers=expired, timeout=10).status_code in (401, 403)
    assert requests.get(url, headers=auth_headers(stack.token), timeout=10).status_code == 200


def test_second_setup_does_not_retrain():
    before = MODEL_PATH.stat().st_mtime_ns
    out = subprocess.run(["bash", "scripts/setup.sh"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert "no retraining" in out.stdout
    assert MODEL_PATH.stat().st_mtime_ns == before


# Issue 26: a 200,000-character message is answered at once and not read in full.
HUGE_SECONDS = 2


def test_a_huge_message_is_answered_at_once_with_a_request_for_shorter_ones(stack, sender):
    response = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                             json={"sender": sender, "message": "tell me about your clinic " * 8_000},
                             timeout=HUGE_SECONDS)
    said = texts(response.json())
    assert "too long for me to read (over 2,000 characters)" in said and "988" in said


def test_a_risk_buried_deep_in_a_huge_message_gets_the_crisis_reply(stack, sender):
    message = "my week was long and work was hard. " * 5_000 + "i am going to kill myself tonight. " + "ok. " * 100
    reply = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                          timeout=HUGE_SECONDS).json()
    assert "988" in texts(reply) and reply[-1]["text"] == "Are you safe right now?"
    assert "too long" not in texts(reply)


def test_another_conversation_is_answered_while_a_huge_message_is_searched(stack, sender):
    """The search of an overlong message runs off the event loop: a greeting in another
    conversation, sent meanwhile, is answered within the same bound."""
    message = "my week was long and work was hard. " * 5_000 + "ok. " * 100
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    with ThreadPoolExecutor(max_workers=1) as pool:
        huge = pool.submit(requests.post, url, json={"sender": sender, "message": message}, timeout=HUGE_SECONDS)
        time.sleep(0.05)  # the huge message is being read
        other = requests.post(url, json={"sender": sender + "-other", "message": "hello"}, timeout=HUGE_SECONDS)
        assert "automated" in texts(other.json())
        assert "too long" in texts(huge.result().json())


def test_rest_cannot_write_into_an_sms_conversation(stack):
    for sender in ("sms-3f9a0c1d2e", "SMS-3f9a0c1d2e"):
        response = stack.post_rest({"sender": sender, "message": "hello"})
        assert response.status_code == 400 and "SMS conversations" in response.json()["reason"]


def test_rest_cannot_write_into_a_web_chat_conversation(stack):
    from intake.web_sessions import issue_session_id  # the stack's servers share this machine's key file

    response = stack.post_rest({"sender": issue_session_id(), "message": "hello"})
    assert response.status_code == 400 and "web chat" in response.json()["reason"]


def test_a_rest_message_is_stored_as_sent_over_rest_whatever_the_body_says(stack, sender):
    response = stack.post_rest({"sender": sender, "message": "hello", "input_channel": "sms"})
    assert response.status_code == 200
    assert stack.tracker(sender)["latest_input_channel"] == "rest"
