"""An action server that accepts connections and never answers (stopped, deadlocked, or waiting on
a database that never answers) must not hold a crisis reply (issue 26): over REST, SMS and the
web chat (socket.io) the crisis reply and its safety question arrive at once, and any other step fails within
`actions.timeout_seconds` (config/clinic.yml) with the step-failed reply."""
from __future__ import annotations

import asyncio
import socket
import threading
from typing import List

import pytest
import requests

from intake.settings import settings
from tests.integration.test_sms_channel import new_phone, post_sms
from tests.support.stack import start_stack, texts
from tests.support.twilio_standin import sms_environment
from tests.support.webchat import WebChat

# Issue 26: "the crisis reply arrives within 2 s".
CRISIS_REPLY_SECONDS = 2
SAFETY_QUESTIONS = ("Are you safe right now?", "Is anyone in danger right now?",
                    "Are you and the person you're worried about safe right now?")


class HungActionServer:
    """Listens on loopback, accepts every connection and never reads or answers it."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.held: List[socket.socket] = []
        threading.Thread(target=self._accept_forever, daemon=True).start()

    def _accept_forever(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed
                return
            self.held.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


@pytest.fixture(scope="module")
def hung(tmp_path_factory, twilio):
    server = HungActionServer()
    running = start_stack(tmp_path_factory.mktemp("hung-actions"), with_actions=False, actions_port=server.port,
                          extra_env=sms_environment(twilio))
    running.send("warm-up", "hello")
    yield running, server
    running.stop_all()
    server.close()


def post(stack, sender: str, text: str, timeout: float) -> List[dict]:
    response = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                             timeout=timeout)
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize("message, expected", [("I want to kill myself", "988"),
                                               ("my husband is going to kill me", "1-800-799-7233")])
def test_the_crisis_reply_and_its_safety_question_arrive_at_once(hung, sender, message, expected):
    stack, server = hung
    reply = post(stack, sender, message, timeout=CRISIS_REPLY_SECONDS)
    assert expected in texts(reply) and "911" in texts(reply)
    assert reply[-1]["text"] in SAFETY_QUESTIONS
    assert server.held, "the Rasa server did call the hung action server"


def test_not_safe_gets_its_reply_at_once(hung, sender):
    stack, _ = hung
    post(stack, sender, "kms", timeout=CRISIS_REPLY_SECONDS)
    assert "call 911 now" in texts(post(stack, sender, "no", timeout=CRISIS_REPLY_SECONDS)).lower()


def test_any_other_step_fails_within_the_action_timeout_and_says_so(hung, sender):
    stack, _ = hung
    limit = float(settings().section("actions")["timeout_seconds"])
    reply = texts(post(stack, sender, "I'd like to book a consultation", timeout=limit + 5))  # one wait, not one per action
    assert "isn't working right now" in reply and "988" in reply


def test_by_sms_the_crisis_texts_go_out_at_once(hung, twilio):
    stack, _ = hung
    phone, mark = new_phone(), twilio.mark()
    # The texts are sent before the webhook answers Twilio, so the answer's arrival bounds them.
    answer = post_sms(stack, phone, "I want to kill myself", timeout=CRISIS_REPLY_SECONDS)
    assert answer.status_code == 200
    sent = " ".join(twilio.sent_to(phone, since=mark))
    assert "988" in sent and "911" in sent and "safe right now" in sent.lower()


def test_in_the_web_chat_the_crisis_reply_and_its_safety_question_arrive_at_once(hung):
    stack, _ = hung

    async def scenario() -> List[dict]:
        chat = WebChat(stack.rasa_url)
        await chat.open()
        try:
            await chat.say("I want to kill myself")
            got: List[dict] = []
            deadline = asyncio.get_running_loop().time() + CRISIS_REPLY_SECONDS
            while not got or got[-1].get("text") not in SAFETY_QUESTIONS:
                remaining = deadline - asyncio.get_running_loop().time()
                got.append(await asyncio.wait_for(chat.received.get(), timeout=max(remaining, 0.01)))
            return got
        finally:
            await chat.close()

    got = asyncio.run(scenario())
    assert "988" in got[0]["text"] and "911" in got[0]["text"]
