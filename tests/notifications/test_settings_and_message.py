"""The alert settings (clinic file section + environment secrets) and the alert text itself."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from intake.notifications import NotificationSettings, notification_settings
from intake.notifications.delivery import redact
from intake.notifications.message import (AlertFacts, email_message, on_call_text, plain_text, raised_words,
                                          webhook_payload)
from intake.settings import load_settings
from tests.notifications.conftest import fast_settings, smtp_settings

SECTION = {"console_url": "https://clinic.example/frontdesk/", "email_from": "alerts@clinic.example",
           "email_to": ["desk@clinic.example"], "attempts": 4, "backoff_seconds": 0.5}
HOOK = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"


def test_settings_come_from_the_section_and_secrets_from_the_environment():
    env = {"INTAKE_ALERT_WEBHOOK_URL": HOOK, "INTAKE_SMTP_HOST": "smtp.example.net",
           "INTAKE_SMTP_USERNAME": "alerts", "INTAKE_SMTP_PASSWORD": "pa55word"}
    config = notification_settings(SECTION, env, time_zone="America/Los_Angeles")
    assert config.targets == ("webhook", "email")
    assert (config.attempts, config.backoff_seconds) == (4, 0.5)
    assert config.smtp.port == 587 and config.smtp.starttls and config.smtp.username == "alerts"
    assert config.destination("webhook") == "hooks.slack.com"
    assert config.destination("email") == "desk@clinic.example"
    assert config.item_link(12) == "https://clinic.example/frontdesk/items/12"
    assert "SECRET" not in repr(config) and "pa55word" not in repr(config)
    assert [config.backoff_after(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]


def test_email_needs_a_host_and_recipients_and_starttls_can_be_turned_off():
    assert notification_settings(SECTION, {}, time_zone="UTC").targets == ()
    no_recipients = {**SECTION, "email_to": []}
    assert notification_settings(no_recipients, {"INTAKE_SMTP_HOST": "smtp.example.net"}, time_zone="UTC").smtp is None
    plain = notification_settings(SECTION, {"INTAKE_SMTP_HOST": "relay", "INTAKE_SMTP_STARTTLS": "0"}, time_zone="UTC")
    assert plain.smtp.port == 25 and not plain.smtp.starttls and plain.smtp.username is None
    with pytest.raises(ValueError):
        notification_settings(SECTION, {"INTAKE_SMTP_HOST": "relay", "INTAKE_SMTP_STARTTLS": "maybe"}, time_zone="UTC")
    with pytest.raises(ValueError):
        NotificationSettings(attempts=0)


def test_without_a_console_url_alerts_open_the_console_on_the_web_apps_public_address(monkeypatch):
    """A deployment sets INTAKE_PUBLIC_WEB_URL; alerts must not send staff to localhost."""
    monkeypatch.setenv("INTAKE_PUBLIC_WEB_URL", "https://intake.clinic.example/")
    without = {key: value for key, value in SECTION.items() if key != "console_url"}
    assert notification_settings(without, {}, time_zone="UTC").console_url == "https://intake.clinic.example/frontdesk/"
    assert notification_settings(SECTION, {}, time_zone="UTC").console_url == SECTION["console_url"]


def test_the_clinic_file_section_reads():
    config = notification_settings(load_settings().section("notifications"), {}, time_zone="America/Los_Angeles")
    assert config.console_url.endswith("/frontdesk/") and config.attempts >= 1 and config.backoff_seconds > 0


FACTS = AlertFacts(handoff_id=12, priority="urgent", reasons=("asq_acute", "new_reason"), channel="socketio",
                   created_at=datetime(2026, 7, 1, 17, 5))  # naive UTC, as SQLite returns it


def test_the_alert_says_priority_reasons_channel_time_and_link():
    config = fast_settings(HOOK, smtp=smtp_settings(25))
    now = datetime(2026, 7, 1, 17, 12, tzinfo=timezone.utc)
    text = plain_text(FACTS, config, now)
    assert text.startswith("[URGENT] Front-desk handoff #12")
    assert "acute positive safety screen (ASQ); new reason" in text and "web chat" in text
    assert "Wed, Jul 1 at 10:05 AM PDT (Los Angeles time), 7 min ago" in text
    assert "https://clinic.example/frontdesk/items/12" in text
    payload = webhook_payload(FACTS, config, now)
    assert payload["blocks"][-1]["text"]["text"] == "<https://clinic.example/frontdesk/items/12|Open item #12 in the console>"
    message = email_message(FACTS, config, config.smtp, now)
    assert message["Subject"] == "[URGENT] Front-desk handoff #12" and message["Auto-Submitted"] == "auto-generated"


def test_the_alert_says_which_language_to_call_in():
    config = fast_settings(HOOK, smtp=smtp_settings(25))
    spanish = replace(FACTS, language="es", unacknowledged_minutes=10)
    assert "Language: Spanish: call and write in Spanish" in plain_text(spanish, config)
    assert "Spanish" in webhook_payload(spanish, config)["text"]
    assert "call in Spanish" in on_call_text(spanish, config)
    assert "Language: English: call and write in English" in plain_text(replace(FACTS, language="en"), config)
    assert "Language: not known" in plain_text(FACTS, config) and "call in" not in on_call_text(FACTS, config)


def test_times_and_redaction():
    assert raised_words(datetime(2026, 1, 5, 20, 0, tzinfo=timezone.utc), "America/Los_Angeles",
                        now=datetime(2026, 1, 5, 23, 30, tzinfo=timezone.utc)).endswith("PST (Los Angeles time), 3 h 30 min ago")
    assert redact(f"error posting {HOOK} and /services/T000/B000/XXXXSECRET", HOOK) == \
        "error posting [redacted] and [redacted]"
