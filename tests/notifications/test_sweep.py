"""The sweep (deliver_due) for rows a crashed process left behind, and its one-sender guarantee."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from intake.notifications import deliver_due, deliveries_for
from intake.storage import NotificationDelivery, session_scope
from tests.notifications.conftest import fast_settings
from tests.notifications.servers import WebhookReceiver


def left_behind(db_url, item: int, status="pending", attempts=1, due_in=timedelta(minutes=-1)) -> int:
    """A row as a crashed process leaves it: not sent, next attempt due (or not yet)."""
    now = datetime.now(timezone.utc)
    with session_scope(db_url) as session:
        row = NotificationDelivery(handoff_id=item, target="webhook", destination="127.0.0.1", priority="urgent",
                                   status=status, attempts=attempts, last_error="HTTP 503 from 127.0.0.1",
                                   next_attempt_at=now + due_in, created_at=now - timedelta(minutes=5),
                                   updated_at=now - timedelta(minutes=5))
        session.add(row)
        session.flush()
        return row.id


def test_a_due_pending_row_is_delivered_and_a_later_one_waits(db_url, make_item):
    due, later = make_item(), make_item()
    left_behind(db_url, due)
    left_behind(db_url, later, due_in=timedelta(minutes=10))
    with WebhookReceiver() as receiver:
        assert deliver_due(db_url, settings=fast_settings(receiver.url)) == 1
    assert len(receiver.requests) == 1 and f"handoff #{due}" in receiver.requests[0].json()["text"]
    [row] = deliveries_for(due, db_url)
    assert row["status"] == "sent" and row["attempts"] == 2
    assert deliveries_for(later, db_url)[0]["status"] == "pending"


def test_a_row_left_sending_is_retried_once_its_lease_ran_out(db_url, make_item):
    stale, fresh = make_item(), make_item()
    left_behind(db_url, stale, status="sending")
    left_behind(db_url, fresh, status="sending", due_in=timedelta(minutes=4))  # another process is on it
    with WebhookReceiver() as receiver:
        assert deliver_due(db_url, settings=fast_settings(receiver.url)) == 1
    assert deliveries_for(stale, db_url)[0]["status"] == "sent"
    assert deliveries_for(fresh, db_url)[0]["status"] == "sending"


def test_a_sweep_attempt_that_fails_leaves_the_row_for_the_next_sweep(db_url, make_item):
    item = make_item()
    left_behind(db_url, item, attempts=1)
    with WebhookReceiver(default=503) as receiver:
        config = fast_settings(receiver.url, attempts=3, backoff_seconds=60)
        assert deliver_due(db_url, settings=config) == 0
        [row] = deliveries_for(item, db_url)
        assert row["status"] == "pending" and row["attempts"] == 2 and row["next_attempt_at"] > row["updated_at"]
        assert deliver_due(db_url, settings=config) == 0  # not due yet: nothing sent
    assert len(receiver.requests) == 1


def test_two_sweeps_in_parallel_send_each_row_exactly_once(db_url, make_item):
    items = [make_item() for _ in range(6)]
    for item in items:
        left_behind(db_url, item)
    start = threading.Barrier(2)
    counts = []
    with WebhookReceiver() as receiver:
        config = fast_settings(receiver.url)

        def sweep() -> None:
            start.wait()
            counts.append(deliver_due(db_url, settings=config))

        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert sum(counts) == len(items)
    texts = sorted(request.json()["text"].split(":")[0] for request in receiver.requests)
    assert texts == sorted(f"[URGENT] Front-desk handoff #{item}" for item in items)
    assert all(deliveries_for(item, db_url)[0]["attempts"] == 2 for item in items)


def test_a_row_is_claimed_by_one_caller_only(db_url, make_item):
    from intake.notifications.delivery import claim

    row = left_behind(db_url, make_item())
    config = fast_settings("http://127.0.0.1:9/x")
    assert claim(row, db_url, config) == 2  # the attempt number
    assert claim(row, db_url, config) is None  # leased: nobody else gets it
    later = datetime.now(timezone.utc) + timedelta(seconds=config.lease_seconds + 1)
    assert claim(row, db_url, config, now=later) == 3  # the lease ran out (the claimer died)


def test_a_process_without_the_target_configured_leaves_the_row_alone(db_url, make_item):
    item = make_item()
    left_behind(db_url, item)
    assert deliver_due(db_url, settings=fast_settings()) == 0  # e.g. a web app started without the webhook secret
    [row] = deliveries_for(item, db_url)
    assert row["status"] == "pending" and row["attempts"] == 1


def test_the_sweep_takes_urgent_alerts_first(db_url, make_item):
    from intake.notifications.delivery import due_rows

    high = left_behind(db_url, make_item(priority="high"), due_in=timedelta(minutes=-30))
    urgent = left_behind(db_url, make_item(), due_in=timedelta(minutes=-1))
    with session_scope(db_url) as session:
        session.get(NotificationDelivery, high).priority = "high"
    assert due_rows(db_url, ["webhook"])[:2] == [urgent, high]
