"""A turn that fails or hangs inside the Rasa server: a clear message to the person, never silence,
and a crisis reply that never waits.

The conversation store unreachable (TrackerStorageUnavailable) or Rasa raising: `reply_on_failure`
wraps the `on_new_message` every channel of this project hands to Rasa, so the person is told
what happened and where help is, on the web, socket.io and SMS. A message the safety decision
reads as a crisis first gets its crisis reply from domain.yml, as it would have with every part up
(a check-in, which cannot wait for its answer here, gets the suicide crisis reply's resources), in
the message's own language (intake.language: the conversation's is not at hand there). The
log line names the failure only, never the text. A failing custom action is answered by
rasa_addons.runtime.remote_actions, with `tell_once` so that a turn gets one such message.

A turn still running after `limits.crisis_reply_seconds` (a database that does not answer, a
queue of turns ahead) is waited for only if the message is not a crisis. A crisis message gets its
crisis reply then and there and the channel answers with what was sent so far; the turn goes on
in the background, and what it says later reaches the person on channels that push (the web chat)
or through `deliver_late` (SMS); a REST client reads it from the conversation.
"""
from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, List, Optional

import yaml
from rasa.core.channels.channel import UserMessage

from intake.language import ENGLISH, LANGUAGES, language_of_message
from intake.outage_replies import message_failed_reply, storage_unavailable_reply
from intake.paths import PROJECT_ROOT
from intake.settings import Clinic, settings
from rasa_addons.channels.reply_language import language_to_tell
from rasa_addons.language_responses import responses_in
from rasa_addons.runtime.once_per_turn import mark, marked, tell_once
from rasa_addons.safety_guard import crisis_category
from rasa_addons.stores.private_tracker_store import TrackerStorageUnavailable

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
# (conversation id, bot messages) -> sends them on the conversation's channel
DeliverLate = Callable[[str, List[Dict[str, Any]]], Awaitable[Any]]
CRISIS_REPLY_SENT = "_intake_crisis_reply_sent"


def reply_on_failure(on_new_message: OnNewMessage, deliver_late: Optional[DeliverLate] = None) -> OnNewMessage:
    """`on_new_message` that answers a failed turn with a clear message instead of raising, and a
    crisis message by `limits.crisis_reply_seconds` whatever its turn waits for (module docstring)."""

    async def handle(message: UserMessage) -> None:
        turn = asyncio.ensure_future(_answered_turn(on_new_message, message))
        done, _ = await asyncio.wait({turn}, timeout=crisis_reply_seconds())
        if done:
            return turn.result()
        category = crisis_category(message.text or "")  # about a millisecond: on the loop
        if category is None:
            return await turn
        logger.error("a crisis message's turn was not done after %.1f s: its crisis reply went ahead",
                     crisis_reply_seconds())
        said_so_far = await _send_crisis_reply(message, category)
        turn.add_done_callback(lambda _: _deliver_the_rest(message, said_so_far, deliver_late))
        return None

    return handle


def crisis_reply_seconds() -> float:
    """How long a crisis message's turn is waited for before its crisis reply goes ahead."""
    return settings().crisis_reply_seconds


async def _answered_turn(on_new_message: OnNewMessage, message: UserMessage) -> None:
    try:
        await on_new_message(message)
    except TrackerStorageUnavailable:
        await _answer_failed_turn(message, "the conversation store is unreachable", storage_unavailable_reply)
    except Exception as error:  # noqa: BLE001 - the person must get an answer whatever failed
        await _answer_failed_turn(message, type(error).__name__, message_failed_reply)


async def _send_crisis_reply(message: UserMessage, category: str) -> int:
    """The crisis reply now, marked on the turn so that a failure reply does not repeat it; how
    many messages a collecting channel holds by then."""
    reply = crisis_reply(category, message.input_channel, language_to_tell(message.sender_id, message.text))
    if reply:
        await message.output_channel.send_response(message.sender_id, reply)
    mark(message.output_channel, CRISIS_REPLY_SENT)
    return len(getattr(message.output_channel, "messages", []) or [])


def _deliver_the_rest(message: UserMessage, said_so_far: int, deliver_late: Optional[DeliverLate]) -> None:
    """After a turn whose crisis reply went ahead: what it said since, for a collecting channel
    that can still send (SMS), without the crisis reply again."""
    collected = getattr(message.output_channel, "messages", None)
    if deliver_late is None or collected is None:
        return
    sent = {m.get("text") for m in collected[:said_so_far]}
    rest = [m for m in collected[said_so_far:] if m.get("text") not in sent]
    if rest:
        task = asyncio.ensure_future(deliver_late(message.sender_id, rest))
        task.add_done_callback(_log_failure)


def _log_failure(task: "asyncio.Future[Any]") -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("the rest of a turn whose crisis reply went ahead could not be sent: %s",
                     type(task.exception()).__name__)


async def _answer_failed_turn(message: UserMessage, failure: str, reply_for: Callable[[Clinic], str]) -> None:
    """Log the kind of failure (never the text); send the crisis reply the message calls for, if
    any and not sent ahead already, then the outage message."""
    logger.error("a message was not handled: %s", failure)
    category = crisis_category(message.text or "")
    language = language_to_tell(message.sender_id, message.text)
    reply = crisis_reply(category, message.input_channel, language) if category else None
    if reply and not marked(message.output_channel, CRISIS_REPLY_SENT):
        await message.output_channel.send_response(message.sender_id, reply)
    await tell_once(message.output_channel, message.sender_id, reply_for(settings().clinic, language))


def crisis_reply(category: str, channel: Optional[str], language: str = ENGLISH) -> Optional[Dict[str, Any]]:
    """`utter_crisis_<category>` in `language` (domain.yml, or responses/es.yml for Spanish) in
    the variant for `channel` (else the default)."""
    name = f"utter_crisis_{category}"
    variants = responses_in(language).get(name) or _domain_responses().get(name) or []
    chosen = next((v for v in variants if v.get("channel") == channel), None) or next(
        (v for v in variants if not v.get("channel")), None)
    return {key: value for key, value in chosen.items() if key != "channel"} if chosen else None


@lru_cache(maxsize=4)
def crisis_reply_texts(channel: Optional[str]) -> frozenset:
    """Every text of every crisis reply (utter_crisis_*) for `channel`, in every language."""
    texts = set()
    for responses in (_domain_responses(), *(responses_in(language) for language in LANGUAGES)):
        for name, variants in responses.items():
            if name.startswith("utter_crisis_"):
                texts |= {str(v.get("text") or "").strip() for v in variants if v.get("channel") == channel}
    return frozenset(texts - {""})


@lru_cache(maxsize=1)
def _domain_responses() -> Dict[str, List[Dict[str, Any]]]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain.get("responses") or {}
