"""The front-desk handoff for a person in the web chat (socket.io, as the widget talks to Rasa:
session_request with a session id, then user_uttered; session_persistence as credentials.yml
sets it). The staff member's message is pushed to the open chat live, through Rasa's HTTP API
with output_channel=latest; nothing has to be fetched.

It runs on the run's stack (tests/conftest.py); each test has conversations of its own.
"""
from __future__ import annotations

import asyncio

import pytest

from intake.handoff import claim, close, open_item_for, release
from tests.support.handoff import STAFF, STAFF_JOINED, Desk
from tests.support.stack import RasaStack
from tests.support.webchat import WebChat, joined, payloads


@pytest.fixture
def hstack(stack) -> RasaStack:
    """The run's stack (tests/conftest.py): each test has conversations of its own."""
    return stack


def test_the_staff_message_is_pushed_to_the_open_web_chat(hstack):
    desk = Desk(hstack)

    async def scenario() -> None:
        chat = WebChat(hstack.rasa_url)
        await chat.open()
        try:
            await chat.say("can I talk to a person")
            asked = joined(await chat.messages())
            assert "front desk" in asked and "988" in asked
            item = open_item_for(chat.session_id, desk.db)
            assert item is not None and item.channel == "socketio"

            claim(item.id, STAFF[0], desk.db)
            await desk.rasa.start_takeover(chat.session_id, STAFF[1])
            assert STAFF_JOINED in joined(await chat.messages())

            await chat.say("what are the side effects")
            assert await chat.messages(expect_any=False) == []  # relayed: the assistant stays quiet

            await desk.rasa.send_staff_message(chat.session_id, "Hi, Dana here. <script>x</script> Happy to help.")
            pushed = await chat.messages()
            assert [m.get("text") for m in pushed] == ["Hi, Dana here. <script>x</script> Happy to help."]

            await chat.say("i want to kill myself")
            crisis = await chat.messages()
            assert "988" in crisis[0]["text"] and "911" in crisis[0]["text"]
            assert {"tel:988", "sms:988", "tel:911"} <= payloads(crisis[:1])
            assert crisis[-1]["text"] == "Are you safe right now?"
            assert open_item_for(chat.session_id, desk.db).priority == "urgent"

            await chat.say("/safe_now")
            assert "glad you're safe" in joined(await chat.messages())

            release(item.id, STAFF[0], desk.db)
            await desk.rasa.end_takeover(chat.session_id)
            returned = await chat.messages()
            assert "handed this chat back" in joined(returned)
            assert "/book_consultation" in payloads(returned)

            await chat.say("what are the side effects")
            assert "dreamlike" in joined(await chat.messages())
            close(item.id, STAFF[0], desk.db)
        finally:
            await chat.close()

    asyncio.run(scenario())


def test_in_the_web_chat_a_crisis_only_the_model_reads_is_answered_even_during_a_takeover(hstack):
    desk = Desk(hstack)

    async def scenario() -> None:
        chat = WebChat(hstack.rasa_url)
        await chat.open()
        try:
            await chat.say("I was in a really bad car accident back in 2015")
            assert "You don't need to share any details here." in joined(await chat.messages())

            await chat.say("can I talk to a person")
            await chat.messages()
            item = open_item_for(chat.session_id, desk.db)
            claim(item.id, STAFF[0], desk.db)
            await desk.rasa.start_takeover(chat.session_id, STAFF[1])
            await chat.messages()

            await chat.say("i want to f***ing die")
            crisis = await chat.messages()
            assert "988" in crisis[0]["text"] and "911" in crisis[0]["text"]
            assert crisis[-1]["text"] == "Are you safe right now?"
            release(item.id, STAFF[0], desk.db)
            await desk.rasa.end_takeover(chat.session_id)
            close(item.id, STAFF[0], desk.db)
        finally:
            await chat.close()

    asyncio.run(scenario())


def test_in_the_web_chat_a_huge_message_gets_a_request_for_shorter_ones(hstack):
    async def scenario() -> str:
        chat = WebChat(hstack.rasa_url)
        await chat.open()
        try:
            await chat.say("what does a consultation involve and how long is it " * 4_000)
            return joined(await chat.messages())
        finally:
            await chat.close()

    said = asyncio.run(scenario())
    assert "too long for me to read" in said and "988" in said


MADE_UP_ID = "0123456789abcdef0123456789abcdef"


def test_the_server_issues_the_session_id_and_refuses_messages_under_any_other(hstack):
    async def scenario() -> None:
        chat = WebChat(hstack.rasa_url)
        chat.session_id = MADE_UP_ID  # an id the person's browser (or anyone) made up
        await chat.open()
        try:
            issued = chat.session_id
            assert issued != MADE_UP_ID and issued.startswith(tuple("0123456789abcdef")) and issued.count(".") == 1
            token = issued.split(".")[0]
            for other in (MADE_UP_ID, "sms-3f9a0c1d2e", f"{token}.{'0' * 32}"):
                await chat.client.emit("user_uttered", {"message": "hello", "session_id": other})
            assert await chat.messages(expect_any=False) == []  # none of the three was answered
            await chat.say("hello")
            assert "automated" in joined(await chat.messages())
        finally:
            await chat.close()

    asyncio.run(scenario())


def test_another_connection_cannot_write_into_a_conversation_it_was_not_given(hstack):
    async def scenario() -> None:
        first, second = WebChat(hstack.rasa_url), WebChat(hstack.rasa_url)
        await first.open()
        await second.open()
        try:
            await second.client.emit("user_uttered", {"message": "hello", "session_id": first.session_id})
            heard = await asyncio.gather(second.messages(expect_any=False), first.messages(expect_any=False))
            assert heard == [[], []]
        finally:
            await first.close()
            await second.close()

    asyncio.run(scenario())


def test_starting_over_leaves_the_previous_conversation(hstack):
    desk = Desk(hstack)

    async def scenario() -> None:
        chat = WebChat(hstack.rasa_url)
        await chat.open()
        try:
            await chat.say("hello")
            await chat.messages()
            previous = chat.session_id
            chat.confirmed.clear()
            await chat.client.emit("session_request", {"session_id": None})  # what "Start over" sends
            await asyncio.wait_for(chat.confirmed.wait(), timeout=30)
            assert chat.session_id != previous
            await desk.rasa.send_staff_message(previous, "A message for the person before you")
            assert await chat.messages(expect_any=False) == []
        finally:
            await chat.close()

    asyncio.run(scenario())
