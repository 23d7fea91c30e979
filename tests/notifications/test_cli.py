"""`python -m intake.notifications`: the setup check against a real receiver, and the failure list."""
from __future__ import annotations

from intake.notifications import notify_handoff
from intake.notifications.__main__ import main
from tests.notifications.conftest import fast_settings, wait_until_done
from tests.notifications.servers import SECRET_PATH, WebhookReceiver


def test_check_sends_a_test_alert_and_names_the_host_only(monkeypatch, capsys):
    monkeypatch.delenv("INTAKE_SMTP_HOST", raising=False)
    with WebhookReceiver() as receiver:
        monkeypatch.setenv("INTAKE_ALERT_WEBHOOK_URL", receiver.url)
        assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "webhook (127.0.0.1): sent"
    [request] = receiver.requests
    assert request.json()["text"].startswith("[TEST] Front-desk handoff #0: a test of the alert setup")
    with WebhookReceiver(default=403) as receiver:
        monkeypatch.setenv("INTAKE_ALERT_WEBHOOK_URL", receiver.url)
        assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "FAILED: HTTP 403 from 127.0.0.1" in out and SECRET_PATH not in out


def test_failed_lists_the_alerts_that_gave_up(db_url, make_item, capsys):
    item = make_item()
    with WebhookReceiver(default=500) as receiver:
        notify_handoff(item, db_url, settings=fast_settings(receiver.url, attempts=1))
        wait_until_done(item, db_url)
    assert main(["failed", "--database-url", db_url]) == 0
    out = capsys.readouterr().out
    assert f"item #{item}" in out and "HTTP 500 from 127.0.0.1" in out
