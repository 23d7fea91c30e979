"""The SMS conversation rules (intake.sms.service) on a real temporary app database.

The assistant and Twilio are outside this unit: a small scripted assistant answers and the
texts that would go to Twilio are recorded. The integration test runs the same rules through
the real Rasa server and a Twilio stand-in."""
from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List, Tuple

import pytest
import sqlalchemy as sa

from intake.settings import settings
from intake.sms import contacts
from intake.sms.identity import conversation_id_for
from intake.sms.service import InboundSms, Outcome, SmsConversations
from intake.storage import database

PHONE = "+13105550123"
KEY = b"unit-test-key"
MENU = [{"text": "What would you like to do?", "buttons": [
    {"title": "Check my symptoms", "payload": "/check_symptoms"},
    {"title": "Book a consultation", "payload": "/book_consultation"}]}]


class ScriptedAssistant:
    """Answers every message with the menu and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: List[Tuple[str, str]] = []
        self.reply: List[Dict[str, Any]] = MENU

    async def __call__(self, conversation_id: str, text: str) -> List[Dict[str, Any]]:
        self.asked.append((conversation_id, text))
        return self.reply


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    settings.cache_clear()
    database.cache_clear()
    yield url
    settings.cache_clear()
    database.cache_clear()


@pytest.fixture
def sms(app_db):
    assistant = ScriptedAssistant()
    sent: List[Tuple[str, str]] = []

    async def send_text(phone: str, body: str) -> None:
        sent.append((phone, body))

    conversations = SmsConversations(assistant, send_text, id_key=KEY)

    def text(body: str, media: int = 0) -> Tuple[Outcome, List[str]]:
        before = len(sent)
        outcome = asyncio.run(conversations.handle_inbound(InboundSms(PHONE, body, media)))
        assert all(phone == PHONE for phone, _ in sent)
        return outcome, [body for _, body in sent[before:]]

    text.assistant = assistant
    return text


def _alerts(url: str) -> list:
    with sa.create_engine(url).connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text("SELECT conversation_id, source, category, channel FROM alerts"))]


def test_first_reply_starts_with_the_unencrypted_notice_and_only_once(sms):
    outcome, texts = sms("hello")
    assert outcome is Outcome.ANSWERED
    assert "not encrypted" in texts[0] and "What would you like to do?" in texts[1]
    # not a clinician, and not for emergencies (issue 24 item 10)
    assert "not a clinician" in texts[0] and "Not for emergencies: call 911 or 988" in texts[0]
    _, texts = sms("hello again")
    assert not any("not encrypted" in t for t in texts)


def test_stop_confirms_once_then_nothing_until_start(sms):
    outcome, texts = sms("Stop.")
    assert outcome is Outcome.OPTED_OUT and len(texts) == 1 and "unsubscribed" in texts[0]
    assert "not encrypted" not in texts[0]
    assert [text for _, text in sms.assistant.asked] == ["Stop."]  # ends any form; its reply is not sent
    for later in ("STOP", "hello", "HELP", "1"):
        assert sms(later)[1] == []
    assert len(sms.assistant.asked) == 1
    outcome, texts = sms("start")
    assert outcome is Outcome.OPTED_IN and "subscribed again" in texts[-1]
    assert "not encrypted" in texts[0]  # the STOP confirmation did not carry the notice
    assert sms("hi")[1]


def test_an_opted_out_crisis_text_is_not_answered_but_stored_as_urgent_alert(sms, app_db):
    sms("STOP")
    outcome, texts = sms("I want to kill myself")
    assert outcome is Outcome.SILENT_ALERT and texts == []
    assert _alerts(app_db) == [(conversation_id_for(PHONE, KEY), "crisis_opted_out", "suicide", "sms")]
    assert sms("what are your hours")[0] is Outcome.SILENT and len(_alerts(app_db)) == 1
    # it reaches a person: an urgent front-desk item (shown in the console, announced by webhook/email)
    with sa.create_engine(app_db).connect() as connection:
        items = connection.execute(sa.text("SELECT conversation_id, reasons, priority, status FROM handoffs")).all()
    assert [(c, json.loads(r) if isinstance(r, str) else r, p, st) for c, r, p, st in items] == [
        (conversation_id_for(PHONE, KEY), ["crisis_opted_out"], "urgent", "new")]


def test_an_opted_out_crisis_still_reaches_the_desk_when_its_alert_row_cannot_be_stored(sms, app_db, monkeypatch):
    import intake.sms.service as service

    def broken_alert_store(*args, **kwargs):
        raise RuntimeError("alerts table unavailable")

    monkeypatch.setattr(service, "record_crisis_alert", broken_alert_store)
    sms("STOP")
    assert sms("I want to kill myself")[0] is Outcome.SILENT_ALERT
    with sa.create_engine(app_db).connect() as connection:
        items = connection.execute(sa.text("SELECT priority, status FROM handoffs")).all()
    assert [tuple(item) for item in items] == [("urgent", "new")]


def test_an_opted_out_crisis_only_the_risk_model_reads_is_stored_as_an_alert_too(sms, app_db):
    sms("STOP")
    text = "honestly the world would be lighter without me in it, everyone would finally get a break"
    outcome, texts = sms(text)
    assert outcome is Outcome.SILENT_ALERT and texts == []
    assert len(_alerts(app_db)) == 1
    assert sms("I was in a car accident years ago and still get nervous driving")[0] is Outcome.SILENT
    assert len(_alerts(app_db)) == 1


def test_help_names_the_clinic_a_person_and_crisis_numbers(sms):
    outcome, texts = sms("HELP")
    reply = " ".join(texts)
    clinic = settings().clinic
    assert outcome is Outcome.HELP
    assert clinic.name in reply and clinic.front_desk_phone in reply and "988" in reply and "911" in reply
    assert "automated" in reply


def test_a_number_picks_the_option_of_the_last_reply_from_the_database(sms):
    sms("hello")
    sms("2")
    assert sms.assistant.asked[-1][1] == "/book_consultation"
    stored = contacts.find_contact(conversation_id_for(PHONE, KEY)).last_options
    assert [o.payload for o in stored] == ["/check_symptoms", "/book_consultation"]
    sms.assistant.reply = [{"text": "Noted."}]
    sms("1")
    sms("1")  # the last reply had no options: "1" goes to the assistant as it is
    assert sms.assistant.asked[-1][1] == "1"


def test_empty_media_and_overlong_texts_get_a_clear_reply_without_the_assistant(sms):
    sms("hello")
    assert sms("")[0] is Outcome.EMPTY
    outcome, texts = sms("", media=1)
    assert outcome is Outcome.MEDIA_ONLY and "only read text" in texts[0]
    outcome, texts = sms("blah " * 400)
    assert outcome is Outcome.TOO_LONG and "too long" in texts[0]
    assert len(sms.assistant.asked) == 1


def test_an_overlong_text_with_a_crisis_signal_still_reaches_the_assistant(sms):
    outcome, _ = sms("blah " * 400 + " I want to kill myself")
    assert outcome is Outcome.ANSWERED and sms.assistant.asked


def test_after_a_first_crisis_text_the_reply_comes_before_the_notice(sms):
    sms.assistant.reply = [{"text": "Please call or text 988 now. If you might act on these thoughts, call 911."}]
    _, texts = sms("I want to kill myself")
    assert "988" in texts[0] and "not encrypted" in texts[-1]


def test_a_failing_assistant_still_gets_the_person_a_way_forward(app_db):
    async def broken(conversation_id: str, text: str):
        raise RuntimeError("action server down")

    sent: List[str] = []

    async def send_text(phone: str, body: str) -> None:
        sent.append(body)

    outcome = asyncio.run(SmsConversations(broken, send_text, id_key=KEY).handle_inbound(InboundSms(PHONE, "hi")))
    assert outcome is Outcome.ASSISTANT_FAILED
    assert "988" in sent[0] and settings().clinic.front_desk_phone in sent[0]


def test_an_opt_out_outlives_a_change_of_the_id_key(sms, app_db):
    sms("STOP")
    sent: List[str] = []

    async def send_text(phone: str, body: str) -> None:
        sent.append(body)

    rotated = SmsConversations(ScriptedAssistant(), send_text, id_key=b"a-new-key")
    assert asyncio.run(rotated.handle_inbound(InboundSms(PHONE, "hello"))) is Outcome.SILENT and sent == []
    assert contacts.find_contact(conversation_id_for(PHONE, b"a-new-key")).opted_out


def test_the_front_desk_sees_the_number_to_call_for_an_opted_out_crisis_text(sms, capsys):
    from intake.sms import frontdesk

    sms("STOP")
    sms("I want to kill myself")
    assert frontdesk.main(["alerts"]) == 0
    listed = capsys.readouterr().out
    assert "crisis_opted_out" in listed and "suicide" in listed and "(310) 555-0123" in listed
    assert "opted out: call, do not text" in listed


CRISIS_TEXT = "Call or text 988 now; in danger call 911."
SPANISH_CRISIS_TEXT = "Llame al 988 y marque 2; en peligro, llame al 911."


class CrisisReplies:
    """The crisis replies as the channel supplies them: one per language, both recognised."""

    def text(self, category: str, body: str):
        return CRISIS_TEXT if category == "suicide" else None

    def is_one(self, text: str) -> bool:
        return text in (CRISIS_TEXT, SPANISH_CRISIS_TEXT)


def _hold_the_contacts(monkeypatch, release):
    """The texter's records wait (as on an app database that does not answer) until `release` is set."""
    looked_up = contacts.contact_for

    def slow_contact_for(conversation_id: str, phone: str):
        release.wait(10)
        return looked_up(conversation_id, phone)

    monkeypatch.setattr(contacts, "contact_for", slow_contact_for)


