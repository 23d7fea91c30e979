"""Escalation of urgent items nobody acknowledged (intake.notifications.escalation), with a fake
clock (`now` is passed in), the Twilio stand-in for the on-call text and a real SMTP server on
loopback for the on-call email. Items are made by the real queue (open_handoff), so the clock
starts exactly where the product starts it."""
from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from intake.handoff import acknowledge, claim, close, get_item, open_handoff
from intake.notifications import (EscalationSettings, TwilioSettings, deliver_due, deliveries_for, escalate_due,
                                  escalation_of, failed_deliveries, notification_settings)
from intake.storage import Escalation, session_scope
from tests.notifications.conftest import CONSOLE, assert_no_personal_details, fast_settings, smtp_settings
from tests.notifications.servers import MailHandler, SmtpServer
from tests.support.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, CLINIC_NUMBER, TwilioStandIn

ON_CALL_PHONE, ON_CALL_EMAIL = "+13105550177", "oncall@clinic.example"


@pytest.fixture(autouse=True)
def no_desk_targets(monkeypatch):
    """The desk's own alerts are not what these tests look at."""
    monkeypatch.delenv("INTAKE_ALERT_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("INTAKE_SMTP_HOST", raising=False)


@pytest.fixture
def twilio():
    standin = TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN).start()
    yield standin
    standin.stop()


def on_call_settings(twilio=None, smtp_port=None, after_minutes=5.0, **overrides):
    return fast_settings(
        smtp=smtp_settings(smtp_port) if smtp_port else None,
        escalation=EscalationSettings(after_minutes=after_minutes, contact_name="Dr. On Call",
                                      phone=ON_CALL_PHONE, email=ON_CALL_EMAIL),
        twilio=TwilioSettings(ACCOUNT_SID, AUTH_TOKEN, CLINIC_NUMBER, twilio.base_url) if twilio else None,
        **overrides)


def crisis_item(db_url, reason="crisis", channel="sms"):
    # A fresh conversation each time (id(object()) was not: a freed object's address comes back,
    # so two items could be one conversation's, and the test failed now and then).
    item = open_handoff(f"conv-{reason}-{uuid.uuid4().hex}", channel, reason, database_url=db_url)
    return item.id, item.urgent_at


def test_nobody_acknowledging_for_five_minutes_texts_and_emails_the_on_call_contact(db_url, twilio):
    item, urgent_at = crisis_item(db_url)
    assert get_item(item, db_url).needs_acknowledgement
    handler = MailHandler()
    with SmtpServer(handler) as server:
        config = on_call_settings(twilio, server.port)
        assert escalate_due(db_url, config, now=urgent_at + timedelta(minutes=4, seconds=59)) == []
        assert escalate_due(db_url, config, now=urgent_at + timedelta(minutes=5)) == [item]
        assert deliver_due(db_url, config) == 2
        # Once only, however often the sweep runs afterwards.
        assert escalate_due(db_url, config, now=urgent_at + timedelta(minutes=30)) == []
        assert deliver_due(db_url, config) == 0

    [text] = twilio.sent
    assert text.to == ON_CALL_PHONE and text.from_ == CLINIC_NUMBER
    assert f"item #{item}" in text.body and "crisis message" in text.body and "SMS" in text.body
    assert "not been acknowledged for 5 min" in text.body and f"{CONSOLE}items/{item}" in text.body
    assert_no_personal_details(text.body)
    [mail] = handler.messages
    assert mail.rcpt_tos == [ON_CALL_EMAIL]
    message = message_from_bytes(mail.content, policy=policy.default)
    assert message["Subject"] == f"[ESCALATED] Urgent front-desk item #{item} not acknowledged"
    assert "within 5 min" in message.get_content() and f"{CONSOLE}items/{item}" in message.get_content()
    assert_no_personal_details(mail.content.decode())

    rows = {row["target"]: row for row in deliveries_for(item, db_url)}
    assert rows["on_call_sms"]["status"] == "sent" and rows["on_call_sms"]["destination"] == ON_CALL_PHONE
    assert rows["on_call_email"]["status"] == "sent" and rows["on_call_email"]["destination"] == ON_CALL_EMAIL
    record = escalation_of(item, db_url)
    assert record["contact_name"] == "Dr. On Call" and record["after_minutes"] == 5 and record["note"] is None
    assert record["created_at"] == urgent_at + timedelta(minutes=5)


@pytest.mark.parametrize("stop_clock", ["claim", "acknowledge", "close"])
def test_a_claim_an_acknowledgement_or_a_close_stops_the_clock(db_url, twilio, stop_clock):
    item, urgent_at = crisis_item(db_url)
    other, _ = crisis_item(db_url)
    {"claim": claim, "acknowledge": acknowledge, "close": close}[stop_clock](item, "desk1", db_url)
    seen = get_item(item, db_url)
    assert seen.acknowledged_by == "desk1" and not seen.needs_acknowledgement
    config = on_call_settings(twilio)
    assert escalate_due(db_url, config, now=urgent_at + timedelta(hours=1)) == [other]
    deliver_due(db_url, config)
    assert [text.body for text in twilio.sent if f"#{item} " in text.body] == []


