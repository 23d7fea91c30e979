"""The tracker store of every Rasa server, on a real SQLite file: stored rows hold no readable
contact details, the conversation reads back as typed, and an unreachable database stops the
turn instead of being papered over by Rasa's fail-safe wrapper."""
from __future__ import annotations

import asyncio
import sqlite3

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from intake.privacy.masking import ContactSeal
from rasa_addons.stores.private_tracker_store import PrivateSQLTrackerStore, TrackerStorageUnavailable

DOMAIN = Domain.from_yaml("""
version: "3.1"
slots:
  booking_phone:
    type: text
    mappings: [{type: custom}]
""")
TYPED = "it's 310-555-0199, or jo.kim@example.com"


@pytest.fixture
def store(tmp_path):
    return PrivateSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                  seal=ContactSeal(b"unit test key"))


def _conversation() -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events("person-1", [
        ActionExecuted("action_listen"), UserUttered(TYPED, {"name": "inform", "confidence": 0.9}),
        SlotSet("booking_phone", "+13105550199"), BotUttered("Thanks, we'll call +1 310-555-0199."),
    ], slots=DOMAIN.slots)
    return tracker


def test_stored_rows_hold_no_contact_detail_and_the_conversation_reads_back_as_typed(store, tmp_path):
    asyncio.run(store.save(_conversation()))
    with sqlite3.connect(tmp_path / "tracker.db") as connection:
        stored = "\n".join(row[0] for row in connection.execute("SELECT data FROM events"))
    assert stored.count("[[sealed:") >= 4
    for raw in ("555-0199", "5550199", "jo.kim", "example.com"):
        assert raw not in stored
    back = asyncio.run(store.retrieve("person-1"))
    assert back.latest_message.text == TYPED
    assert back.get_slot("booking_phone") == "+13105550199"
    assert back.latest_bot_utterance.text == "Thanks, we'll call +1 310-555-0199."


def test_only_new_events_are_added_on_the_next_save(store):
    tracker = _conversation()
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("thanks"))
    asyncio.run(store.save(tracker))
    assert len(asyncio.run(store.retrieve("person-1")).events) == len(tracker.events)


def test_an_unreachable_database_stops_the_turn_through_rasas_fail_safe_wrapper(store, tmp_path):
    asyncio.run(store.save(_conversation()))
    store.engine.dispose()
    (tmp_path / "tracker.db").unlink()
    (tmp_path / "tracker.db").mkdir()  # the path can no longer be opened as a database
    wrapped = FailSafeTrackerStore(store)
    with pytest.raises(TrackerStorageUnavailable):
        asyncio.run(wrapped.retrieve("person-1"))
    with pytest.raises(TrackerStorageUnavailable):
        asyncio.run(wrapped.save(_conversation()))
