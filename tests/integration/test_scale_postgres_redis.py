"""Two Rasa servers (one of them with two Sanic workers) and one action server on the production
endpoints, sharing the machine's PostgreSQL (tracker store and app database) and Redis (lock
store, socket.io rooms), as a deployment on several machines does: a conversation moves freely
between servers, twenty at once lose nothing, a restarted or killed server costs no state, a
database outage gets a clear answer and writes nothing half, and no phone number or email is
readable in the tracker database."""
from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List

import pytest
import requests

from intake.handoff.rasa_api import RasaConversations
from tests.integration.test_sms_channel import new_phone, post_sms
from tests.support.handoff import STAFF, STAFF_JOINED
from tests.support.production import (app_database_not_answering, database_unreachable, production_stores,
                                      tracker_database_not_answering, tracker_rows)
from tests.support.screening_walk import SCREENING_WALK, walk
from tests.support.stack import RasaStack, buttons, start_stack, texts
from tests.support.twilio_standin import sms_environment
from tests.support.webchat import WebChat, joined

CONVERSATIONS = 20
PAIRS = 3  # pairs of simultaneous messages in one conversation (Rasa's own Redis lock store lost one)
STORAGE_DOWN = "can't reach our records"
STEP_FAILED = "isn't working right now"


@pytest.fixture(scope="module")
def stores():
    with production_stores() as env:
        yield env


@pytest.fixture(scope="module")
def servers(stores, twilio, tmp_path_factory) -> Dict[str, RasaStack]:
    """Server "a" with the action server and web app (and the SMS channel, texting the Twilio
    stand-in); server "b" with two Sanic workers (two processes behind one port, as SANIC_WORKERS
    gives in production), sharing that action server."""
    first = start_stack(tmp_path_factory.mktemp("server-a"), production_env=stores,
                        extra_env=sms_environment(twilio))
    second = None
    try:
        second = start_stack(tmp_path_factory.mktemp("server-b"), with_actions=False, production_env=stores,
                             actions_port=first.actions_port, extra_env={"SANIC_WORKERS": "2"})
        yield {"a": first, "b": second}
    finally:
        for stack in (second, first):
            if stack is not None:
                stack.stop_all()


def _sender(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}"