def test_a_claim_before_the_crisis_does_not_count_as_acknowledging_it(db_url, twilio):
    conversation = "conv-normal-then-crisis"
    item = open_handoff(conversation, "socketio", "asked_for_human", database_url=db_url).id
    claim(item, "desk1", db_url)
    raised = open_handoff(conversation, "socketio", "crisis", database_url=db_url)
    assert raised.id == item and raised.priority == "urgent" and raised.needs_acknowledgement
    assert escalate_due(db_url, on_call_settings(twilio), now=raised.urgent_at + timedelta(minutes=5)) == [item]


def test_only_urgent_items_are_escalated(db_url, twilio):
    high = open_handoff("conv-high", "rest", "asq_non_acute", database_url=db_url)
    normal = open_handoff("conv-normal", "rest", "asked_for_human", database_url=db_url)
    assert high.urgent_at is None and normal.urgent_at is None and not high.needs_acknowledgement
    assert escalate_due(db_url, on_call_settings(twilio), now=high.created_at + timedelta(days=1)) == []


def test_the_wait_and_the_contact_come_from_the_clinic_file():
    section = {"after_minutes": 2, "on_call": {"name": "Dr. Night", "phone": "+1 (310) 555-0177",
                                               "email": ON_CALL_EMAIL}}
    config = notification_settings(section={}, environ={}, time_zone="America/Los_Angeles", escalation=section)
    assert config.escalation == EscalationSettings(2.0, "Dr. Night", ON_CALL_PHONE, ON_CALL_EMAIL)
    assert config.on_call_targets == ()  # neither Twilio nor SMTP in this environment
    env = {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_NUMBER": CLINIC_NUMBER,
           "INTAKE_SMTP_HOST": "127.0.0.1"}
    config = notification_settings(section={"email_to": ["desk@clinic.example"]}, environ=env,
                                   time_zone="America/Los_Angeles", escalation=section)
    assert config.on_call_targets == ("on_call_sms", "on_call_email")
    assert AUTH_TOKEN not in repr(config)
    default = notification_settings(section={}, environ={}, time_zone="America/Los_Angeles")
    assert default.escalation.after_minutes == 5 and default.escalation.phone  # config/clinic.yml
    with pytest.raises(ValueError, match="not a phone number"):
        notification_settings(section={}, environ={}, time_zone="UTC", escalation={"on_call": {"phone": "call Bob"}})
    with pytest.raises(ValueError, match="after_minutes"):
        notification_settings(section={}, environ={}, time_zone="UTC", escalation={"after_minutes": 0})


def test_an_escalation_that_can_reach_nobody_is_recorded_with_the_reason(db_url, caplog):
    item, urgent_at = crisis_item(db_url)
    with caplog.at_level(logging.ERROR, logger="intake.notifications.escalation"):
        assert escalate_due(db_url, on_call_settings(), now=urgent_at + timedelta(minutes=6)) == [item]
    record = escalation_of(item, db_url)
    assert "TWILIO_ACCOUNT_SID" in record["note"] and "INTAKE_SMTP_HOST" in record["note"]
    assert deliveries_for(item, db_url) == []
    assert f"item #{item}" in caplog.text and "cannot be reached" in caplog.text


def test_a_text_twilio_refuses_is_retried_and_then_shown_as_failed(db_url, twilio):
    item, urgent_at = crisis_item(db_url)
    config = on_call_settings(twilio, attempts=2, backoff_seconds=0)
    twilio.fail_next = [503]
    escalate_due(db_url, config, now=urgent_at + timedelta(minutes=5))
    assert deliver_due(db_url, config) == 0  # refused once: pending again
    assert deliver_due(db_url, config) == 1  # the second attempt gets through
    assert len(twilio.sent) == 1 and twilio.refused == ["status 503"]

    second, urgent_at = crisis_item(db_url)
    wrong_token = on_call_settings(twilio)
    wrong_token = type(wrong_token)(**{**wrong_token.__dict__,
                                       "twilio": TwilioSettings(ACCOUNT_SID, "wrong", CLINIC_NUMBER, twilio.base_url)})
    escalate_due(db_url, wrong_token, now=urgent_at + timedelta(minutes=5))
    deliver_due(db_url, wrong_token)
    [failed] = [row for row in failed_deliveries(db_url) if row["handoff_id"] == second]
    assert failed["target"] == "on_call_sms" and "HTTP 401" in failed["last_error"]
    assert "wrong" not in failed["last_error"] and AUTH_TOKEN not in failed["last_error"]


def test_two_sweeps_at_once_escalate_an_item_once(db_url, twilio):
    item, urgent_at = crisis_item(db_url)
    config = on_call_settings(twilio)
    results, start = [], threading.Barrier(4)

    def sweep():
        start.wait()
        results.append(escalate_due(db_url, config, now=urgent_at + timedelta(minutes=5)))
        deliver_due(db_url, config)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results, key=len) == [[], [], [], [item]]
    with session_scope(db_url) as session:
        assert session.query(Escalation).filter_by(handoff_id=item).count() == 1
    assert len(twilio.sent) == 1
