"""The SMS channel (`sms`, webhook `/webhooks/sms/webhook`): Rasa's Twilio connector, hardened.

This module only translates between Twilio and Rasa; what to answer, when to stay silent and
how to cut a reply into texts is decided in `intake.sms`. On top of Rasa's TwilioInput it:

- answers 403 unless `X-Twilio-Signature` is Twilio's signature of the request (RequestValidator);
- never re-raises an error as a 500 (Rasa's debug re-raise is off; the person gets a reply);
- uses the keyed hash of the number, not the number, as the conversation id;
- sends through Twilio's Messages API with the asynchronous HTTP client, so waiting for Twilio
  never blocks Sanic's event loop;
- names its output channel `sms`, so Rasa picks the `channel: sms` response variants.

Configuration comes from the environment (credentials.yml may set the same keys, but secrets
belong in the environment): TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_NUMBER (the clinic's
number in E.164), optionally TWILIO_WEBHOOK_URL (the exact URL entered in the Twilio console,
when a proxy in front of Rasa changes the scheme or host, since Twilio signs that URL) and
TWILIO_API_BASE_URL (where the Messages API is; tests point it at a stand-in), and
INTAKE_SMS_ID_KEY (see intake.sms.identity).
"""
from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text
from urllib.parse import parse_qs

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator

from intake.language import language_of_message
from intake.sms.service import InboundSms, SmsConversations
from rasa_addons.channels.failure_replies import crisis_reply, crisis_reply_texts
from rasa_addons.channels.turn_guards import guarded
from rasa_addons.safety_guard import shared_judge

logger = logging.getLogger(__name__)
TWILIO_HTTP_LOGGER = logging.getLogger(f"{__name__}.twilio_http")
TWILIO_HTTP_LOGGER.setLevel(logging.WARNING)

CHANNEL_NAME = "sms"
SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
CREDENTIAL_ENV = {
    "account_sid": "TWILIO_ACCOUNT_SID",
    "auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_number": "TWILIO_NUMBER",
    "webhook_url": "TWILIO_WEBHOOK_URL",
    "api_base_url": "TWILIO_API_BASE_URL",
}


class SmsCrisisReplies:
    """The SMS variants of the crisis replies (utter_crisis_*, in English and Spanish), which
    intake.sms sends on its own when the app database keeps or fails a crisis text."""

    def text(self, category: Text, body: Text) -> Optional[Text]:
        reply = crisis_reply(category, CHANNEL_NAME, language_of_message(body))
        return reply.get("text") if reply else None

    def is_one(self, text: Text) -> bool:
        return text.strip() in crisis_reply_texts(CHANNEL_NAME)


class SmsReplyCollector(CollectingOutputChannel):
    """Collects the assistant's messages of one turn, so they are sent as one reply.

    Named `sms` so that Rasa chooses the `channel: sms` variants of responses."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await self._persist_message({"recipient_id": recipient_id, **message})


class TwilioSmsSender(TwilioOutput):
    """Rasa's Twilio output with the asynchronous HTTP client and a configurable API address."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    def __init__(self, account_sid: Text, auth_token: Text, twilio_number: Text,
                 api_base_url: Optional[Text] = None) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        # Created inside the running loop. Its own logger, kept at WARNING: twilio logs every
        # request's headers at INFO, which only fills the server log.
        self.http_client = AsyncTwilioHttpClient(timeout=15, logger=TWILIO_HTTP_LOGGER)
        if api_base_url:
            self.api.base_url = api_base_url.rstrip("/")

    async def _send_message(self, message_data: Dict[Text, Any]) -> Any:
        """One Messages API call; errors propagate so the rest of a reply is not sent out of order."""
        return await self.messages.create_async(**message_data)

    async def send_sms(self, phone: Text, body: Text) -> None:
        await self._send_message({"to": phone, "from_": self.twilio_number, "body": body})


class SmsOutput(OutputChannel):
    """What Rasa uses to message an SMS conversation on its own (recipient = hashed id)."""

    def __init__(self, conversations: SmsConversations) -> None:
        self.conversations = conversations

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await self.conversations.send_to_conversation(recipient_id, [message])

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.conversations.send_to_conversation(recipient_id, [{"text": text}])


