"""The guards every channel of this project puts around Rasa's turn, in one place, outermost first:

- `within_rate` (message_rate): a conversation over its message rate is told so and not read,
  unless the message reads as a risk;
- `within_length` (message_length): an overlong message is searched for a risk, not read whole;
- `reply_on_failure` (failure_replies): a failed turn gets a clear message, and a crisis message
  its crisis reply by `limits.crisis_reply_seconds` whatever its turn waits for;
- `in_turn` (rasa_addons.runtime.turn_queue): a few turns at once per process, a crisis first.
"""
from __future__ import annotations

from typing import Optional

from rasa_addons.channels.failure_replies import DeliverLate, OnNewMessage, reply_on_failure
from rasa_addons.channels.message_length import within_length
from rasa_addons.channels.message_rate import within_rate
from rasa_addons.runtime.turn_queue import in_turn


def guarded(on_new_message: OnNewMessage, deliver_late: Optional[DeliverLate] = None,
            reply_once_a_minute: bool = False) -> OnNewMessage:
    """`on_new_message` behind every guard. `deliver_late` sends the rest of a turn whose crisis
    reply went ahead, on a channel that collects replies and can still send (SMS);
    `reply_once_a_minute` tells a flooding conversation once a minute (SMS, where a reply costs a text)."""
    return within_rate(within_length(reply_on_failure(in_turn(on_new_message), deliver_late=deliver_late)),
                       reply_once_a_minute=reply_once_a_minute)
