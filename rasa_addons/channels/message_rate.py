"""Every channel holds a conversation, and an address, to `limits.messages_per_minute_*`
(intake.rate_limits, which says why and how they are counted).

A message over a limit is answered with a short reply (with 988 and 911) and not read, unless it
reads as a risk: then it goes on to the assistant like any other, so a person in crisis is never
told to wait. The risk is read off the event loop, on at most `limits.max_message_chars`.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage

from intake.message_limits import max_message_chars
from intake.rate_limits import SlidingWindow, rate_limits, slow_down_reply
from rasa_addons.channels.message_length import decision_reads_risk
from rasa_addons.channels.reply_language import language_to_tell

logger = logging.getLogger(__name__)
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
_windows: Dict[str, SlidingWindow] = {}


def _window(kind: str) -> SlidingWindow:
    if kind not in _windows:
        limits = rate_limits()
        _windows[kind] = SlidingWindow(limits.per_conversation if kind == "conversation" else limits.per_address)
    return _windows[kind]


async def held_back(kind: str, key: Optional[str], text: Any) -> bool:
    """True when this message must not be read: its conversation or address ("conversation",
    "address"; None: not counted) is over the limit and the message does not read as a risk."""
    if key is None or _window(kind).allow(key):
        return False
    readable = isinstance(text, str) and text.strip()
    if readable and await asyncio.to_thread(decision_reads_risk, text[:max_message_chars()]):
        logger.warning("a message over the %s limit reads as a risk: it is answered", kind)
        return False
    logger.warning("a message over the %s limit was not read", kind)
    return True


def within_rate(on_new_message: OnNewMessage, reply_once_a_minute: bool = False) -> OnNewMessage:
    """`on_new_message` for a conversation within its limit (or a message that reads as a risk).
    `reply_once_a_minute`: a conversation over its limit is told so once a minute, not for every
    message (SMS, where each reply is a text the clinic pays for and a flood would become one)."""
    told = SlidingWindow(limit=1)

    async def handle(message: UserMessage) -> Any:
        if await held_back("conversation", message.sender_id or "", message.text):
            if not reply_once_a_minute or told.allow(message.sender_id or ""):
                language = language_to_tell(message.sender_id, message.text)
                await message.output_channel.send_text_message(message.sender_id, slow_down_reply(language))
            return None
        return await on_new_message(message)

    return handle