class SmsInput(TwilioInput):
    """The `sms` input channel."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Each setting from credentials.yml if given there, else from its environment variable."""
        given = credentials or {}
        values = {key: given.get(key) or os.environ.get(env) or None for key, env in CREDENTIAL_ENV.items()}
        return cls(**values)

    def __init__(self, account_sid: Optional[Text], auth_token: Optional[Text], twilio_number: Optional[Text],
                 webhook_url: Optional[Text] = None, api_base_url: Optional[Text] = None) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode=False)
        self.webhook_url = webhook_url
        self.api_base_url = api_base_url
        self._sender: Optional[TwilioSmsSender] = None
        self.conversations: Optional[SmsConversations] = None

    @property
    def configured(self) -> bool:
        return bool(self.account_sid and self.auth_token and self.twilio_number)

    def sender(self) -> TwilioSmsSender:
        """One sender (one pooled aiohttp session) per server, made on first use inside the loop."""
        if self._sender is None:
            self._sender = TwilioSmsSender(self.account_sid, self.auth_token, self.twilio_number, self.api_base_url)
        return self._sender

    async def _send_text(self, phone: Text, body: Text) -> None:
        await self.sender().send_sms(phone, body)

    @staticmethod
    def form_of(request: Request) -> RequestParameters:
        """The posted fields, blank ones included: Twilio signs an empty Body too, and Sanic's
        `request.form` drops blank fields, which would make every empty text fail the check."""
        if not (request.content_type or "").startswith("application/x-www-form-urlencoded"):
            return RequestParameters()
        return RequestParameters(parse_qs((request.body or b"").decode("utf-8", "replace"), keep_blank_values=True))

    def signature_is_valid(self, request: Request, form: RequestParameters) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature or not self.auth_token:
            return False
        url = self.webhook_url or request.url
        return RequestValidator(self.auth_token).validate(url, form, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        handle_message = guarded(on_new_message, deliver_late=self._send_late, reply_once_a_minute=True)

        async def ask_assistant(conversation_id: Text, text: Text) -> List[Dict[Text, Any]]:
            collector = SmsReplyCollector()
            await handle_message(UserMessage(text, collector, conversation_id, input_channel=self.name()))
            return collector.messages

        self.conversations = SmsConversations(ask_assistant, self._send_text, judge=shared_judge(),
                                              crisis_replies=SmsCrisisReplies())
        try:
            self.conversations.warm_up()
        except Exception:  # the app database may come up later; the first text retries
            logger.exception("SMS channel: warming up failed")
        if not self.configured:
            logger.warning("SMS channel: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_NUMBER are not all set; "
                           "the webhook answers 503 until they are")
        sms_webhook = Blueprint("sms_webhook", __name__)

        @sms_webhook.listener("after_server_stop")
        async def close_sender(*_: Any) -> None:
            if self._sender is not None:
                await self._sender.http_client.close()

        @sms_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.configured else "not_configured"})

        @sms_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.json({"error": "sms_not_configured"}, status=503)
            form = self.form_of(request)
            if not self.signature_is_valid(request, form):
                return response.json({"error": "invalid_signature"}, status=403)
            sender = (form.get("From") or "").strip()
            if not sender:
                return response.json({"error": "bad_request", "reason": "'From' is missing."}, status=400)
            try:
                media_count = int(form.get("NumMedia") or 0)
            except ValueError:
                media_count = 0
            inbound = InboundSms(sender=sender, body=form.get("Body") or "", media_count=media_count,
                                 message_sid=(form.get("MessageSid") or "").strip())
            try:
                outcome = await self.conversations.handle_inbound(inbound)
                logger.debug("SMS handled: %s", outcome.value)
            except Exception:  # never a 500 to Twilio: it would only log an error and retry nothing
                logger.exception("SMS message could not be handled")
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return sms_webhook

    async def _send_late(self, conversation_id: Text, bot_messages: List[Dict[Text, Any]]) -> None:
        """The rest of a turn whose crisis reply went ahead (failure_replies), texted when it is done."""
        if self.conversations is not None:
            await self.conversations.send_to_conversation(conversation_id, bot_messages)

    def get_output_channel(self) -> OutputChannel:
        if self.conversations is None:
            self.conversations = SmsConversations(self._unused_assistant, self._send_text, judge=shared_judge())
        return SmsOutput(self.conversations)

    @staticmethod
    async def _unused_assistant(conversation_id: Text, text: Text) -> List[Dict[Text, Any]]:
        raise RuntimeError("the SMS output channel only sends; inbound texts come through the webhook")
