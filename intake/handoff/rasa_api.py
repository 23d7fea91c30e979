"""The web app's only way to reach a conversation: Rasa's HTTP API, with its token.

The console never touches the tracker store or a channel directly. Taking a conversation over,
writing to the person and handing it back are each ONE request appending tracker events
(`POST /conversations/{id}/tracker/events`) with `execute_side_effects=true` and
`output_channel=latest`: Rasa records the events and sends the bot message to the channel the
person last wrote from (socket.io: pushed live; SMS: texted through Twilio, never to a number
that opted out; REST has no push channel: a REST client reads the staff message from the tracker).

Why events and not `/execute`:

- What the desk says is a bot message (BotUttered) without an action. Rasa's policies build the
  dialogue state from actions only, so a desk message never changes what the assistant
  understands next. This matters for safety: a person asked "are you safe right now?" who answers
  "no" after the desk has joined or written must still get the crisis protocol's reply, and the
  rule for that answer only matches when the safety question is the last action before it.
- One request is atomic under Rasa's conversation lock: no message of the person's can fall
  between the slot change and the bot message.
- A request that carries a bot message first starts a new session when the old one expired (an
  item may be claimed the next morning), so the session's reset of the slots happens before the
  takeover's slots are set, not after.

The texts are the domain's responses (`utter_handoff_claimed`, `utter_handoff_returned`), read
from `GET /domain` and chosen by channel as Rasa does (the variant for the channel, else the
default); a staff message is sent exactly as written, marked `utter_action: utter_staff_reply`
so the transcript shows it as the staff member's.
"""
from __future__ import annotations

import asyncio
import os
import re
from typing import Any, Dict, List, Mapping, Optional
from urllib.parse import quote

import aiohttp

from intake.conversation_ids import channel_by_id
from intake.handoff.rasa_auth import auth_headers
from intake.handoff.transcript import STAFF_ACTION, TranscriptLine, lines_from_tracker
from intake.paths import PROJECT_ROOT
from intake.sms.not_delivered import TEXT_NOT_DELIVERED

DEFAULT_RASA_URL = "http://localhost:5005"
TOKEN_FILE = PROJECT_ROOT / "var" / "rasa_token"
MAX_STAFF_MESSAGE_CHARS = 2000
TIMEOUT = aiohttp.ClientTimeout(total=30)
CLAIMED, RETURNED = "utter_handoff_claimed", "utter_handoff_returned"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class RasaUnavailable(Exception):
    """Rasa could not be reached, or refused the request."""


class NotDelivered(RasaUnavailable):
    """Rasa took the message but the person's channel could not deliver it (a text Twilio refused):
    nothing was recorded, and the console must not say "Sent."."""


