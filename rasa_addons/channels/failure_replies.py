"""Failures inside the Rasa server become a clear message to the person, never silence.

Two places can fail while a message is handled:

- The whole turn: the conversation store is unreachable (TrackerStorageUnavailable) or Rasa
  raises. `reply_on_failure` wraps the `on_new_message` every channel of this project hands to
  Rasa, so the person is told what happened and where help is, on the web, socket.io and SMS.
  A message the risk detector reads as a crisis first gets its crisis reply from domain.yml, as
  it would have with every part up. The log line names the failure only, never the text.
- One custom action: the action server is down or an action raised. Rasa logs it and carries
  on with the action's events lost, so the person would see nothing. `install` wraps Rasa's
  RemoteAction so the first such failure of a turn also sends the step-failed message. The
  actions that only record a crisis for the front desk stay silent to the person: the crisis
  reply, which is in domain.yml and needs no action server, has already gone out, and an apology
  after it would bury it; their failure is logged as an error for the clinic to see.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, List, Optional

import yaml

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import OutputChannel, UserMessage

from intake.outage_replies import message_failed_reply, step_failed_reply, storage_unavailable_reply
from intake.paths import PROJECT_ROOT
from intake.safety.detector import detect_risk
from intake.settings import settings
from rasa_addons.stores.private_tracker_store import TrackerStorageUnavailable

logger = logging.getLogger(__name__)
SILENT_ON_FAILURE = frozenset({"action_record_crisis", "action_record_not_safe"})
_TOLD = "_intake_failure_told"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def reply_on_failure(on_new_message: OnNewMessage) -> OnNewMessage:
    """`on_new_message` that answers a failed turn with a clear message instead of raising."""

    async def handle(message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except TrackerStorageUnavailable:
            logger.error("a message was not handled: the conversation store is unreachable")
            await _crisis_reply_if_needed(message)
            await _tell(message.output_channel, message.sender_id, storage_unavailable_reply(settings().clinic))
        except Exception as error:  # noqa: BLE001 - the person must get an answer whatever failed
            logger.error("a message was not handled: %s", type(error).__name__)
            await _crisis_reply_if_needed(message)
            await _tell(message.output_channel, message.sender_id, message_failed_reply(settings().clinic))

    return handle


async def _crisis_reply_if_needed(message: UserMessage) -> None:
    """The crisis reply the assistant gives this message, when the risk detector finds a crisis."""
    finding = detect_risk(message.text or "")
    reply = crisis_reply(finding.category, message.input_channel) if finding else None
    if reply:
        await message.output_channel.send_response(message.sender_id, reply)


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


async def _tell(output: OutputChannel, recipient: str, text: str) -> None:
    """Send `text` once per turn (several failures of one turn give one message)."""
    if getattr(output, _TOLD, False):
        return
    setattr(output, _TOLD, True)
    await output.send_text_message(recipient, text)


def install() -> None:
    """Wrap RemoteAction.run once per process (see the module docstring)."""
    if getattr(RemoteAction.run, "_intake_wrapped", False):
        return
    run_remote = RemoteAction.run

    async def run_or_say_so(self: RemoteAction, output_channel: OutputChannel, nlg: Any, tracker: Any,
                            domain: Any) -> List[Any]:
        try:
            return await run_remote(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:  # a form's answer refused by its validation: not a failure
            raise
        except Exception as error:
            if self.name() in SILENT_ON_FAILURE:
                logger.error("%s failed (%s): the front desk was not alerted by the assistant",
                             self.name(), type(error).__name__)
            else:
                await _tell(output_channel, tracker.sender_id, step_failed_reply(settings().clinic))
            raise

    run_or_say_so._intake_wrapped = True  # type: ignore[attr-defined]
    RemoteAction.run = run_or_say_so  # type: ignore[assignment]
