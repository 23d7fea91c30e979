"""Every channel reads at most `limits.max_message_chars` of one message (intake.message_limits).

Wraps the `on_new_message` each channel hands to Rasa, outside the turn queue: an overlong
message is searched for a risk off the event loop, so other conversations go on meanwhile, and
only the part that reads as a risk reaches the assistant; with none, the person is asked for
shorter messages and nothing else runs.
"""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from intake.message_limits import max_message_chars, model_parts, part_to_answer, too_long_reply
from intake.safety.detector import default_detector
from rasa_addons.channels.reply_language import language_to_tell
from rasa_addons.safety_guard import crisis_category

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def decision_reads_risk(text: str) -> bool:
    """The full safety decision reads `text` as a risk (a crisis or the check-in)."""
    return crisis_category(text) is not None


def _patterns_read_risk(text: str) -> bool:
    return default_detector().detect(text) is not None


def within_length(on_new_message: OnNewMessage) -> OnNewMessage:
    """`on_new_message` for messages of a readable length; an overlong one as described above."""

    async def handle(message: UserMessage) -> Any:
        limit = max_message_chars()
        if len(message.text or "") <= limit:
            return await on_new_message(message)
        part = await asyncio.to_thread(part_to_answer, message.text, limit, decision_reads_risk,
                                       _patterns_read_risk, model_parts())
        if part is None:
            language = language_to_tell(message.sender_id, message.text)
            await message.output_channel.send_text_message(message.sender_id, too_long_reply(limit, language))
            return None
        message.text = part
        return await on_new_message(message)

    return handle
