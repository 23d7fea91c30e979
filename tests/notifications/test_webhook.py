"""Webhook alerts against a real receiver on loopback: retries with backoff, giving up, no personal
details, no secrets in errors or logs, and notify_handoff never waits for the network."""
from __future__ import annotations

import logging
import threading

from intake.notifications import deliver_due, deliveries_for, failed_deliveries, notify_handoff
from intake.notifications.delivery import deliver_until_done
from intake.storage import Handoff, session_scope
from tests.notifications.conftest import CONSOLE, assert_no_personal_details, fast_settings, wait_until_done
from tests.notifications.servers import SECRET_PATH, WebhookReceiver, free_port

TOKEN = SECRET_PATH.rsplit("/", 1)[-1]


def test_a_receiver_that_fails_twice_gets_the_alert_on_the_third_attempt(db_url, make_item, caplog):
    caplog.set_level(logging.DEBUG, logger="intake.notifications")
    conversation = "conv-7f3a9c0d2e"
    item = make_item(priority="urgent", reasons=("crisis", "asked_for_human"), channel="sms",
                     conversation_id=conversation)
    with WebhookReceiver(statuses=[503, 503]) as receiver:
        notify_handoff(item, db_url, settings=fast_settings(receiver.url))
        [row] = wait_until_done(item, db_url)

    assert row["status"] == "sent" and row["attempts"] == 3 and row["target"] == "webhook"
    assert row["destination"] == "127.0.0.1"
    assert row["last_error"].startswith("HTTP 503 from 127.0.0.1")  # the last failure is kept for the record
    assert len(receiver.requests) == 3
    request = receiver.requests[-1]
    assert request.path == SECRET_PATH and request.content_type == "application/json"
    payload = request.json()
    # Slack-compatible: fallback text plus header and section blocks.
    assert isinstance(payload["text"], str) and payload["text"].startswith(f"[URGENT] Front-desk handoff #{item}")
    assert payload["blocks"][0] == {"type": "header",
                                    "text": {"type": "plain_text", "text": f"[URGENT] Front-desk handoff #{item}"}}
    assert all(block["type"] == "section" and block["text"]["type"] == "mrkdwn" for block in payload["blocks"][1:])
    body = request.body.decode()
    assert f"{CONSOLE}items/{item}" in body
    assert "crisis message" in body and "asked for a person" in body and "SMS" in body
    assert "Nov 30 at 10:42 AM PST" in body  # raised, in the clinic's time zone
    assert_no_personal_details(body, conversation)
    log = "\n".join(record.getMessage() for record in caplog.records)
    assert f"item #{item}" in log
    assert_no_personal_details(log, conversation)
    assert TOKEN not in log


def test_a_receiver_that_always_fails_leaves_a_failed_row_the_console_lists(db_url, make_item):
    item = make_item(priority="high", reasons=("asq_non_acute",), channel="socketio")
    with WebhookReceiver(default=500) as receiver:
        notify_handoff(item, db_url, settings=fast_settings(receiver.url))
        [row] = wait_until_done(item, db_url)

    assert len(receiver.requests) == 3
    assert row["status"] == "failed" and row["attempts"] == 3
    assert row["last_error"].startswith("HTTP 500 from 127.0.0.1") and TOKEN not in row["last_error"]
    assert row["next_attempt_at"] is None
    [failed] = failed_deliveries(db_url)
    assert failed["id"] == row["id"] and failed["handoff_id"] == item and failed["handoff_status"] == "new"
    assert set(failed) >= {"target", "destination", "status", "attempts", "last_error", "updated_at", "handoff_id"}
    assert failed["updated_at"].tzinfo is not None

    # Once the desk has closed the item, the banner no longer shows it (the row itself stays).
    with session_scope(db_url) as session:
        session.get(Handoff, item).status = "closed"
    assert failed_deliveries(db_url) == []
    assert [row["id"] for row in failed_deliveries(db_url, include_closed=True)] == [row["id"]]


def test_an_unreachable_webhook_is_named_by_its_host_only(db_url, make_item, caplog):
    caplog.set_level(logging.DEBUG)
    item = make_item()
    url = f"http://127.0.0.1:{free_port()}{SECRET_PATH}"  # nothing listens there
    notify_handoff(item, db_url, settings=fast_settings(url, attempts=2))
    [row] = wait_until_done(item, db_url)
    assert row["status"] == "failed" and row["attempts"] == 2
    assert row["last_error"] == "could not connect to 127.0.0.1"
    assert TOKEN not in caplog.text and "B0ALERTS" not in caplog.text


def test_an_answer_that_waiting_cannot_fix_is_not_retried(db_url, make_item):
    item = make_item()
    with WebhookReceiver(default=404) as receiver:
        notify_handoff(item, db_url, settings=fast_settings(receiver.url, attempts=5))
        [row] = wait_until_done(item, db_url)
    assert row["status"] == "failed" and row["attempts"] == 1 and len(receiver.requests) == 1
    assert row["last_error"].startswith("HTTP 404 from 127.0.0.1")


