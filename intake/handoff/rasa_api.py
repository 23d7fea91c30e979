"""The web app's only way to reach a conversation: Rasa's HTTP API, with its token.

The console never touches the tracker store or a channel directly. Taking a conversation over,
writing to the person and handing it back are tracker events and responses run through
Rasa's HTTP API, with `output_channel=latest`, so the message reaches the person on the channel
they last wrote from (socket.io: pushed live; SMS: texted through Twilio; REST has no push
channel: a REST client reads the staff message from the tracker).

Each change starts by executing `action_listen`: like a message, that starts a new session when
the old one expired (an item may be claimed the next morning), so the session's reset of the
slots happens before the takeover's slots are set, not after. Responses run with `/execute`
are followed by an `action_listen` event: `/execute` does not
add one, and without it the person's next message would not look like an answer to a question
(Rasa's rules expect a user turn to follow action_listen). A staff message is appended in ONE
request (slot, action, bot message, action_listen) with `execute_side_effects`, so it is sent and
recorded atomically and no message of the person's can fall between its events.
"""
from __future__ import annotations

import asyncio
import os
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp

from intake.handoff.transcript import STAFF_ACTION, TranscriptLine, lines_from_tracker
from intake.nlp import PROJECT_ROOT

DEFAULT_RASA_URL = "http://localhost:5005"
TOKEN_FILE = PROJECT_ROOT / "var" / "rasa_token"
MAX_STAFF_MESSAGE_CHARS = 2000
TIMEOUT = aiohttp.ClientTimeout(total=30)


class RasaUnavailable(Exception):
    """Rasa could not be reached, or refused the request."""


def _slot(name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


LISTEN = {"event": "action", "name": "action_listen"}


class RasaConversations:
    """Talks to one Rasa server about conversations. Pass an aiohttp session to share a pool;
    otherwise each call opens its own, and nothing has to be closed."""

    def __init__(self, base_url: str, token: str, session: Optional[aiohttp.ClientSession] = None) -> None:
        if not token:
            raise ValueError("Rasa's HTTP API needs its token (RASA_TOKEN)")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = session

    @classmethod
    def from_environment(cls) -> "RasaConversations":
        """INTAKE_RASA_URL (default http://localhost:5005) and RASA_TOKEN, else var/rasa_token
        (the token `make run` generates)."""
        token = os.environ.get("RASA_TOKEN") or ""
        if not token and TOKEN_FILE.is_file():
            token = TOKEN_FILE.read_text(encoding="utf-8").strip()
        return cls(os.environ.get("INTAKE_RASA_URL") or DEFAULT_RASA_URL, token)

    # -- HTTP ------------------------------------------------------------------------------------
    def _url(self, conversation_id: str, path: str) -> str:
        return f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{path}"

    async def _request(self, method: str, url: str, params: Optional[Dict[str, str]] = None,
                       body: Any = None) -> Any:
        query = {"token": self.token, **(params or {})}
        try:
            if self.session is not None:
                return await self._send(self.session, method, url, query, body)
            async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
                return await self._send(session, method, url, query, body)
        except aiohttp.ClientError as error:
            raise RasaUnavailable(f"Rasa at {self.base_url} could not be reached ({type(error).__name__})") from error
        except asyncio.TimeoutError as error:
            raise RasaUnavailable(f"Rasa at {self.base_url} did not answer in time") from error

    @staticmethod
    async def _send(session: aiohttp.ClientSession, method: str, url: str, query: Dict[str, str], body: Any) -> Any:
        async with session.request(method, url, params=query, json=body, timeout=TIMEOUT) as response:
            if response.status >= 300:
                # The path (not the query, which holds the token) says which call failed.
                raise RasaUnavailable(f"Rasa refused {method} {response.url.path}: HTTP {response.status}")
            return await response.json(content_type=None)

    async def _append(self, conversation_id: str, events: List[Dict[str, Any]], send: bool = False) -> Any:
        params = {"output_channel": "latest", "execute_side_effects": "true"} if send else {}
        return await self._request("POST", self._url(conversation_id, "tracker/events"), params, events)

    async def _say(self, conversation_id: str, response_name: str) -> None:
        """Run a response on the person's latest channel, then listen (see the module docstring)."""
        await self._request("POST", self._url(conversation_id, "execute"), {"output_channel": "latest"},
                            {"name": response_name})
        await self._append(conversation_id, [LISTEN])

    # -- reading ---------------------------------------------------------------------------------
    async def tracker(self, conversation_id: str) -> Dict[str, Any]:
        return await self._request("GET", self._url(conversation_id, "tracker"), {"include_events": "AFTER_RESTART"})

    async def transcript(self, conversation_id: str) -> List[TranscriptLine]:
        return lines_from_tracker(await self.tracker(conversation_id))

    # -- takeover --------------------------------------------------------------------------------
    async def _touch(self, conversation_id: str) -> Dict[str, Any]:
        """Bring the conversation's session up to date (see the module docstring); its tracker."""
        answer = await self._request("POST", self._url(conversation_id, "execute"), {"output_channel": "latest"},
                                     {"name": "action_listen"})
        return (answer or {}).get("tracker") or {}

    async def _hold_events(self, conversation_id: str) -> List[Dict[str, Any]]:
        """The events that put the conversation in a staff member's hands: relaying on, and a
        form in progress left (its answers stay), so no question waits for an answer meanwhile."""
        tracker = await self._touch(conversation_id)
        events = [_slot("handoff_active", True)]
        if (tracker.get("active_loop") or {}).get("name"):
            events += [{"event": "active_loop", "name": None}, _slot("requested_slot", None)]
        return events

    async def start_takeover(self, conversation_id: str, staff_display_name: str) -> None:
        """"<name> from the front desk has joined this chat", on the person's channel."""
        name = " ".join((staff_display_name or "").split()) or "Someone"
        events = await self._hold_events(conversation_id)
        await self._append(conversation_id, events + [_slot("handoff_staff_name", name)])
        await self._say(conversation_id, "utter_handoff_claimed")

    async def send_staff_message(self, conversation_id: str, text: str) -> None:
        """The staff member's message, exactly as written, on the person's channel. Relaying is
        switched on again as well, in case the conversation's session expired meanwhile."""
        text = (text or "").strip()
        if not text:
            raise ValueError("an empty message is not sent")
        if len(text) > MAX_STAFF_MESSAGE_CHARS:
            raise ValueError(f"a message is at most {MAX_STAFF_MESSAGE_CHARS} characters")
        events = await self._hold_events(conversation_id)
        events += [
            _slot("handoff_staff_reply", text),
            {"event": "action", "name": STAFF_ACTION},
            {"event": "bot", "text": text, "metadata": {"utter_action": STAFF_ACTION}},
            LISTEN,
        ]
        await self._append(conversation_id, events, send=True)

    async def end_takeover(self, conversation_id: str) -> None:
        """Hand the conversation back: the assistant answers again, and says so."""
        await self._touch(conversation_id)
        await self._append(conversation_id, [_slot("handoff_active", False), _slot("handoff_staff_reply", None)])
        await self._say(conversation_id, "utter_handoff_returned")