def test_a_crisis_text_waiting_on_the_app_database_gets_its_crisis_reply_at_once(app_db, monkeypatch):
    import threading
    import time

    release, sent = threading.Event(), []
    _hold_the_contacts(monkeypatch, release)
    assistant = ScriptedAssistant()
    # The conversation is in the other language: its crisis reply is not sent a second time either.
    assistant.reply = [{"text": SPANISH_CRISIS_TEXT}, {"text": "Are you safe right now?"}]

    async def send_text(phone: str, body: str) -> None:
        sent.append((phone, body, time.monotonic()))

    conversations = SmsConversations(assistant, send_text, id_key=KEY, crisis_replies=CrisisReplies())

    async def scenario():
        started = time.monotonic()
        outcome = await conversations.handle_inbound(InboundSms(PHONE, "i want to kill myself tonight"))
        assert outcome is Outcome.CRISIS_REPLY_AHEAD
        assert [body for _, body, _ in sent] == [CRISIS_TEXT]
        assert sent[0][2] - started < settings().crisis_reply_seconds + 0.5
        release.set()
        for _ in range(100):  # the rest, once the records come back
            if len(sent) >= 3:
                break
            await asyncio.sleep(0.05)

    asyncio.run(scenario())
    bodies = [body for _, body, _ in sent]
    # The crisis reply once; then the rest of the turn, and the first-contact notice last.
    assert bodies[0] == CRISIS_TEXT and bodies.count(CRISIS_TEXT) == 1 and SPANISH_CRISIS_TEXT not in bodies
    assert bodies[1] == "Are you safe right now?" and "not encrypted" in bodies[2]
    assert assistant.asked == [(conversation_id_for(PHONE, KEY), "i want to kill myself tonight")]


def test_an_ordinary_text_waits_for_the_app_database_and_a_failed_one_gets_the_desk_and_crisis_lines(app_db, monkeypatch):
    sent: List[str] = []

    def broken_contact_for(conversation_id: str, phone: str):
        raise sa.exc.OperationalError("SELECT", {}, Exception("canceling statement due to statement timeout"))

    monkeypatch.setattr(contacts, "contact_for", broken_contact_for)

    async def send_text(phone: str, body: str) -> None:
        sent.append(body)

    conversations = SmsConversations(ScriptedAssistant(), send_text, id_key=KEY, crisis_replies=CrisisReplies())
    outcome = asyncio.run(conversations.handle_inbound(InboundSms(PHONE, "what does ketamine cost")))
    assert outcome is Outcome.ASSISTANT_FAILED
    assert len(sent) == 1 and settings().clinic.front_desk_phone in sent[0] and "988" in sent[0]
    # A crisis text whose records fail at once still gets its crisis reply first.
    outcome = asyncio.run(conversations.handle_inbound(InboundSms(PHONE, "i want to kill myself tonight")))
    assert outcome is Outcome.ASSISTANT_FAILED
    assert sent[1] == CRISIS_TEXT and settings().clinic.front_desk_phone in sent[2]
