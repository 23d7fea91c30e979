"""One inbound text from start to finish: carrier keywords, opt-out, the notice, numbered
options, the assistant, and the texts that go back.

Database work runs in threads of its own (DATABASE_THREADS), so a slow app database never
stalls the server's event loop nor the safety decision, which has its own threads too (patterns
and the risk model, which encodes the text with MiniLM: a few milliseconds).

The channel supplies two coroutines, so this module needs neither Rasa nor Twilio:
`ask_assistant(conversation_id, text)` returns the assistant's messages for one turn (Rasa's
dicts), and `send_text(phone, body)` sends one text; and `crisis_replies`, the SMS crisis replies
it sends on its own when the app database does not answer in time or fails (`handle_inbound`).
Sending is awaited text by text, in order, so the texts of one reply reach Twilio's queue in the
order they are read.

Safety rule for opted-out numbers: the law forbids replying, but a person who opted out may
still text in a crisis. Such a text goes through the same safety decision as every message, and
a crisis or an unsure reading (the check-in) is stored as an urgent alert (source "crisis_opted_out", channel "sms"), so the front desk can
call; nothing is sent.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Protocol, Sequence, Set

from intake.handoff import open_handoff
from intake.language import configured, language_after, language_of_message
from intake.safety.alerts import record_crisis_alert
from intake.safety.decision import POSSIBLE_RISK, SafetyDecision, SafetyJudge, default_judge, reply_category
from intake.settings import Settings, settings as clinic_settings
from intake.sms import contacts, messages
from intake.sms.contacts import ContactView
from intake.sms.identity import conversation_id_for, normalize_phone
from intake.sms.keywords import Keyword, keyword_language, keyword_of
from intake.sms.not_delivered import TextNotDelivered
from intake.sms.options import payload_for_reply, render_messages
from intake.sms.segments import split_into_segments

logger = logging.getLogger(__name__)

AskAssistant = Callable[[str, str], Awaitable[List[Dict[str, Any]]]]
SendText = Callable[[str, str], Awaitable[None]]
class CrisisReplies(Protocol):
    """The SMS crisis replies (domain.yml, responses/es.yml), supplied by the channel."""

    def text(self, category: str, body: str) -> Optional[str]:
        """utter_crisis_<category> for SMS in the language of the text `body`."""

    def is_one(self, text: str) -> bool:
        """Whether `text` is an SMS crisis reply, in any language."""
OPTED_OUT_CRISIS_SOURCE = "crisis_opted_out"
# The front-desk reason of that crisis: an urgent console item, announced by webhook and email
# like any urgent item, labelled "call, do not text" (the number may not be texted).
OPTED_OUT_CRISIS_REASON = "crisis_opted_out"
CHANNEL = "sms"
# Threads for the app database and for the safety decision, apart from each other and from
# asyncio's default pool: a hung database (each call held up to the statement timeout) can use up
# its own threads, never the ones a crisis text is read in.
DATABASE_THREADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="sms-database")
DECISION_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sms-safety")


class Outcome(Enum):
    """What happened to an inbound text (for logs and tests; never contains the number)."""

    ANSWERED = "answered"
    OPTED_OUT = "opted_out"
    ALREADY_OPTED_OUT = "already_opted_out"
    OPTED_IN = "opted_in"
    HELP = "help"
    EMPTY = "empty"
    MEDIA_ONLY = "media_only"
    TOO_LONG = "too_long"
    SILENT = "silent"  # from an opted-out number: nothing sent
    SILENT_ALERT = "silent_alert"  # from an opted-out number, crisis: alert stored, nothing sent
    ASSISTANT_FAILED = "assistant_failed"
    REPEATED = "repeated"  # a MessageSid already handled (a retry or a replay): nothing done
    CRISIS_REPLY_AHEAD = "crisis_reply_ahead"  # the app database was slow: crisis reply sent, the rest follows


@dataclass(frozen=True)
class InboundSms:
    """The parts of Twilio's webhook that matter here."""

    sender: str  # Twilio's From
    body: str
    media_count: int = 0
    message_sid: str = ""  # Twilio's MessageSid: a repeat of one already handled is ignored


