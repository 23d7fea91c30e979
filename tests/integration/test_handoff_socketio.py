"""The front-desk handoff for a person in the web chat (socket.io, as the widget talks to Rasa:
session_request with a session id, then user_uttered; session_persistence as credentials.yml
sets it). The staff member's message is pushed to the open chat live, through Rasa's HTTP API
with output_channel=latest; nothing has to be fetched.

This module starts its own stack.
"""
from __future__ import annotations

import asyncio
import uuid
from typing import Any, Dict, List

import pytest
import socketio

from intake.handoff import claim, close, open_item_for, release
from tests.support.handoff import STAFF, STAFF_JOINED, Desk
from tests.support.stack import RasaStack, start_stack

REPLY_TIMEOUT_S = 60
QUIET_S = 2.0


@pytest.fixture(scope="module")
def hstack(tmp_path_factory) -> RasaStack:
    running = start_stack(tmp_path_factory.mktemp("handoff_socketio"))
    yield running
    running.stop_all()


class WebChat:
    """One person's chat window: a socket.io connection with a persistent session id."""

    def __init__(self, rasa_url: str) -> None:
        self.rasa_url = rasa_url
        self.session_id = uuid.uuid4().hex
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue = asyncio.Queue()
        self.confirmed = asyncio.Event()
        self.client.on("bot_uttered", self._on_bot)
        self.client.on("session_confirm", self._on_confirm)

    async def _on_bot(self, data: Dict[str, Any]) -> None:
        await self.received.put(data)

    async def _on_confirm(self, *_: Any) -> None:
        self.confirmed.set()

    async def open(self) -> None:
        await self.client.connect(self.rasa_url, transports=["websocket"], socketio_path="/socket.io")
        await self.client.emit("session_request", {"session_id": self.session_id})
        await asyncio.wait_for(self.confirmed.wait(), timeout=30)

    async def close(self) -> None:
        await self.client.disconnect()

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})

    async def messages(self, expect_any: bool = True) -> List[Dict[str, Any]]:
        """What arrives until the chat is quiet for QUIET_S; waits up to REPLY_TIMEOUT_S for the first."""
        got: List[Dict[str, Any]] = []
        timeout = REPLY_TIMEOUT_S if expect_any else QUIET_S * 2
        while True:
            try:
                got.append(await asyncio.wait_for(self.received.get(), timeout=timeout))
            except asyncio.TimeoutError:
                return got
            timeout = QUIET_S


def joined(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def payloads(messages: List[Dict[str, Any]]) -> set:
    """Button payloads, as Rasa's socket.io channel sends them (quick_replies)."""
    return {b["payload"] for m in messages for b in (m.get("quick_replies") or m.get("buttons") or [])}


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
