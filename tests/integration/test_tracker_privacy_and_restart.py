"""On the embedded default (SQLite): what people write (contact details, names, free-text
answers, crisis disclosures) is sealed in the tracker database, no log line at INFO carries what
anyone wrote, and a restarted Rasa server takes the conversation on where it was."""
from __future__ import annotations

import sqlite3
import uuid

from tests.support.screening_walk import SCREENING_WALK, walk


def _stored_events(stack, sender: str) -> str:
    with sqlite3.connect(stack.tracker_database_path) as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)).fetchall()
    return "\n".join(data for (data,) in rows)


def test_a_phone_number_typed_in_chat_is_not_in_the_tracker_database(stack, sender):
    stack.send(sender, "my cell is 310-555-0166, email me at sam.ortiz@example.net")
    stack.send(sender, "+1 (213) 555 0144 is my work number")
    stored = _stored_events(stack, sender)
    assert stored.count("[[sealed:") >= 3
    for raw in ("555-0166", "5550166", "555 0144", "5550144", "sam.ortiz", "example.net"):
        assert raw not in stored
    typed = [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert typed[0] == "my cell is 310-555-0166, email me at sam.ortiz@example.net"
    # The booking tests (test_booking_rest.py) run on this same sealed store: the booking form
    # reads its phone and email slots back through it, and the booking keeps them as typed.


def test_a_crisis_disclosure_and_a_name_are_not_readable_in_the_tracker_database(stack, sender):
    disclosure = "my stepfather Marcus hurt me for years and tonight I want to overdose on my oxycodone"
    reply = stack.send(sender, disclosure)
    assert any("988" in (m.get("text") or "") for m in reply)
    stored = _stored_events(stack, sender)
    # (Labels stay readable: the intent and the risk rule's name, e.g. "overdose_keyword".)
    for raw in ("Marcus", "stepfather", "hurt me", "overdose on", "oxycodone"):
        assert raw not in stored, raw
    typed = [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert typed == [disclosure]  # the servers, which hold the key, read it as written


def test_info_logs_carry_no_message_text(stack, sender):
    marker = f"zebra{uuid.uuid4().hex[:8]} my number is 310-555-0155"
    stack.send(sender, marker)
    stack.send(sender, "I keep having nightmares " + marker)
    for name in ("rasa", "actions", "webapp"):
        log = (stack.workdir / f"{name}.log").read_text(errors="replace")
        assert marker.split()[0] not in log and "555-0155" not in log, name


def test_a_restarted_rasa_server_resumes_the_conversation_from_sqlite(stack, sender):
    walk([stack], sender, SCREENING_WALK[:3])
    stack.stop("rasa")
    stack.start_rasa()
    walk([stack], sender, SCREENING_WALK[3:])
