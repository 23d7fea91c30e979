"""Email alerts against a real SMTP server on loopback (aiosmtpd): content, recipients, refusals
that clear after two attempts, login, and an SMTP server that is not there."""
from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from intake.notifications import deliveries_for, notify_handoff
from tests.notifications.conftest import (CONSOLE, assert_no_personal_details, fast_settings, smtp_settings,
                                          wait_until_done)
from tests.notifications.servers import MailHandler, SmtpServer, WebhookReceiver, free_port


def test_the_email_arrives_with_subject_recipients_and_link(db_url, make_item):
    conversation = "conv-1b2c3d4e5f"
    item = make_item(priority="high", reasons=("asq_non_acute",), channel="socketio", conversation_id=conversation)
    handler = MailHandler()
    with SmtpServer(handler) as server:
        notify_handoff(item, db_url, settings=fast_settings(smtp=smtp_settings(server.port)))
        [row] = wait_until_done(item, db_url)

    assert row["status"] == "sent" and row["attempts"] == 1 and row["target"] == "email"
    assert row["destination"] == "frontdesk@clinic.example, oncall@clinic.example"
    [mail] = handler.messages
    assert mail.mail_from == "alerts@clinic.example"
    assert mail.rcpt_tos == ["frontdesk@clinic.example", "oncall@clinic.example"]
    message = message_from_bytes(mail.content, policy=policy.default)
    assert message["Subject"] == f"[HIGH] Front-desk handoff #{item}"
    assert message["To"] == "frontdesk@clinic.example, oncall@clinic.example"
    assert message.get_content_type() == "text/plain"
    body = message.get_content()
    assert f"{CONSOLE}items/{item}" in body
    assert "non-acute positive safety screen" in body and "web chat" in body
    assert_no_personal_details(mail.content.decode(), conversation)
    assert_no_personal_details(body, conversation)


@pytest.mark.parametrize("refuse_at", ["RCPT", "DATA"])
def test_a_server_that_refuses_twice_takes_the_email_on_the_third_attempt(db_url, make_item, refuse_at):
    item = make_item(priority="urgent")
    handler = MailHandler(refuse_first=2, refuse_at=refuse_at)
    with SmtpServer(handler) as server:
        config = fast_settings(smtp=smtp_settings(server.port, email_to=("frontdesk@clinic.example",)))
        notify_handoff(item, db_url, settings=config)
        [row] = wait_until_done(item, db_url)
    assert handler.refusals == 2 and len(handler.messages) == 1
    assert row["status"] == "sent" and row["attempts"] == 3
    assert "451" in row["last_error"]


def test_login_when_a_username_is_set(db_url, make_item):
    item = make_item()
    handler = MailHandler()
    with SmtpServer(handler, login=True) as server:
        config = fast_settings(smtp=smtp_settings(server.port, username="alerts", password="app-password"))
        notify_handoff(item, db_url, settings=config)
        [row] = wait_until_done(item, db_url)
    assert row["status"] == "sent" and handler.logins == ["alerts"] and len(handler.messages) == 1


def test_a_refused_login_fails_at_once_without_the_password_in_the_error(db_url, make_item):
    item = make_item()
    handler = MailHandler()
    with SmtpServer(handler, login=True) as server:
        config = fast_settings(smtp=smtp_settings(server.port, username="alerts", password="wrong-secret"))
        notify_handoff(item, db_url, settings=config)
        [row] = wait_until_done(item, db_url)
    assert row["status"] == "failed" and row["attempts"] == 1 and handler.messages == []
    assert row["last_error"].startswith("SMTP login refused by 127.0.0.1")
    assert "wrong-secret" not in row["last_error"]


def test_no_smtp_server_listening_fails_after_the_last_attempt(db_url, make_item):
    item = make_item()
    notify_handoff(item, db_url, settings=fast_settings(smtp=smtp_settings(free_port())))
    [row] = wait_until_done(item, db_url)
    assert row["status"] == "failed" and row["attempts"] == 3
    assert row["last_error"].startswith("could not connect to 127.0.0.1:")


def test_both_targets_get_their_own_row(db_url, make_item):
    item = make_item()
    handler = MailHandler()
    with SmtpServer(handler) as server, WebhookReceiver() as receiver:
        notify_handoff(item, db_url, settings=fast_settings(receiver.url, smtp=smtp_settings(server.port)))
        rows = wait_until_done(item, db_url, count=2)
    assert sorted((row["target"], row["status"]) for row in rows) == [("email", "sent"), ("webhook", "sent")]
    assert len(receiver.requests) == 1 and len(handler.messages) == 1
    assert {row["destination"] for row in deliveries_for(item, db_url)} == {
        "127.0.0.1", "frontdesk@clinic.example, oncall@clinic.example"}