def _slot(name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def _bot(text: str, response_name: str, buttons: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    data = {"buttons": buttons} if buttons else {}
    return {"event": "bot", "text": text, "data": data, "metadata": {"utter_action": response_name}}


def choose_variant(variants: List[Mapping[str, Any]], channel: Optional[str]) -> Mapping[str, Any]:
    """Rasa's choice: a variant for this channel if there is one, else one without a channel."""
    for variant in variants:
        if channel and variant.get("channel") == channel:
            return variant
    for variant in variants:
        if not variant.get("channel"):
            return variant
    raise ValueError("the response has no variant for this channel and no default")


def fill(text: str, values: Mapping[str, Any]) -> str:
    """Put slot values into a response's {placeholders} (unknown ones are left as they are)."""
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


class RasaConversations:
    """Talks to one Rasa server about conversations. Pass an aiohttp session to share a pool;
    otherwise each call opens its own, and nothing has to be closed."""

    def __init__(self, base_url: str, token: str, session: Optional[aiohttp.ClientSession] = None) -> None:
        if not token:
            raise ValueError("Rasa's HTTP API needs its token (RASA_TOKEN)")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = session
        self._responses: Optional[Dict[str, List[Dict[str, Any]]]] = None

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
        query = dict(params or {})  # never the secret: it signs a header (intake.handoff.rasa_auth)
        try:
            if self.session is not None:
                return await self._send(self.session, method, url, query, body)
            async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
                return await self._send(session, method, url, query, body)
        except aiohttp.ClientError as error:
            raise RasaUnavailable(f"Rasa at {self.base_url} could not be reached ({type(error).__name__})") from error
        except asyncio.TimeoutError as error:
            raise RasaUnavailable(f"Rasa at {self.base_url} did not answer in time") from error

    async def _send(self, session: aiohttp.ClientSession, method: str, url: str, query: Dict[str, str],
                    body: Any) -> Any:
        headers = {"Accept": "application/json", **auth_headers(self.token)}
        async with session.request(method, url, params=query, json=body, timeout=TIMEOUT,
                                   headers=headers) as response:
            if response.status >= 300:
                if TEXT_NOT_DELIVERED in await response.text():
                    raise NotDelivered("The text message was not delivered (Twilio refused it or could not be "
                                       "reached), so it is not in the transcript.")
                # The path says which call failed.
                raise RasaUnavailable(f"Rasa refused {method} {response.url.path}: HTTP {response.status}")
            return await response.json(content_type=None)

    async def _append_and_send(self, conversation_id: str, events: List[Dict[str, Any]]) -> None:
        """Record `events` and send their bot messages, atomically, on the channel the conversation
        lives on (channel_by_id), else on the person's latest channel."""
        channel = channel_by_id(conversation_id) or "latest"
        await self._request("POST", self._url(conversation_id, "tracker/events"),
                            {"output_channel": channel, "execute_side_effects": "true"}, events)

    async def _response(self, name: str, channel: Optional[str], values: Mapping[str, Any]) -> Dict[str, Any]:
        """A domain response as a bot event, for this channel, with its placeholders filled."""
        if self._responses is None:
            domain = await self._request("GET", f"{self.base_url}/domain")
            self._responses = dict((domain or {}).get("responses") or {})
        variant = choose_variant(self._responses.get(name) or [], channel)
        return _bot(fill(variant.get("text") or "", values), name, variant.get("buttons"))

    # -- reading ---------------------------------------------------------------------------------
    async def tracker(self, conversation_id: str) -> Dict[str, Any]:
        return await self._request("GET", self._url(conversation_id, "tracker"), {"include_events": "AFTER_RESTART"})

    async def transcript(self, conversation_id: str) -> List[TranscriptLine]:
        return lines_from_tracker(await self.tracker(conversation_id))

    async def _channel(self, conversation_id: str) -> Optional[str]:
        return channel_by_id(conversation_id) or (await self.tracker(conversation_id)).get("latest_input_channel")

    # -- takeover --------------------------------------------------------------------------------
    @staticmethod
    def _hold_events() -> List[Dict[str, Any]]:
        """Relaying on, and any form in progress left (its answers stay), so no form question
        waits for an answer while the desk holds the conversation."""
        return [_slot("handoff_active", True), {"event": "active_loop", "name": None}, _slot("requested_slot", None)]

    async def start_takeover(self, conversation_id: str, staff_display_name: str) -> None:
        """"<name> from the front desk has joined this chat", on the person's channel."""
        name = " ".join((staff_display_name or "").split()) or "Someone"
        joined = await self._response(CLAIMED, await self._channel(conversation_id), {"handoff_staff_name": name})
        await self._change_and_tell(conversation_id, [*self._hold_events(), _slot("handoff_staff_name", name)], joined)

    async def send_staff_message(self, conversation_id: str, text: str) -> None:
        """The staff member's message, exactly as written, on the person's channel. Relaying is
        switched on again with it, in case the conversation's session expired meanwhile."""
        text = (text or "").strip()
        if not text:
            raise ValueError("an empty message is not sent")
        if len(text) > MAX_STAFF_MESSAGE_CHARS:
            raise ValueError(f"a message is at most {MAX_STAFF_MESSAGE_CHARS} characters")
        await self._append_and_send(conversation_id, [*self._hold_events(), _slot("handoff_staff_reply", text),
                                                      _bot(text, STAFF_ACTION)])

    async def end_takeover(self, conversation_id: str) -> None:
        """Hand the conversation back: the assistant answers again, and says so."""
        returned = await self._response(RETURNED, await self._channel(conversation_id), {})
        await self._change_and_tell(conversation_id, [_slot("handoff_active", False),
                                                      _slot("handoff_staff_reply", None)], returned)

    async def _change_and_tell(self, conversation_id: str, changes: List[Dict[str, Any]],
                               notice: Dict[str, Any]) -> None:
        """The takeover's slot changes with the notice to the person. A notice the person's channel
        could not deliver (a text Twilio refused) does not stop the change, which a crisis may
        need (a close, a hand-back): the changes are recorded without it, and NotDelivered says so."""
        try:
            await self._append_and_send(conversation_id, [*changes, notice])
        except NotDelivered:
            await self._request("POST", self._url(conversation_id, "tracker/events"),
                                {"execute_side_effects": "false"}, changes)
            raise NotDelivered("The change was made, but the text telling the person could not be delivered "
                               "(Twilio refused it or could not be reached).") from None