class SmsConversations:
    """Handles inbound texts and sends replies for one deployment (one Twilio number)."""

    def __init__(self, ask_assistant: AskAssistant, send_text: SendText, settings: Optional[Settings] = None,
                 judge: Optional[SafetyJudge] = None, id_key: Optional[bytes] = None,
                 crisis_replies: Optional[CrisisReplies] = None) -> None:
        self.ask_assistant = ask_assistant
        self.send_text = send_text
        self.crisis_replies = crisis_replies
        self._finishing: Set["asyncio.Future[Outcome]"] = set()  # texts whose crisis reply went ahead
        self.settings = settings or clinic_settings()
        self._judge = judge
        self.id_key = id_key

    @property
    def judge(self) -> SafetyJudge:
        if self._judge is None:
            self._judge = default_judge()  # the same detector and model the safety guard uses
        return self._judge

    def warm_up(self) -> None:
        """Load the safety decision and migrate the app database at start-up, not on the first text."""
        from intake.storage import database

        self.judge.warm_up()
        database()

    async def _decide(self, body: str) -> SafetyDecision:
        return await asyncio.get_running_loop().run_in_executor(DECISION_THREADS, self.judge.decide, body)

    @staticmethod
    async def _db(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """App-database work, in threads of its own: a database that does not answer holds those,
        never the threads the safety decision (or anything else in the server) runs in."""
        return await asyncio.get_running_loop().run_in_executor(DATABASE_THREADS, partial(function, *args, **kwargs))

    # -- inbound -------------------------------------------------------------------------
    async def handle_inbound(self, inbound: InboundSms) -> Outcome:
        """The texter's records (a repeat? opted out? options offered?) are looked up while the
        safety decision reads the text. A crisis text whose records have not come back within
        `limits.crisis_reply_seconds` (an app database that does not answer) gets its crisis reply
        at once, straight to the number it came from; the rest is done when the database answers."""
        started = asyncio.get_running_loop().time()
        phone = normalize_phone(inbound.sender)
        body = (inbound.body or "").strip()
        keyword = keyword_of(body)
        records = asyncio.ensure_future(self._records_of(inbound, phone))
        decision = await self._decide(body) if body and keyword is None else None
        waited = asyncio.get_running_loop().time() - started
        done, _ = await asyncio.wait({records}, timeout=max(0.0, self.settings.crisis_reply_seconds - waited))
        if not done:
            ahead = self._crisis_reply_for(decision, body)
            if ahead:
                logger.error("the app database did not answer within %.1f s: an SMS crisis reply went ahead",
                             self.settings.crisis_reply_seconds)
                await self._send_ahead(phone, ahead)
                finish = asyncio.ensure_future(self._answer(inbound, phone, records, body, keyword, decision, ahead))
                self._finishing.add(finish)
                finish.add_done_callback(self._finished)
                return Outcome.CRISIS_REPLY_AHEAD
        return await self._answer(inbound, phone, records, body, keyword, decision)

    def _crisis_reply_for(self, decision: Optional[SafetyDecision], body: str) -> Optional[str]:
        """The SMS crisis reply a text calls for, in its language; None without a risk. Never
        raises: what failed is logged and the English reply (it names 988 in Spanish too) is used."""
        category = reply_category(decision) if decision is not None else None
        if category is None or self.crisis_replies is None:
            return None
        try:
            return self.crisis_replies.text(category, body)
        except Exception:  # noqa: BLE001 - see the docstring
            logger.exception("the SMS crisis reply in the text's language could not be chosen")
            return self.crisis_replies.text(category, "")

    def _finished(self, task: "asyncio.Future[Outcome]") -> None:
        self._finishing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("an SMS text whose crisis reply went ahead could not be finished: %s",
                         type(task.exception()).__name__)

    async def _records_of(self, inbound: InboundSms, phone: str) -> Optional[ContactView]:
        """The texter's contact (created on a first text); None when this MessageSid was handled before."""
        if inbound.message_sid and not await self._db(contacts.first_delivery, inbound.message_sid):
            return None
        return await self._db(contacts.contact_for, conversation_id_for(phone, self.id_key), phone)

    async def _answer(self, inbound: InboundSms, phone: str, records: "asyncio.Future[Optional[ContactView]]",
                      body: str, keyword: Optional[Keyword], decision: Optional[SafetyDecision],
                      sent_ahead: Optional[str] = None) -> Outcome:
        try:
            contact = await records
        except Exception:  # the app database failed: a way forward all the same, never silence
            logger.exception("the app database failed on an SMS message")
            crisis = None if sent_ahead else self._crisis_reply_for(decision, body)
            if crisis:
                await self._send_ahead(phone, crisis)
            await self._send_ahead(phone, messages.assistant_unavailable_reply(self.settings.clinic,
                                                                               language_of_message(body)))
            return Outcome.ASSISTANT_FAILED
        if contact is None:
            return Outcome.REPEATED
        clinic = self.settings.clinic
        language = keyword_language(body) if keyword else language_of_message(body)

        if contact.opted_out:
            if keyword is Keyword.OPT_IN:
                await self._db(contacts.record_opt_in, contact.conversation_id)
                await self._deliver(contact, messages.opted_in_reply(clinic, language))
                return Outcome.OPTED_IN
            return await self._silent(contact, body, decision)
        if keyword is Keyword.OPT_OUT:
            if not await self._db(contacts.record_opt_out, contact.conversation_id):
                return Outcome.ALREADY_OPTED_OUT
            await self._deliver(contact, messages.opted_out_reply(clinic, language), opt_out_confirmation=True)
            await self._end_questions_in_progress(contact, body)
            return Outcome.OPTED_OUT
        if keyword is Keyword.OPT_IN:
            await self._deliver(contact, messages.opted_in_reply(clinic, language))
            return Outcome.OPTED_IN
        if keyword is Keyword.HELP:
            await self._deliver(contact, messages.help_reply(clinic, language))
            return Outcome.HELP
        if not body:
            media = inbound.media_count > 0
            await self._deliver(contact, messages.media_only_reply() if media else messages.empty_message_reply())
            return Outcome.MEDIA_ONLY if media else Outcome.EMPTY

        decision = decision or await self._decide(body)
        if len(body) > self.settings.sms.max_inbound_chars and not decision.engaged:
            # A crisis signal in an overlong text still goes to the assistant, whole.
            await self._deliver(contact, messages.too_long_reply(self.settings.sms.max_inbound_chars, language))
            return Outcome.TOO_LONG
        text = payload_for_reply(body, contact.last_options) or body
        try:
            bot_messages = await self.ask_assistant(contact.conversation_id, text)
        except Exception:  # the person must still get a way forward, never silence
            logger.exception("the assistant failed on an SMS message")
            await self._deliver(contact, messages.assistant_unavailable_reply(clinic, language), notice_last=True)
            return Outcome.ASSISTANT_FAILED
        if sent_ahead and self.crisis_replies is not None:  # not again, in either language
            bot_messages = [m for m in bot_messages if not self.crisis_replies.is_one(str(m.get("text") or ""))]
        await self.send_assistant_reply(contact, bot_messages, crisis=decision.engaged)
        return Outcome.ANSWERED

    async def _send_ahead(self, phone: str, text: str) -> None:
        """Texts sent without the texter's records (the app database does not answer): the crisis
        reply, or the outage reply. Deliberately sent even though an opt-out cannot be checked then:
        a crisis text is answered, and Twilio itself refuses a number that texted STOP to it."""
        for body in self.segments(text):
            try:
                await self.send_text(phone, body)
            except Exception:  # noqa: BLE001 - logged; the rest of this reply is not sent
                logger.exception("sending an SMS without the texter's records failed")
                return

    async def _end_questions_in_progress(self, contact: ContactView, body: str) -> None:
        """STOP also means what "stop" means to the assistant: a screening or booking in progress
        ends, and answers so far are kept, marked unfinished. Its reply is not sent (the
        confirmation was the last text allowed)."""
        try:
            await self.ask_assistant(contact.conversation_id, body)
        except Exception:
            logger.exception("the assistant failed on an SMS opt-out; the opt-out itself is recorded")

    async def _silent(self, contact: ContactView, body: str, decision: Optional[SafetyDecision] = None) -> Outcome:
        """An opted-out number wrote: no reply, but a crisis is stored as an urgent alert."""
        decision = decision or (await self._decide(body) if body else None)
        if decision is None or not decision.engaged:
            return Outcome.SILENT
        finding = decision.finding
        category, handling = (finding.category, finding.handling) if finding else (POSSIBLE_RISK, "self")
        try:
            await self._db(record_crisis_alert, contact.conversation_id, category, handling,
                                    source=OPTED_OUT_CRISIS_SOURCE, channel=CHANNEL)
        except Exception:  # noqa: BLE001 - the front-desk item below must still be opened
            logger.exception("the alert for a crisis text from an opted-out SMS contact could not be stored")
        await self._db(raise_opted_out_crisis, contact.conversation_id, plain_language_of(body))
        logger.warning("crisis text from an opted-out SMS contact: urgent item and alert raised, no reply sent")
        return Outcome.SILENT_ALERT

    # -- outbound ------------------------------------------------------------------------
    async def send_assistant_reply(self, contact: ContactView, bot_messages: Sequence[Mapping[str, Any]],
                                   crisis: bool = False) -> bool:
        """The assistant's messages of one turn, rendered, remembered (options) and sent; False
        when a send failed (logged).

        On a first contact the unencrypted notice comes first, except after a crisis text:
        then 988 and 911 come first and the notice follows."""
        rendered = render_messages(bot_messages)
        await self._db(contacts.store_last_options, contact.conversation_id, rendered.options)
        if not rendered.text:
            return True
        return await self._deliver(contact, rendered.text, notice_last=crisis)

    async def send_to_conversation(self, conversation_id: str, bot_messages: Sequence[Mapping[str, Any]]) -> bool:
        """A message Rasa sends on its own (the front desk's, a reminder): True when sent, False when
        deliberately not sent (an opted-out or unknown number). Raises TextNotDelivered when Twilio
        refused it or could not be reached, so that whoever asked (the console) is told, instead of
        "Sent." for a text the person never got."""
        contact = await self._db(contacts.find_contact, conversation_id)
        if contact is None or contact.opted_out:
            logger.info("SMS not sent: %s", "unknown conversation" if contact is None else "number opted out")
            return False
        if not await self.send_assistant_reply(contact, bot_messages):
            raise TextNotDelivered()
        return True

    def segments(self, text: str) -> List[str]:
        limits = self.settings.sms
        return split_into_segments(text, limits.max_segments, limits.gsm_segment_chars, limits.ucs2_segment_chars)

    async def _deliver(self, contact: ContactView, text: str, notice_last: bool = False,
                       opt_out_confirmation: bool = False) -> bool:
        """Send `text` as its segments, with the notice when this number has not had it yet; False
        when a send failed (the rest is not sent, so the person never gets a reply out of order).

        The opt-out confirmation goes alone (no notice) and is the one text allowed after STOP."""
        texts = self.segments(text)
        if not opt_out_confirmation and contact.needs_notice:
            notice = messages.unencrypted_notice(self.settings.clinic, language_of_message(text))
            texts = texts + [notice] if notice_last else [notice] + texts
            await self._db(contacts.record_notice_sent, contact.conversation_id)
        for body in texts:
            if not opt_out_confirmation and await self._db(contacts.is_opted_out, contact.conversation_id):
                return True  # a STOP arrived while this reply was being prepared: it wins
            try:
                await self.send_text(contact.phone, body)
            except Exception:  # e.g. Twilio refuses (21610: the number opted out at Twilio), network
                logger.exception("sending an SMS failed; the rest of this reply is not sent")
                return False
        return True


def plain_language_of(text: str) -> Optional[str]:
    """The text's language when it is plain ("911" is neither): a known one is never overwritten
    by a guess."""
    try:
        return language_after(text, None, configured())
    except Exception:  # noqa: BLE001 - the item must still be opened
        return None


def raise_opted_out_crisis(conversation_id: str, language: Optional[str] = None) -> None:
    """An urgent front-desk item for a crisis text from an opted-out number, so a person sees it
    and calls, in the text's language. Never raises: the alert row is already stored, and a
    failure is logged."""
    try:
        open_handoff(conversation_id, CHANNEL, OPTED_OUT_CRISIS_REASON, language=language)
    except Exception:  # noqa: BLE001 - the inbound webhook must still answer Twilio
        logger.exception("the front-desk item for an opted-out crisis text could not be stored")
