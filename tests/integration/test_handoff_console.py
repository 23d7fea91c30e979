"""Issue 8 end to end, through the front-desk console over real HTTP: the real Rasa server, action
server and web app, a staff member signed in with a requests.Session (session cookie + CSRF
header), and the person on REST or on SMS (texts caught by the Twilio stand-in).

A person asks for a human; the item appears in /frontdesk/api/items; the staff member claims it
and writes; the message reaches the person (REST has no push: it is a bot message in their
tracker; SMS: a text to their number); the person's next message goes to the console, not to
the assistant; hand back; the assistant answers again. A crisis message during the takeover is
answered by the crisis protocol at once and makes the item urgent in the console.

It runs on the run's SMS stack (tests/integration/conftest.py), used for both channels.
"""
from __future__ import annotations

import re
import time
import uuid

import pytest
import requests

from intake.frontdesk.accounts import create_account
from intake.sms.identity import conversation_id_for
from tests.integration.test_sms_channel import joined, new_phone, text
from tests.support.stack import RasaStack, texts
from tests.support.twilio_standin import CLINIC_NUMBER, ID_KEY

pytestmark = pytest.mark.integration

PASSWORD = "front desk integration passphrase"
JOINED = "Dana from the front desk has joined"
HANDED_BACK = "handed this"



@pytest.fixture(scope="module")
def console_stack(sms_stack) -> RasaStack:
    """The run's SMS stack (tests/integration/conftest.py): the console reaches web, REST and SMS people."""
    return sms_stack


