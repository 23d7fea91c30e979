"""Rasa's remote (custom) actions, answered when they fail and checked without waste.

Three changes to how Rasa calls the action server, installed once per Rasa server process by
`install()` (called where every server of this project loads its channels):

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

import json
import logging
from functools import lru_cache
from typing import Any, Dict, List, Text

import orjson
from jsonschema.validators import validator_for
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import OutputChannel
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from intake.outage_replies import step_failed_reply
from intake.settings import settings
from rasa_addons.runtime.once_per_turn import tell_once

logger = logging.getLogger(__name__)
SILENT_ON_FAILURE = frozenset({"action_record_crisis", "action_record_not_safe"})


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Rasa's check of an action server answer, with the schema's validator built once."""
    _response_validator().validate(result)
    return True


def _run_or_say_so(run_remote: Any) -> Any:
    async def run(self: RemoteAction, output_channel: OutputChannel, nlg: Any, tracker: Any,
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
                await tell_once(output_channel, tracker.sender_id, step_failed_reply(settings().clinic))
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
    """Apply the three changes, once per process."""
    if getattr(RemoteAction.run, "_intake_wrapped", False):
        return
    RemoteAction.run = _run_or_say_so(RemoteAction.run)  # type: ignore[assignment]
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]
    EndpointConfig.request = _request_with_json_body(EndpointConfig.request)  # type: ignore[assignment]
