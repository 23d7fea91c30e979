"""Rasa's remote (custom) actions, answered when they fail, never waited on for long, and
checked without waste.

Four changes to how Rasa calls the action server, installed once per Rasa server process by
`install()` (called where every server of this project loads its channels):

- A custom action has `actions.timeout_seconds` (config/clinic.yml, 10 s) to answer; Rasa alone
  waits 300 s, so an action server that accepts connections and never answers held the turn, and
  over REST and SMS the crisis reply with it. A late action is a failed one (below), and the
  turn's later actions fail at once rather than each waiting as long again.
- The actions that only record a crisis for the front desk hold the turn at most
  `actions.record_wait_seconds`: the crisis reply, a response in domain.yml, was sent before them,
  and the safety question that follows must not wait. An unfinished call goes on in the
  background (its events are then lost; what it records still reaches the desk) and a failure
  there is logged as an error.
- A custom action that fails (action server down, an action raised) sends the step-failed
  message, once per turn, instead of leaving the person with nothing: Rasa logs the failure and
  carries on with the action's events lost. The error Rasa logs is replaced by one that names
  the failure only: the original holds the action server's answer, which repeats the whole
  conversation. Actions that only record a crisis for the front desk stay silent to the person:
  the crisis reply, which is in domain.yml, has already gone out and an apology after it would
  bury it; their failure is logged as an error for the clinic.
- The action server's answer is checked against Rasa's response schema with a validator built
  once. Rasa calls `jsonschema.validate` for every answer, which first checks the schema itself
  against the JSON Schema meta-schema: profiling `make bench` showed that check taking about half
  of the Rasa server's time in a form-filling conversation. The check of the answer is the same.
- The request, which carries the whole conversation, is written as JSON by orjson instead of the
  standard library: profiling showed `json.dumps` of it taking about 7 % of the Rasa server's
  time, orjson takes a tenth of that. The JSON is the same data; what orjson cannot write (not
  the case for anything Rasa sends) is written by the standard library as before.
"""
from __future__ import annotations

import asyncio
import json
import logging
from functools import lru_cache
from typing import Any, Awaitable, Dict, List, Set, Text

import orjson
from jsonschema.validators import validator_for
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import OutputChannel
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from intake.outage_replies import step_failed_reply
from intake.settings import settings
from rasa_addons.language_responses import answered_in
from rasa_addons.runtime.once_per_turn import mark, marked, tell_once

logger = logging.getLogger(__name__)
SILENT_ON_FAILURE = frozenset({"action_record_crisis", "action_record_not_safe", "action_record_safety_unconfirmed"})


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Rasa's check of an action server answer, with the schema's validator built once."""
    _response_validator().validate(result)
    return True


# Marks a turn's output channel (one per turn) once an action has timed out: the turn's later
# actions fail at once instead of each waiting as long again.
_UNANSWERED_THIS_TURN = "_intake_action_server_unanswered"
# Record-only calls still running after their turn went on: kept so they are not collected.
_UNFINISHED_RECORDS: Set["asyncio.Task[Any]"] = set()


def action_waits() -> tuple:
    """(seconds any custom action may take, seconds a record-only action may hold the turn)."""
    section = settings().section("actions")
    return float(section.get("timeout_seconds", 10)), float(section.get("record_wait_seconds", 1))


async def _without_holding_the_turn(name: str, call: "asyncio.Task[Any]", hold: float) -> List[Any]:
    """The call's events when it finishes within `hold` seconds, else none: it goes on alone."""
    done, _ = await asyncio.wait({call}, timeout=hold)
    if call in done:
        return call.result()
    logger.warning("%s has not answered within %.1f s: the turn goes on, the call continues in the background",
                   name, hold)
    _UNFINISHED_RECORDS.add(call)
    call.add_done_callback(lambda task: _finished_late(name, task))
    return []


def _finished_late(name: str, task: "asyncio.Task[Any]") -> None:
    _UNFINISHED_RECORDS.discard(task)
    if task.cancelled() or task.exception() is not None:
        logger.error("%s failed after its turn (%s): the front desk was not alerted by the assistant", name,
                     "cancelled" if task.cancelled() else type(task.exception()).__name__)


async def _within_time(name: str, call: Awaitable[Any]) -> List[Any]:
    timeout, hold = action_waits()
    task = asyncio.ensure_future(asyncio.wait_for(call, timeout))
    if name in SILENT_ON_FAILURE:
        return await _without_holding_the_turn(name, task, hold)
    return await task


def _run_or_say_so(run_remote: Any) -> Any:
    async def run(self: RemoteAction, output_channel: OutputChannel, nlg: Any, tracker: Any,
                  domain: Any) -> List[Any]:
        try:
            if marked(output_channel, _UNANSWERED_THIS_TURN) and self.name() not in SILENT_ON_FAILURE:
                raise asyncio.TimeoutError("the action server did not answer earlier in this turn")
            return await _within_time(self.name(), run_remote(self, output_channel, nlg, tracker, domain))
        except ActionExecutionRejection:  # a form's answer refused by its validation: not a failure
            raise
        except Exception as error:
            if isinstance(error, asyncio.TimeoutError):  # the turn's next actions would wait as long
                mark(output_channel, _UNANSWERED_THIS_TURN)
            if self.name() in SILENT_ON_FAILURE:
                logger.error("%s failed (%s): the front desk was not alerted by the assistant",
                             self.name(), type(error).__name__)
            else:
                language = tracker.get_slot("language") or answered_in(tracker.sender_id) or "en"
                await tell_once(output_channel, tracker.sender_id, step_failed_reply(settings().clinic, language))
            # Rasa logs the failure with its traceback; the original error carries the action
            # server's answer, which repeats the whole conversation. Only the kind goes on.
            raise RasaException(f"custom action '{self.name()}' failed ({type(error).__name__})") from None

    run._intake_wrapped = True  # type: ignore[attr-defined]
    return run


def json_body(value: Any) -> bytes:
    """`value` as UTF-8 JSON, by orjson where it can."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError: e.g. keys that are not strings
        return json.dumps(value).encode("utf-8")


def _request_with_json_body(request: Any) -> Any:
    async def send(self: EndpointConfig, *args: Any, **kwargs: Any) -> Any:
        if "json" in kwargs:  # sent as bytes; `request` keeps its Content-Type: application/json
            kwargs["data"] = json_body(kwargs.pop("json"))
        return await request(self, *args, **kwargs)

    return send


def install() -> None:
    """Apply the four changes, once per process."""
    if getattr(RemoteAction.run, "_intake_wrapped", False):
        return
    RemoteAction.run = _run_or_say_so(RemoteAction.run)  # type: ignore[assignment]
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]
    EndpointConfig.request = _request_with_json_body(EndpointConfig.request)  # type: ignore[assignment]