def test_notify_handoff_returns_while_the_receiver_still_holds_the_request(db_url, make_item):
    item = make_item()
    release = threading.Event()
    with WebhookReceiver(hold=release) as receiver:
        notify_handoff(item, db_url, settings=fast_settings(receiver.url))
        # Back already; the request is (or will be) held open by the receiver until released.
        assert not receiver.answered.is_set()
        assert receiver.received.wait(30)
        assert not receiver.answered.is_set()
        [row] = deliveries_for(item, db_url)
        assert row["status"] == "sending" and row["attempts"] == 1
        release.set()
        [row] = wait_until_done(item, db_url)
    assert row["status"] == "sent" and row["attempts"] == 1


def test_normal_items_and_missing_targets_create_no_deliveries(db_url, make_item, caplog):
    normal = make_item(priority="normal", reasons=("asked_for_human",))
    with WebhookReceiver() as receiver:
        notify_handoff(normal, db_url, settings=fast_settings(receiver.url))
    assert deliveries_for(normal, db_url) == [] and receiver.requests == []

    urgent = make_item(priority="urgent")
    with caplog.at_level(logging.WARNING, logger="intake.notifications"):
        notify_handoff(urgent, db_url, settings=fast_settings())  # no webhook, no SMTP
    assert deliveries_for(urgent, db_url) == []
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and f"item #{urgent}" in warnings[0].getMessage()
    assert "no alert target" in warnings[0].getMessage()


def test_a_repeated_call_does_not_alert_twice_but_a_raise_to_urgent_does(db_url, make_item):
    item = make_item(priority="high", reasons=("asq_non_acute",))
    with WebhookReceiver() as receiver:
        config = fast_settings(receiver.url)
        notify_handoff(item, db_url, settings=config)
        wait_until_done(item, db_url)
        notify_handoff(item, db_url, settings=config)
        assert len(deliveries_for(item, db_url)) == 1
        with session_scope(db_url) as session:
            row = session.get(Handoff, item)
            row.priority, row.reasons = "urgent", ["asq_non_acute", "crisis"]
        notify_handoff(item, db_url, settings=config)
        rows = wait_until_done(item, db_url, count=2)
    assert [(row["priority"], row["status"]) for row in rows] == [("high", "sent"), ("urgent", "sent")]
    assert [request.json()["text"][:9] for request in receiver.requests] == ["[HIGH] Fr", "[URGENT] "]


def test_notify_handoff_never_raises(tmp_path, make_item, db_url, caplog):
    notify_handoff(987654, db_url, settings=fast_settings("http://127.0.0.1:9/x"))  # no such item
    blocked = tmp_path / "file"
    blocked.write_text("")
    with caplog.at_level(logging.ERROR, logger="intake.notifications"):
        notify_handoff(1, f"sqlite:///{blocked}/sub/app.db", settings=fast_settings("http://127.0.0.1:9/x"))
    assert "could not be started" in caplog.text


def test_a_thread_that_finds_its_row_taken_leaves_it_alone(db_url, make_item):
    item = make_item()
    with WebhookReceiver() as receiver:
        config = fast_settings(receiver.url)
        notify_handoff(item, db_url, settings=config)
        [row] = wait_until_done(item, db_url)
        deliver_until_done(row["id"], db_url, config)  # a late second worker: the row is sent, nothing to do
    assert len(receiver.requests) == 1 and deliveries_for(item, db_url)[0]["attempts"] == 1


def test_a_flood_of_alerts_never_sends_more_than_the_limit_at_once_and_the_sweep_sends_the_rest(db_url, make_item):
    """A receiver that holds every request (as a hung webhook does): one process sends at most
    `max_sending_threads` alerts at once; the others stay pending and the sweep delivers them."""
    release = threading.Event()
    items = [make_item() for _ in range(6)]
    with WebhookReceiver(hold=release) as receiver:
        config = fast_settings(receiver.url, attempts=1, max_sending_threads=2)
        for item in items:
            notify_handoff(item, db_url, settings=config)
        assert receiver.received.wait(30)
        sending = [t for t in threading.enumerate() if t.name.startswith("alert-delivery-") and t.is_alive()]
        assert len(sending) <= 2
        rows = [row for item in items for row in deliveries_for(item, db_url)]
        assert sum(row["status"] == "pending" and row["attempts"] == 0 for row in rows) == 4
        release.set()
        for item in items[:2]:
            wait_until_done(item, db_url)
        assert deliver_due(db_url, config) == 4
        assert all(row["status"] == "sent" for item in items for row in deliveries_for(item, db_url))
