"""Rasa's REST channel with its input checked before it reaches the assistant.

Rasa's own RestInput answers a body that is not a JSON object, or a `message` that is not
text, with a 500 and a stack trace. This channel answers such requests with a clean 400 and a
JSON error, and answers an empty message with a short prompt instead of running the
pipeline on nothing. A turn that fails inside Rasa is answered with a clear message
(failure_replies) instead of an empty list. A `sender` that is an SMS conversation's id ("sms-...")
or a web chat's issued session id is refused (each conversation is written to through its own
channel, where the front desk's replies go), and the body's `input_channel` is ignored: a message over REST is stored as sent over
REST. A conversation or an address over its message rate gets a short reply (429 for the address)
unless the message reads as a risk (message_rate). Everything else is passed to Rasa's RestInput
unchanged. Its health check (`GET /webhooks/rest/`) answers 503 while no model is loaded: Rasa
starts its server even when the model fails to load (the safety guard refuses to run without its
risk model), and a server that would ignore every message must not be counted as up.
"""
from __future__ import annotations

from typing import Any, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from intake.client_address import counted_address
from intake.conversation_ids import channel_by_id
from intake.outage_replies import reply
from intake.rate_limits import slow_down_reply
from intake.sms.identity import CONVERSATION_PREFIX as SMS_CONVERSATION_PREFIX
from rasa_addons.channels.message_rate import held_back
from rasa_addons.channels.turn_guards import guarded
from rasa_addons.channels.reply_language import language_to_tell

MAX_SENDER_CHARS = 128


def _bad_request(reason: Text) -> HTTPResponse:
    return response.json({"error": "bad_request", "reason": reason}, status=400)


def check_rest_payload(request: Request) -> Optional[HTTPResponse]:
    """Return the response for a request that must not reach Rasa, or None to pass it on."""
    try:
        body: Any = request.json
    except Exception:  # Sanic raises InvalidUsage on a body that is not JSON
        return _bad_request("The body must be JSON.")
    if not isinstance(body, dict):
        return _bad_request("The body must be a JSON object with 'sender' and 'message'.")
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return _bad_request(f"'sender' must be a non-empty string of at most {MAX_SENDER_CHARS} characters.")
    channel = channel_by_id(sender)  # someone's text or web chat conversation: not writable from here
    if channel == "sms":
        return _bad_request(f"'sender' may not start with '{SMS_CONVERSATION_PREFIX}': those are SMS conversations.")
    if channel == "socketio":
        return _bad_request("'sender' is a web chat's session id: those conversations are written to by the web chat.")
    if not isinstance(message, str):
        return _bad_request("'message' must be a string.")
    if not message.strip():
        return response.json([{"recipient_id": sender, "text": reply("empty", language_to_tell(sender, ""))}])
    return None


async def _over_address_limit(request: Request) -> Optional[HTTPResponse]:
    """The answer (429) for a message from an address over its limit (rasa_addons/channels/message_rate)."""
    address = counted_address(request.headers.get("X-Forwarded-For"), request.ip)
    body = request.json
    if not await held_back("address", address, body.get("message")):
        return None
    language = language_to_tell(body.get("sender"), body.get("message"))
    return response.json([{"recipient_id": body.get("sender"), "text": slow_down_reply(language)}], status=429,
                         headers={"Retry-After": "60"})


def model_loaded(request: Request) -> bool:
    """Whether this Rasa process has a model to answer with (Rasa keeps its agent on the app)."""
    agent = getattr(request.app.ctx, "agent", None)
    return bool(agent and agent.is_ready())


def is_health_check(request: Request) -> bool:
    return request.method == "GET" and request.path.rstrip("/").endswith("/webhooks/rest")


class CheckedRestInput(RestInput):
    """The REST channel (`/webhooks/rest/webhook`) with its payload checked first."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def _extract_input_channel(self, req: Request) -> Text:
        """Always "rest": Rasa's RestInput takes `input_channel` from the body, so anyone could
        have a message stored as sent by SMS or the web chat (and staff replies routed there)."""
        return self.name()

    def blueprint(self, on_new_message: Any) -> Blueprint:
        blueprint = super().blueprint(guarded(on_new_message))

        @blueprint.middleware("request")
        async def reject_bad_payload(request: Request) -> Optional[HTTPResponse]:
            if request.method == "POST" and request.path.endswith("/webhook"):
                return check_rest_payload(request) or await _over_address_limit(request)
            if is_health_check(request) and not model_loaded(request):
                return response.json({"status": "no_model"}, status=503)
            return None

        return blueprint
