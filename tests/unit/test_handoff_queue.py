"""The handoff queue in a real SQLite app database (a file, so threads race on real locks)."""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import List

import pytest
from sqlalchemy import inspect, select

from intake.handoff import (PRIORITY_RANK, HandoffConflict, HandoffNotFound, active_claim, claim, close,
                            get_item, note_user_message, open_handoff, open_item_for, open_items, release)
from intake.handoff.__main__ import list_lines, main as cli_main
from intake.handoff.config import handoff_settings, handoff_settings_from
from intake.handoff.summary import summary_card
from intake.safety.alerts import record_crisis_alert
from intake.screening.records import record_screening
from intake.storage import Booking, Handoff, SmsContact, database, session_scope


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    monkeypatch.delenv("INTAKE_ALERT_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("INTAKE_SMTP_HOST", raising=False)
    url = f"sqlite:///{tmp_path / 'app.db'}"
    yield url
    database.cache_clear()


def rows(db_url: str, conversation: str) -> List[Handoff]:
    with session_scope(db_url) as session:
        return list(session.execute(select(Handoff).where(Handoff.conversation_id == conversation)
                                    .order_by(Handoff.id)).scalars())


# -- configuration ------------------------------------------------------------------------------
def test_priorities_come_from_the_clinic_file():
    config = handoff_settings()
    assert config.fallbacks_in_a_row == 2
    assert config.priority_for("crisis") == "urgent" and config.priority_for("asq_acute") == "urgent"
    assert config.priority_for("asq_non_acute") == "high"
    assert {config.priority_for(r) for r in ("asked_for_human", "repeated_fallback", "booking")} == {"normal"}
    assert config.priority_for("something_new") == "normal"


def test_a_misspelt_priority_fails_loudly():
    with pytest.raises(ValueError, match="urgent, high, normal"):
        handoff_settings_from({"priorities": {"crisis": "URGENT!"}})
    with pytest.raises(ValueError):
        handoff_settings_from({"fallbacks_in_a_row": 0})


# -- triggers -----------------------------------------------------------------------------------
def test_a_trigger_creates_an_item_with_its_configured_priority(db_url):
    item = open_handoff("c1", "rest", "asked_for_human", database_url=db_url)
    assert (item.conversation_id, item.channel, item.priority, item.reasons, item.status) == \
        ("c1", "rest", "normal", ["asked_for_human"], "new")
    assert item.created_at.tzinfo is not None and item.claimed_by is None
    assert get_item(item.id, db_url) == item


def test_the_index_keeps_one_open_item_per_conversation(db_url):
    open_handoff("c1", "rest", "booking", database_url=db_url)
    indexes = {i["name"]: i for i in inspect(database(db_url).engine).get_indexes("handoffs")}
    assert indexes["uq_handoffs_open_conversation"]["unique"]


def test_reasons_accumulate_on_the_open_item_without_repeats(db_url):
    for reason in ("asked_for_human", "repeated_fallback", "asked_for_human", "booking"):
        open_handoff("c1", "sms", reason, database_url=db_url)
    [row] = rows(db_url, "c1")
    assert row.reasons == ["asked_for_human", "repeated_fallback", "booking"]


def test_a_raise_never_lowers_the_priority(db_url):
    assert open_handoff("c1", "rest", "asked_for_human", database_url=db_url).priority == "normal"
    assert open_handoff("c1", "rest", "asq_non_acute", database_url=db_url).priority == "high"
    assert open_handoff("c1", "rest", "crisis", database_url=db_url).priority == "urgent"
    assert open_handoff("c1", "rest", "booking", database_url=db_url).priority == "urgent"
    assert open_handoff("c1", "rest", "asq_non_acute", database_url=db_url).priority == "urgent"
    item = open_handoff("c1", "rest", "asked_for_human", priority="normal", database_url=db_url)
    assert item.priority == "urgent"
    assert item.reasons == ["asked_for_human", "asq_non_acute", "crisis", "booking"]


def test_the_item_keeps_the_latest_language_of_the_conversation(db_url):
    assert open_handoff("c1", "sms", "asked_for_human", database_url=db_url, language="es").language == "es"
    assert open_handoff("c1", "sms", "booking", database_url=db_url).language == "es"  # not given: kept
    assert open_handoff("c1", "sms", "booking", database_url=db_url, language="en").language == "en"
    assert open_handoff("c2", "rest", "crisis", database_url=db_url).language is None


def test_an_explicit_priority_overrides_the_configured_one(db_url):
    assert open_handoff("c1", "rest", "asked_for_human", priority="high", database_url=db_url).priority == "high"
    with pytest.raises(ValueError):
        open_handoff("c2", "rest", "asked_for_human", priority="critical", database_url=db_url)
    with pytest.raises(ValueError):
        open_handoff("", "rest", "asked_for_human", database_url=db_url)


def test_one_open_item_per_conversation_when_threads_race(db_url):
    """Twelve triggers at once on one conversation (two processes' worth of workers): one item,
    every reason kept, the highest priority wins. Each thread has its own engine, like a process."""
    reasons = ["asked_for_human", "repeated_fallback", "crisis", "asq_non_acute", "booking", "asq_acute"] * 2
    open_handoff("warm-up", None, "booking", database_url=db_url)  # the schema exists before the race
    barrier = threading.Barrier(len(reasons))
    errors: List[BaseException] = []

    def trigger(reason: str) -> None:
        try:
            barrier.wait()
            open_handoff("race", "socketio", reason, database_url=db_url)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=trigger, args=(r,)) for r in reasons]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    [row] = rows(db_url, "race")
    assert sorted(row.reasons) == sorted(set(reasons))
    assert row.priority == "urgent" and row.status == "new"


