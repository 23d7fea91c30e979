"""The desk's follow-up task after every crisis conversation (intake.handoff.follow_ups), made by
the real queue in a real SQLite app database."""
from __future__ import annotations

import pytest

from intake.handoff import close, open_handoff
from intake.handoff.follow_ups import FollowUpNotFound, follow_up_for, mark_done, open_follow_ups
from intake.storage import database


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    monkeypatch.delenv("INTAKE_ALERT_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("INTAKE_SMTP_HOST", raising=False)
    url = f"sqlite:///{tmp_path / 'app.db'}"
    yield url
    database.cache_clear()


@pytest.mark.parametrize("reason", ["crisis", "crisis_opted_out", "asq_positive_answer", "asq_acute"])
def test_every_crisis_item_gets_one_follow_up_task(db_url, reason):
    item = open_handoff("conv-a", "sms", reason, database_url=db_url)
    open_handoff("conv-a", "sms", "crisis", database_url=db_url)  # a second crisis: still one task
    [task] = open_follow_ups(db_url)
    assert task.handoff_id == item.id and task.done_at is None and task.reasons[0] == reason
    assert task.created_at == item.urgent_at


@pytest.mark.parametrize("reason", ["asked_for_human", "repeated_fallback", "booking", "asq_non_acute"])
def test_other_items_get_none_until_they_become_urgent(db_url, reason):
    item = open_handoff("conv-b", "socketio", reason, database_url=db_url)
    assert open_follow_ups(db_url) == [] and follow_up_for(item.id, db_url) is None
    open_handoff("conv-b", "socketio", "crisis", database_url=db_url)
    assert [task.handoff_id for task in open_follow_ups(db_url)] == [item.id]


def test_the_task_stays_listed_after_the_item_is_closed_until_someone_marks_it_done(db_url):
    first = open_handoff("conv-c", "rest", "crisis", database_url=db_url)
    second = open_handoff("conv-d", "rest", "crisis", database_url=db_url)
    close(first.id, "desk1", db_url)
    tasks = open_follow_ups(db_url)
    assert [task.handoff_id for task in tasks] == [first.id, second.id]
    assert tasks[0].item_status == "closed"
    done = mark_done(tasks[0].id, "desk2", db_url)
    assert done.done_by == "desk2" and done.done_at is not None
    again = mark_done(tasks[0].id, "desk3", db_url)  # a second click keeps the first who and when
    assert again.done_by == "desk2" and again.done_at == done.done_at
    assert [task.handoff_id for task in open_follow_ups(db_url)] == [second.id]
    assert follow_up_for(first.id, db_url).done_by == "desk2"
    with pytest.raises(FollowUpNotFound):
        mark_done(999, "desk1", db_url)


def test_a_new_crisis_after_the_item_was_closed_makes_a_new_item_and_task(db_url):
    first = open_handoff("conv-e", "sms", "crisis", database_url=db_url)
    close(first.id, "desk1", db_url)
    second = open_handoff("conv-e", "sms", "crisis", database_url=db_url)
    assert second.id != first.id
    assert [task.handoff_id for task in open_follow_ups(db_url)] == [first.id, second.id]
