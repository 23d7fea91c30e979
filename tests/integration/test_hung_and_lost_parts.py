"""Parts that hang or are lost (issue 26), on one stack: its action server accepts connections and
never answers (stopped, deadlocked, or waiting on a database that never answers), and the web
chat's shared rooms go through a redis-server of the test's own.

- The crisis reply and its safety question arrive at once over REST, SMS and the web chat, and
  any other step fails within `actions.timeout_seconds` with the step-failed reply.
- A flood from one conversation or one address gets a short reply and is not read, but a crisis
  message in it is answered (the stack's limits are lowered; intake/rate_limits.py).
- A pickle written to the shared socket.io channel runs nothing, and with the Redis stopped
  mid-conversation the web chat is still answered, the crisis reply first
  (rasa_addons/channels/shared_rooms.py)."""
from __future__ import annotations

import asyncio
import pickle
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import List

import pytest
import redis
import requests
import yaml

from intake.settings import DEFAULT_CONFIG_PATH
from rasa_addons.channels.socketio import shared_rooms_channel
from tests.integration.test_sms_channel import new_phone, post_sms
from tests.support.stack import free_port, start_stack, texts
from tests.support.twilio_standin import sms_environment
from tests.support.webchat import WebChat, joined

# Issue 26: "the crisis reply arrives within 2 s".
CRISIS_REPLY_SECONDS = 2
# The stack's action timeout, shorter than the shipped 10 s (tests/unit/test_remote_actions.py
# checks that one) so that the test of a failing step does not wait as long.
ACTION_TIMEOUT_SECONDS = 3
# The stack's message rate limits, lowered so that a flood is a few messages; the stack trusts one
# proxy, so a request's X-Forwarded-For names its address (loopback itself is never limited).
PER_CONVERSATION, PER_ADDRESS = 4, 6
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
def own_redis():
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield server, client, port
    server.kill()
    server.wait()


@pytest.fixture(scope="module")
def hung(tmp_path_factory, twilio, own_redis):
    server = HungActionServer()
    workdir = tmp_path_factory.mktemp("hung-and-lost")
    clinic = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    clinic["actions"]["timeout_seconds"] = ACTION_TIMEOUT_SECONDS
    clinic["limits"].update(messages_per_minute_per_conversation=PER_CONVERSATION,
                            messages_per_minute_per_address=PER_ADDRESS, trusted_proxies=1)
    clinic_file = workdir / "clinic.yml"
    clinic_file.write_text(yaml.safe_dump(clinic), encoding="utf-8")
    running = start_stack(workdir, with_actions=False, actions_port=server.port,
                          extra_env={**sms_environment(twilio), "INTAKE_CLINIC_CONFIG": str(clinic_file),
                                     "INTAKE_SOCKETIO_REDIS_URL": f"redis://127.0.0.1:{own_redis[2]}/0"})
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
    limit = ACTION_TIMEOUT_SECONDS
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


# -- message rate limits ----------------------------------------------------------------------------
SLOW_DOWN = "faster than I can read them"


def test_a_flood_from_one_conversation_is_held_back_but_a_crisis_in_it_is_answered(hung, sender):
    stack, _ = hung
    for _ in range(PER_CONVERSATION):
        assert "automated" in texts(post(stack, sender, "hello", timeout=30))
    held = texts(post(stack, sender, "hello", timeout=30))
    assert SLOW_DOWN in held and "988" in held and "automated" not in held
    crisis = post(stack, sender, "I want to kill myself", timeout=CRISIS_REPLY_SECONDS)
    assert "988" in texts(crisis) and crisis[-1]["text"] in SAFETY_QUESTIONS
    assert "automated" in texts(post(stack, sender + "-other", "hello", timeout=30))  # others go on


def test_a_flood_from_one_address_is_held_back_over_rest_and_the_web_chat(hung):
    stack, _ = hung
    flood = {"X-Forwarded-For": "203.0.113.77"}

    def from_address(sender: str, text: str, headers=flood) -> requests.Response:
        return requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                             headers=headers, timeout=30)

    for index in range(PER_ADDRESS):
        assert from_address(f"flood-{index}", "hello").status_code == 200
    held = from_address("flood-new", "hello")
    assert held.status_code == 429 and held.headers["Retry-After"] == "60"
    assert SLOW_DOWN in texts(held.json()) and "988" in texts(held.json())
    in_spanish = texts(from_address("flood-es", "buenas tardes, ¿cuánto cuesta una consulta?").json())
    assert "más rápido de lo que puedo leerlos" in in_spanish and "988 y marque 2" in in_spanish
    crisis = from_address("flood-crisis", "I want to kill myself")
    assert crisis.status_code == 200 and "988" in texts(crisis.json())
    # A client cannot dodge it by writing an address of its own in front: the proxy's entry counts.
    assert from_address("flood-spoof", "hello", {"X-Forwarded-For": "6.6.6.6, 203.0.113.77"}).status_code == 429
    assert from_address("elsewhere", "hello", {"X-Forwarded-For": "198.51.100.8"}).status_code == 200

    async def web_chat() -> str:
        chat = WebChat(stack.rasa_url, headers=flood)
        await chat.open()
        try:
            await chat.say("hello")
            return joined(await chat.messages())
        finally:
            await chat.close()

    said = asyncio.run(web_chat())
    assert SLOW_DOWN in said and "automated" not in said


# -- the shared rooms' Redis (runs last: the final test stops it) ---------------------------------
class OpensAFile:
    """Unpickling this creates a file: what an attacker's payload would do, harmlessly."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return open, (str(self.path), "w")


def say_and_read(stack, text: str) -> str:
    async def scenario() -> str:
        chat = WebChat(stack.rasa_url)
        await chat.open()
        try:
            await chat.say(text)
            return joined(await chat.messages())
        finally:
            await chat.close()

    return asyncio.run(scenario())


def test_a_pickle_on_the_shared_channel_runs_nothing(hung, own_redis, tmp_path):
    stack, _ = hung
    assert "automated" in say_and_read(stack, "hello")  # the server is subscribed and answering through Redis
    marker = tmp_path / "unpickled"
    listeners = own_redis[1].publish(shared_rooms_channel(), pickle.dumps(OpensAFile(marker)))
    assert listeners >= 1
    time.sleep(1.0)  # the server's listener has read it by now
    assert not marker.exists()
    assert "automated" in say_and_read(stack, "hello")  # and it still serves


def test_with_redis_stopped_mid_conversation_the_chat_is_still_answered_crisis_first(hung, own_redis):
    stack, _ = hung
    server = own_redis[0]

    async def scenario() -> list:
        chat = WebChat(stack.rasa_url)
        await chat.open()
        try:
            await chat.say("hello")
            assert "automated" in joined(await chat.messages())
            server.terminate()
            server.wait()
            await chat.say("I want to kill myself")
            return await chat.messages()
        finally:
            await chat.close()

    crisis = asyncio.run(scenario())
    assert "988" in crisis[0]["text"] and "911" in crisis[0]["text"]
    assert crisis[-1]["text"] == "Are you safe right now?"