def test_a_race_between_processes_is_settled_by_the_index(db_url, tmp_path):
    """Two engines (as two processes have) insert at once; the loser's insert is refused by the
    partial unique index and it updates the winner's item instead."""
    open_handoff("warm-up", None, "booking", database_url=db_url)
    other_url = f"sqlite:///{tmp_path}/./app.db"  # the same file through a second engine
    results, errors = [], []
    barrier = threading.Barrier(2)

    def trigger(url: str, reason: str) -> None:
        try:
            barrier.wait()
            results.append(open_handoff("two-processes", "sms", reason, database_url=url))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=trigger, args=(db_url, "crisis")),
               threading.Thread(target=trigger, args=(other_url, "asked_for_human"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    [row] = rows(db_url, "two-processes")
    assert sorted(row.reasons) == ["asked_for_human", "crisis"] and row.priority == "urgent"
    assert {item.id for item in results} == {row.id}


# -- statuses -----------------------------------------------------------------------------------
def test_new_claimed_new_closed(db_url):
    item = open_handoff("c1", "rest", "asked_for_human", database_url=db_url)
    claimed = claim(item.id, "dana", db_url)
    assert (claimed.status, claimed.claimed_by) == ("claimed", "dana") and claimed.claimed_at is not None
    assert active_claim("c1", db_url) == claimed
    assert claim(item.id, "dana", db_url).status == "claimed"  # again by the holder: no change

    handed_back = release(item.id, "dana", db_url)
    assert (handed_back.status, handed_back.claimed_by, handed_back.claimed_at) == ("new", None, None)
    assert active_claim("c1", db_url) is None
    assert [i.id for i in open_items(db_url)] == [item.id], "a handed-back item stays in the queue"

    closed = close(item.id, "dana", db_url)
    assert closed.status == "closed" and closed.closed_at is not None
    assert open_items(db_url) == [] and open_item_for("c1", db_url) is None
    assert close(item.id, "dana", db_url).status == "closed"  # closing twice changes nothing


def test_a_claimed_item_can_be_closed(db_url):
    item = open_handoff("c1", "rest", "crisis", database_url=db_url)
    claim(item.id, "dana", db_url)
    assert close(item.id, "lee", db_url).status == "closed"


def test_a_close_decided_on_an_unclaimed_item_is_refused_once_someone_claimed_it(db_url):
    """The console reads the item as new (no takeover to end), a colleague claims it and switches
    relaying on, then the close arrives: closing would leave relaying on with no open item."""
    item = open_handoff("c1", "rest", "asked_for_human", database_url=db_url)
    claim(item.id, "lee", db_url)
    with pytest.raises(HandoffConflict):
        close(item.id, "dana", db_url, expected_status="new")
    assert get_item(item.id, db_url).status == "claimed"
    assert close(item.id, "dana", db_url, expected_status="claimed").status == "closed"


def test_a_claim_by_another_staff_member_is_refused(db_url):
    item = open_handoff("c1", "rest", "asked_for_human", database_url=db_url)
    claim(item.id, "dana", db_url)
    with pytest.raises(HandoffConflict):
        claim(item.id, "lee", db_url)
    with pytest.raises(ValueError):  # HandoffConflict is a ValueError
        release(item.id, "lee", db_url)
    assert get_item(item.id, db_url).claimed_by == "dana"


def test_a_closed_item_cannot_be_claimed_or_handed_back(db_url):
    item = open_handoff("c1", "rest", "asked_for_human", database_url=db_url)
    close(item.id, "dana", db_url)
    with pytest.raises(HandoffConflict):
        claim(item.id, "dana", db_url)
    with pytest.raises(HandoffConflict):
        release(item.id, "dana", db_url)


def test_an_unknown_item(db_url):
    open_handoff("c1", "rest", "asked_for_human", database_url=db_url)
    with pytest.raises(HandoffNotFound):
        claim(999, "dana", db_url)
    assert get_item(999, db_url) is None


def test_a_closed_conversation_gets_a_new_item_on_the_next_trigger(db_url):
    first = open_handoff("c1", "rest", "crisis", database_url=db_url)
    close(first.id, "dana", db_url)
    second = open_handoff("c1", "rest", "asked_for_human", database_url=db_url)
    assert second.id != first.id and second.priority == "normal" and second.reasons == ["asked_for_human"]
    assert [r.status for r in rows(db_url, "c1")] == ["closed", "new"]


def test_a_crisis_while_claimed_raises_the_item_and_keeps_the_claim(db_url):
    item = open_handoff("c1", "sms", "asked_for_human", database_url=db_url)
    claim(item.id, "dana", db_url)
    raised = open_handoff("c1", "sms", "crisis", database_url=db_url)
    assert (raised.id, raised.priority, raised.status, raised.claimed_by) == (item.id, "urgent", "claimed", "dana")


def test_a_message_while_held_is_noted(db_url):
    note_user_message("nobody", db_url)  # no open item: nothing happens
    item = open_handoff("c1", "rest", "asked_for_human", database_url=db_url)
    assert item.last_user_message_at is None
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    note_user_message("c1", db_url)
    noted = get_item(item.id, db_url).last_user_message_at
    assert noted is not None and noted >= before


def test_the_queue_is_sorted_by_priority_then_age(db_url):
    order = [("a", "booking"), ("b", "asq_non_acute"), ("c", "crisis"), ("d", "asked_for_human"), ("e", "crisis")]
    for conversation, reason in order:
        open_handoff(conversation, "rest", reason, database_url=db_url)
        time.sleep(0.01)
    close(open_item_for("d", db_url).id, "dana", db_url)
    queue = open_items(db_url)
    assert [(i.conversation_id, i.priority) for i in queue] == [("c", "urgent"), ("e", "urgent"), ("b", "high"),
                                                                ("a", "normal")]
    assert [PRIORITY_RANK[i.priority] for i in queue] == sorted(PRIORITY_RANK[i.priority] for i in queue)


# -- alerts (intake.notifications) --------------------------------------------------------------
class Receiver:
    """A local webhook receiver recording the JSON bodies posted to it."""

    def __init__(self) -> None:
        self.bodies: List[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.bodies.append(json.loads(self.rfile.read(length) or b"{}"))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.bodies) < count and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture
def receiver(monkeypatch):
    running = Receiver()
    monkeypatch.setenv("INTAKE_ALERT_WEBHOOK_URL", running.url)
    yield running
    running.server.shutdown()


def test_urgent_and_high_items_are_announced_once_normal_ones_not(db_url, receiver):
    from intake.notifications import deliveries_for

    normal = open_handoff("c1", "rest", "asked_for_human", database_url=db_url)
    assert deliveries_for(normal.id, db_url) == []
    raised = open_handoff("c1", "rest", "crisis", database_url=db_url)  # raised to urgent: announced
    open_handoff("c1", "rest", "crisis", database_url=db_url)  # already urgent: not again
    open_handoff("c1", "rest", "asq_non_acute", database_url=db_url)  # lower: not again
    high = open_handoff("c2", "sms", "asq_non_acute", database_url=db_url)  # created high: announced
    receiver.wait_for(2)
    deadline = time.monotonic() + 10  # the background senders finish before the database goes away
    while time.monotonic() < deadline and any(d["status"] != "sent" for i in (raised, high)
                                              for d in deliveries_for(i.id, db_url)):
        time.sleep(0.05)
    assert [(d["target"], d["status"]) for d in deliveries_for(raised.id, db_url)] == [("webhook", "sent")]
    assert [(d["target"], d["status"]) for d in deliveries_for(high.id, db_url)] == [("webhook", "sent")]
    assert len(receiver.bodies) == 2
    assert "c1" not in json.dumps(receiver.bodies), "alerts carry no conversation ids or personal details"


# -- summary card and CLI -----------------------------------------------------------------------
def test_the_summary_card_shows_what_is_known(db_url):
    record_screening("c1", "PC-PTSD-5", "v1", {"pc_trauma": "yes"}, score=4, triage="positive", database_url=db_url)
    record_screening("c1", "Ketamine pre-screen", "v1", {"ps_heart": "yes"}, flags=["heart_condition"],
                     database_url=db_url)
    with session_scope(db_url) as session:
        session.add(Booking(reference="ABC123", conversation_id="c1", channel="sms", full_name="Maria Lopez",
                            phone="+13105550142", email=None, contact_method="text", visit_type="telehealth",
                            slot_start=datetime(2026, 12, 1, 18, 0), slot_minutes=60, priority=True))
        session.add(SmsContact(conversation_id="c1", phone="+13105550142"))
    item = open_handoff("c1", "sms", "booking", database_url=db_url)
    card = summary_card(item, db_url)
    assert card["screenings"] == [
        {"instrument": "PC-PTSD-5", "score": 4, "triage": "positive", "completed": True, "flags": []},
        {"instrument": "Ketamine pre-screen", "score": None, "triage": None, "completed": True,
         "flags": ["heart_condition"]}]
    assert card["prescreen_flags"] == ["heart_condition"]
    assert card["booking"]["reference"] == "ABC123"
    assert card["booking"]["slot_local"] == "2026-12-01T10:00:00-08:00"  # 18:00 UTC on the clinic's clock
    assert card["booking"]["visit_type"] == "telehealth" and card["booking"]["status"] == "requested"
    assert card["contact"] == {"name": "Maria Lopez", "phone": "+13105550142", "email": None,
                               "sms_phone": "+13105550142", "opted_out": False}
    assert card["channel"] == "sms" and card["alerts"] == []


def test_the_summary_card_lists_alerts_and_knows_nothing_of_a_stranger(db_url, monkeypatch):
    monkeypatch.setenv("INTAKE_DATABASE_URL", db_url)
    from intake.settings import settings
    settings.cache_clear()
    try:
        record_crisis_alert("c9", "suicide", "self", channel="socketio")
    finally:
        settings.cache_clear()
    item = open_handoff("c9", "socketio", "crisis", database_url=db_url)
    card = summary_card(item, db_url)
    assert [(a["source"], a["category"], a["priority"]) for a in card["alerts"]] == \
        [("crisis_message", "suicide", "urgent")]
    assert card["booking"] is None and card["screenings"] == [] and card["prescreen_flags"] == []
    assert card["contact"] == {"name": None, "phone": None, "email": None, "sms_phone": None, "opted_out": False}


def test_the_cli_lists_the_queue_and_prints_a_card(db_url, capsys):
    assert list_lines([]) == ["No open handoff items."]
    item = open_handoff("c1", "rest", "asked_for_human", database_url=db_url)
    open_handoff("c2", "sms", "crisis", database_url=db_url)
    assert cli_main(["--database-url", db_url, "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert "urgent" in listed[1] and "crisis" in listed[1] and "asked_for_human" in listed[2]
    assert cli_main(["--database-url", db_url, "card", str(item.id)]) == 0
    card = json.loads(capsys.readouterr().out)
    assert card["id"] == item.id and card["reasons"] == ["asked_for_human"] and "contact" in card
    assert cli_main(["--database-url", db_url, "card", "999"]) == 1
