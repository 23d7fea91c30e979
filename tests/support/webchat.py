"""A person's web chat as the widget opens it: socket.io with a persistent session id
(session_request, then user_uttered; session_persistence as credentials.yml sets it)."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import socketio

REPLY_TIMEOUT_S = 60
QUIET_S = 2.0


class WebChat:
    """One person's chat window: a socket.io connection with a persistent session id."""

    def __init__(self, rasa_url: str, headers: Optional[Dict[str, str]] = None) -> None:
        self.rasa_url = rasa_url
        self.headers = dict(headers or {})  # e.g. X-Forwarded-For, as a proxy in front would add
        self.session_id: Optional[str] = None  # issued by the server in session_confirm
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue = asyncio.Queue()
        self.confirmed = asyncio.Event()
        self.client.on("bot_uttered", self._on_bot)
        self.client.on("session_confirm", self._on_confirm)

    async def _on_bot(self, data: Dict[str, Any]) -> None:
        await self.received.put(data)

    async def _on_confirm(self, session_id: Any = None, *_: Any) -> None:
        """The server issues the session id (intake.web_sessions): the chat keeps the one it got."""
        if isinstance(session_id, str):
            self.session_id = session_id
        self.confirmed.set()

    async def open(self) -> None:
        await self.client.connect(self.rasa_url, transports=["websocket"], socketio_path="/socket.io",
                                  headers=self.headers)
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
