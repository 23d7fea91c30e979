"""A turn that fails inside the Rasa server becomes a clear message to the person, never silence.

The conversation store unreachable (TrackerStorageUnavailable) or Rasa raising: `reply_on_failure`
wraps the `on_new_message` every channel of this project hands to Rasa, so the person is told
what happened and where help is, on the web, socket.io and SMS. A message the safety decision
reads as a crisis first gets its crisis reply from domain.yml, as it would have with every part up
(a check-in, which cannot wait for its answer here, gets the suicide crisis reply's resources). The
log line names the failure only, never the text. A failing custom action is answered by
rasa_addons.runtime.remote_actions, with `tell_once` so that a turn gets one such message.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, List, Optional

import yaml
from rasa.core.channels.channel import UserMessage

from intake.outage_replies import message_failed_reply, storage_unavailable_reply
from intake.paths import PROJECT_ROOT
from intake.settings import Clinic, settings
from rasa_addons.runtime.once_per_turn import tell_once
from rasa_addons.safety_guard import crisis_category
from rasa_addons.stores.private_tracker_store import TrackerStorageUnavailable

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def reply_on_failure(on_new_message: OnNewMessage) -> OnNewMessage:
    """`on_new_message` that answers a failed turn with a clear message instead of raising."""

    async def handle(message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except TrackerStorageUnavailable:
            await _answer_failed_turn(message, "the conversation store is unreachable", storage_unavailable_reply)
        except Exception as error:  # noqa: BLE001 - the person must get an answer whatever failed
            await _answer_failed_turn(message, type(error).__name__, message_failed_reply)

    return handle


async def _answer_failed_turn(message: UserMessage, failure: str, reply_for: Callable[[Clinic], str]) -> None:
    """Log the kind of failure (never the text); send the crisis reply the message calls for, if
    any, then the outage message."""
    logger.error("a message was not handled: %s", failure)
    category = crisis_category(message.text or "")
    reply = crisis_reply(category, message.input_channel) if category else None
    if reply:
        await message.output_channel.send_response(message.sender_id, reply)
    await tell_once(message.output_channel, message.sender_id, reply_for(settings().clinic))


def crisis_reply(category: str, channel: Optional[str]) -> Optional[Dict[str, Any]]:
    """`utter_crisis_<category>` of domain.yml in the variant for `channel` (else the default)."""
    variants = _domain_responses().get(f"utter_crisis_{category}") or []
    chosen = next((v for v in variants if v.get("channel") == channel), None) or next(
        (v for v in variants if not v.get("channel")), None)
    return {key: value for key, value in chosen.items() if key != "channel"} if chosen else None


@lru_cache(maxsize=1)
def _domain_responses() -> Dict[str, List[Dict[str, Any]]]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain.get("responses") or {}