class Console:
    """A staff member's browser session with the console, over HTTP."""

    def __init__(self, stack: RasaStack, username: str) -> None:
        self.url = stack.web_url + "/frontdesk"
        self.http = requests.Session()
        login = self.http.get(self.url + "/login", timeout=10)
        token = re.search(r'name="login_token" value="([^"]+)"', login.text).group(1)
        answer = self.http.post(self.url + "/login", timeout=30, allow_redirects=False,
                                data={"username": username, "password": PASSWORD, "login_token": token})
        assert answer.status_code == 303, answer.text
        queue = self.http.get(self.url + "/", timeout=10)
        self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', queue.text).group(1)

    def items(self) -> list:
        answer = self.http.get(self.url + "/api/items", timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]

    def item_for(self, conversation_id: str, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            found = [i for i in self.items() if i["conversation_id"] == conversation_id]
            if found or time.monotonic() > deadline:
                assert found, f"{conversation_id} is not in the console's queue"
                return found[0]
            time.sleep(0.5)

    def detail(self, item_id: int) -> dict:
        return self.http.get(f"{self.url}/api/items/{item_id}", timeout=30).json()

    def post(self, item_id: int, action: str, body: dict = None) -> requests.Response:
        return self.http.post(f"{self.url}/api/items/{item_id}/{action}", json=body or {}, timeout=60,
                              headers={"X-CSRF-Token": self.csrf})

    def do(self, item_id: int, action: str, body: dict = None) -> dict:
        answer = self.post(item_id, action, body)
        assert answer.status_code == 200, (action, answer.status_code, answer.text)
        return answer.json()["item"]


@pytest.fixture(scope="module")
def console(console_stack) -> Console:
    username = "dana-" + uuid.uuid4().hex[:6]
    create_account(username, "Dana", PASSWORD, database_url=console_stack.app_database_url)
    return Console(console_stack, username)


def bot_texts_after(stack: RasaStack, sender: str, count_before: int) -> list:
    bots = [e.get("text") or "" for e in stack.tracker(sender, include_events="ALL")["events"] if e["event"] == "bot"]
    return bots[count_before:]


def bot_count(stack: RasaStack, sender: str) -> int:
    return len(bot_texts_after(stack, sender, 0))


def test_a_person_on_rest_gets_a_staff_member_and_then_the_assistant_again(console_stack, console):
    stack, sender = console_stack, f"rest-{uuid.uuid4().hex[:10]}"
    stack.send(sender, "hello")
    asked = texts(stack.send(sender, "can I talk to a person"))
    assert "front desk" in asked
    item = console.item_for(sender)
    assert (item["status"], item["priority"], item["channel"]) == ("new", "normal", "rest")
    assert item["reasons"] == ["asked_for_human"] and item["claimed_by"] is None

    before = bot_count(stack, sender)
    claimed = console.do(item["id"], "claim")
    assert claimed["claimed_by_me"] and claimed["status"] == "claimed"
    assert any(JOINED in t for t in bot_texts_after(stack, sender, before))

    before = bot_count(stack, sender)
    reply = "Hi, this is Dana at the front desk. What can I help you with?"
    console.do(item["id"], "reply", {"text": reply})
    assert bot_texts_after(stack, sender, before) == [reply]  # REST has no push: it is in the tracker

    # The person's next message goes to the console; the assistant stays quiet.
    assert texts(stack.send(sender, "what does a consultation cost?")) == ""
    detail = console.detail(item["id"])
    said = [(line["speaker"], line["text"]) for line in detail["transcript"]]
    assert ("staff", reply) in said and ("person", "what does a consultation cost?") in said
    assert said.index(("staff", reply)) < said.index(("person", "what does a consultation cost?"))
    assert console.item_for(sender)["last_user_message_at"] is not None

    before = bot_count(stack, sender)
    handed = console.do(item["id"], "handback")
    assert handed["status"] == "new" and handed["claimed_by"] is None
    assert any(HANDED_BACK in t for t in bot_texts_after(stack, sender, before))
    answer = texts(stack.send(sender, "how long does a ketamine session take"))
    assert "hour" in answer, answer

    closed = console.do(item["id"], "close")
    assert closed["status"] == "closed"
    assert sender not in [i["conversation_id"] for i in console.items()]


def test_a_person_on_sms_gets_the_staff_reply_as_a_text(console_stack, console, twilio):
    stack, phone = console_stack, new_phone()
    text(stack, twilio, phone, "hello")
    assert "front desk" in joined(text(stack, twilio, phone, "can I talk to a person"))
    conversation = conversation_id_for(phone, ID_KEY.encode())
    item = console.item_for(conversation)
    assert item["channel"] == "sms" and item["channel_label"] == "SMS"

    mark = twilio.mark()
    console.do(item["id"], "claim")
    assert JOINED in joined(twilio.sent_to(phone, since=mark))

    mark = twilio.mark()
    reply = "Hi, this is Dana at the front desk. I can call you at 2pm today, does that work?"
    console.do(item["id"], "reply", {"text": reply})
    assert twilio.sent_to(phone, since=mark) == [reply]
    assert [t.from_ for t in twilio.sent[mark:] if t.to == phone] == [CLINIC_NUMBER]

    assert text(stack, twilio, phone, "yes 2pm works") == []  # relayed to the console, no automatic text
    said = [(line["speaker"], line["text"]) for line in console.detail(item["id"])["transcript"]]
    assert ("person", "yes 2pm works") in said and ("staff", reply) in said

    mark = twilio.mark()
    console.do(item["id"], "handback")
    assert HANDED_BACK in joined(twilio.sent_to(phone, since=mark))
    answer = joined(text(stack, twilio, phone, "how long does a ketamine session take"))
    assert "hour" in answer, answer
    console.do(item["id"], "close")


def test_a_crisis_message_during_the_takeover_gets_the_crisis_reply_and_makes_the_item_urgent(console_stack,
                                                                                              console):
    stack, sender = console_stack, f"rest-{uuid.uuid4().hex[:10]}"
    stack.send(sender, "can I talk to a person")
    item = console.item_for(sender)
    assert item["priority"] == "normal"
    console.do(item["id"], "claim")
    console.do(item["id"], "reply", {"text": "Hi, Dana here. How are you doing today?"})

    crisis = texts(stack.send(sender, "honestly I want to kill myself"))
    assert "988" in crisis and "911" in crisis, crisis
    assert "Are you safe right now?" in crisis
    after = console.item_for(sender)
    assert after["priority"] == "urgent" and after["priority_label"] == "Urgent"
    assert "crisis" in after["reasons"] and "asked_for_human" in after["reasons"]
    assert after["status"] == "claimed" and after["claimed_by_me"]  # Dana still holds it
    assert console.items()[0]["priority"] == "urgent"
    said = [(line["speaker"], line["text"]) for line in console.detail(item["id"])["transcript"]]
    assert ("person", "honestly I want to kill myself") in said
    assert any(speaker == "assistant" and "988" in line for speaker, line in said)
    console.do(item["id"], "close")