def _user_texts(stack: RasaStack, sender: str) -> List[str]:
    return [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"]


def test_one_conversation_alternates_between_the_servers_and_keeps_its_state(servers):
    sender = _sender("alternate")
    walk([servers["a"], servers["b"]], sender)
    sent = [message for message, _ in SCREENING_WALK]
    assert _user_texts(servers["a"], sender) == sent == _user_texts(servers["b"], sender)


def test_twenty_concurrent_conversations_over_both_servers_lose_no_event(servers, stores):
    senders = [_sender(f"crowd{n}") for n in range(CONVERSATIONS)]
    start = threading.Barrier(CONVERSATIONS)

    def converse(number: int) -> None:
        start.wait()
        order = [servers["a"], servers["b"]] if number % 2 else [servers["b"], servers["a"]]
        walk(order, senders[number], SCREENING_WALK[:5])

    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        list(pool.map(converse, range(CONVERSATIONS)))  # re-raises the first failed walk

    sent = [message for message, _ in SCREENING_WALK[:5]]
    stored: Dict[str, int] = {}
    for sender_id, data in tracker_rows(stores):
        if sender_id in senders and '"event": "user"' in data:
            stored[sender_id] = stored.get(sender_id, 0) + 1
    assert stored == {sender: len(sent) for sender in senders}
    for sender in senders:
        assert _user_texts(servers["a"], sender) == sent


def test_two_messages_of_one_conversation_at_once_are_handled_one_after_the_other(servers):
    """The Redis lock store: both messages are kept, each answered before the next is read."""
    sender = _sender("same-time")
    servers["a"].send(sender, "hello")
    start = threading.Barrier(2)

    def send(args) -> str:
        stack, message = args
        start.wait()
        return texts(stack.send(sender, message))

    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(PAIRS):
            replies = list(pool.map(send, [(servers["a"], "what is ketamine therapy"),
                                           (servers["b"], "how long do the effects last")]))
            assert all(replies)
    kinds = [e["event"] for e in servers["b"].tracker(sender)["events"] if e["event"] in ("user", "bot")]
    assert kinds.count("user") == 1 + 2 * PAIRS
    # Every message is followed by its own answer before the next message is read.
    assert all(kinds[i + 1] == "bot" for i, kind in enumerate(kinds) if kind == "user")


def test_the_front_desk_reaches_a_web_chat_open_on_the_other_server(servers):
    """The chat is connected to server a; the console's takeover goes through server b's API."""
    desk = RasaConversations(servers["b"].rasa_url, servers["b"].token)

    async def scenario() -> None:
        chat = WebChat(servers["a"].rasa_url)
        await chat.open()
        try:
            await chat.say("hello")
            assert await chat.messages()
            await desk.start_takeover(chat.session_id, STAFF[1])
            assert STAFF_JOINED in joined(await chat.messages())
            await desk.send_staff_message(chat.session_id, "Hi, Dana here. How can I help?")
            assert [m.get("text") for m in await chat.messages()] == ["Hi, Dana here. How can I help?"]
            await desk.end_takeover(chat.session_id)
        finally:
            await chat.close()

    asyncio.run(scenario())


def test_a_phone_number_and_email_typed_in_chat_are_not_readable_in_the_tracker_database(servers, stores):
    sender = _sender("contact")
    servers["a"].send(sender, "you can reach me on (310) 555-0187 or at dana.reyes@example.com")
    servers["b"].send(sender, "or text 310.555.0187")
    stored = "\n".join(data for sender_id, data in tracker_rows(stores) if sender_id == sender)
    assert "[[sealed:" in stored
    for raw in ("555-0187", "5550187", "555.0187", "dana.reyes", "example.com"):
        assert raw not in stored
    # The servers, which hold the key, read the conversation as it was typed.
    assert "(310) 555-0187" in _user_texts(servers["b"], sender)[0]


def test_a_restarted_server_resumes_the_conversation_from_postgresql(servers):
    sender = _sender("restart")
    walk([servers["a"]], sender, SCREENING_WALK[:3])
    servers["a"].stop("rasa")
    servers["a"].start_rasa()
    walk([servers["a"]], sender, SCREENING_WALK[3:])


def test_tracker_database_unreachable_gives_a_clear_message_and_writes_nothing(servers, stores):
    sender = _sender("outage")
    walk([servers["a"], servers["b"]], sender, SCREENING_WALK[:3])
    rows_before = [row for row in tracker_rows(stores) if row[0] == sender]
    with database_unreachable(stores["TRACKER_DB_NAME"]):
        reply = texts(servers["b"].send(sender, SCREENING_WALK[3][0]))
        assert STORAGE_DOWN in reply and "988" in reply and "911" in reply
        # A crisis message still gets the crisis reply itself, even while the store is down.
        crisis = texts(servers["a"].send(_sender("outage-crisis"), "I want to kill myself"))
        assert crisis.startswith("I'm really glad you told me") and STORAGE_DOWN in crisis
    assert [row for row in tracker_rows(stores) if row[0] == sender] == rows_before
    # Once the database answers again, the same answer takes the conversation on from where it was.
    walk([servers["a"], servers["b"]], sender, SCREENING_WALK[3:])


def test_app_database_unreachable_gives_a_clear_message_and_the_request_can_be_made_again(servers, stores):
    sender = _sender("app-outage")
    app_database = stores["INTAKE_DATABASE_URL"].rsplit("/", 1)[1]
    with database_unreachable(app_database):
        reply = servers["b"].send(sender, "I'd like to book a consultation")
    assert STEP_FAILED in texts(reply) and "988" in texts(reply)
    assert not _offered_times(reply)
    reply = servers["a"].send(sender, "I'd like to book a consultation")
    assert STEP_FAILED not in texts(reply) and _offered_times(reply), texts(reply)
    # The failed actions were logged, without the conversation (the action server's error answer
    # repeats the whole tracker).
    for stack, name in ((servers["a"], "actions"), (servers["b"], "rasa"), (servers["a"], "rasa")):
        log = (stack.workdir / f"{name}.log").read_text(errors="replace")
        assert "like to book a consultation" not in log and sender not in log, name


CRISIS_REPLY_SECONDS = 2  # issue 26: the crisis reply within 2 s whatever part does not answer


def test_with_the_tracker_database_not_answering_a_crisis_is_answered_at_once(servers, stores, twilio):
    """REST, the web chat and SMS, on one server, while every query on the stored conversations waits."""
    rest_sender, phone = _sender("hung-db"), new_phone()

    async def web_chat(chat: WebChat) -> List[dict]:
        await chat.say("I want to kill myself")
        return [await asyncio.wait_for(chat.received.get(), timeout=CRISIS_REPLY_SECONDS)]

    async def open_chat() -> WebChat:
        chat = WebChat(servers["a"].rasa_url)
        await chat.open()
        return chat

    loop = asyncio.new_event_loop()
    chat = loop.run_until_complete(open_chat())
    try:
        with tracker_database_not_answering(stores):
            reply = requests.post(f"{servers['a'].rasa_url}/webhooks/rest/webhook",
                                  json={"sender": rest_sender, "message": "I want to kill myself"},
                                  timeout=CRISIS_REPLY_SECONDS).json()
            assert reply[0]["text"].startswith("I'm really glad you told me") and "988" in texts(reply)
            pushed = loop.run_until_complete(web_chat(chat))
            assert "988" in pushed[0]["text"] and "911" in pushed[0]["text"]
            mark = twilio.mark()  # the texts go out before the webhook answers Twilio
            assert post_sms(servers["a"], phone, "I want to kill myself", timeout=CRISIS_REPLY_SECONDS).ok
            texted = " ".join(twilio.sent_to(phone, since=mark))
            assert "988" in texted and "911" in texted
            time.sleep(0.5)  # the turns are still waiting for the database
        # Once it answers, the turns finish: the messages are in the conversations.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "I want to kill myself" not in _user_texts(servers["a"], rest_sender):
            time.sleep(0.2)
        assert _user_texts(servers["a"], rest_sender) == ["I want to kill myself"]
    finally:
        loop.run_until_complete(chat.close())
        loop.close()


def test_with_the_app_database_not_answering_an_sms_crisis_is_answered_at_once(servers, stores, twilio):
    """The texter's records (opt-out, options) wait on the app database; the crisis reply does not."""
    phone = new_phone()
    with app_database_not_answering(stores, "sms_contacts"):
        mark = twilio.mark()
        assert post_sms(servers["a"], phone, "I want to kill myself", timeout=CRISIS_REPLY_SECONDS).ok
        texted = twilio.sent_to(phone, since=mark)
        assert "988" in " ".join(texted) and "911" in " ".join(texted)
        time.sleep(0.5)  # the records are still waiting
    # Once the database answers, the rest of the turn follows: the safety question and the
    # first-contact notice, without the crisis reply again.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any("not encrypted" in t for t in twilio.sent_to(phone, since=mark)):
        time.sleep(0.2)
    rest = twilio.sent_to(phone, since=mark)[len(texted):]
    assert any("not encrypted" in t for t in rest), rest
    first_sentence = texted[0].split(".")[0]
    assert not any(first_sentence in t for t in rest), rest


def _offered_times(reply: List[dict]) -> List[str]:
    return [b["payload"] for b in buttons(reply) if "booking_slot" in b["payload"]]


def test_a_killed_server_leaves_the_conversation_to_the_other(servers):
    sender = _sender("killed")
    walk([servers["b"]], sender, SCREENING_WALK[:3])
    doomed = servers["b"].processes.pop("rasa")
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait()
    walk([servers["a"]], sender, SCREENING_WALK[3:])
