"""The tracker store of every Rasa server, on a real SQLite file: stored rows hold no readable
contact details, the conversation reads back as typed, an unreachable database stops the turn
instead of being papered over by Rasa's fail-safe wrapper, and a conversation kept in memory is
handed out only while it is exactly what the database holds."""
from __future__ import annotations

import asyncio
import sqlite3

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from intake.privacy.masking import ContactSeal
from rasa_addons.stores.private_tracker_store import PrivateSQLTrackerStore, TrackerStorageUnavailable

DOMAIN = Domain.from_yaml("""
version: "3.1"
slots:
  booking_phone:
    type: text
    mappings: [{type: custom}]
  booking_name:
    type: text
    mappings: [{type: custom}]
  prescreen_medications:
    type: text
    mappings: [{type: custom}]
""")
TYPED = "it's 310-555-0199, or jo.kim@example.com"
TEST_KEY = b"unit test key"


@pytest.fixture
def store(tmp_path):
    return PrivateSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                  seal=ContactSeal(TEST_KEY))


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


def test_names_free_text_answers_and_crisis_disclosures_are_not_readable_in_the_database(store, tmp_path):
    said = ["My name is Rosalind Okafor", "I take sertraline 50mg and lithium",
            "I want to kill myself tonight, I have the pills"]
    tracker = DialogueStateTracker.from_events("person-2", [
        ActionExecuted("action_listen"),
        UserUttered(said[0], {"name": "inform", "confidence": 0.9},
                    [{"entity": "person_name", "value": "Rosalind Okafor", "start": 11, "end": 26}]),
        SlotSet("booking_name", "Rosalind Okafor"), BotUttered("Thank you, Rosalind."),
        ActionExecuted("action_listen"), UserUttered(said[1], {"name": "inform", "confidence": 0.8}),
        SlotSet("prescreen_medications", "sertraline 50mg and lithium"), SlotSet("booking_phone", None),
        ActionExecuted("action_listen"), UserUttered(said[2], {"name": "crisis_suicidal", "confidence": 0.99}),
        BotUttered("I'm really glad you told me. Please call or text 988 now."),
    ], slots=DOMAIN.slots)
    asyncio.run(store.save(tracker))
    with sqlite3.connect(tmp_path / "tracker.db") as connection:
        rows = connection.execute("SELECT type_name, intent_name, action_name, data FROM events").fetchall()
    stored = "\n".join(row[3] for row in rows)
    for raw in ("Rosalind", "Okafor", "sertraline", "lithium", "kill myself", "pills", "glad you told me"):
        assert raw not in stored, raw
    # What reports and the purge need stays readable: kinds, intents, action and slot names.
    assert ("user", "crisis_suicidal") in {(row[0], row[1]) for row in rows}
    assert {"booking_name", "prescreen_medications", "action_listen"} <= {row[2] for row in rows}
    back = asyncio.run(store.retrieve("person-2"))
    assert [e.text for e in back.events if isinstance(e, UserUttered)] == said
    assert back.get_slot("booking_name") == "Rosalind Okafor"
    assert back.get_slot("prescreen_medications") == "sertraline 50mg and lithium"
    assert back.latest_bot_utterance.text == "I'm really glad you told me. Please call or text 988 now."
    first = next(e for e in back.events if isinstance(e, UserUttered))
    assert first.entities[0]["value"] == "Rosalind Okafor" and first.parse_data["text"] == said[0]


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


# -- recent conversations kept in memory (rasa_addons/stores/recent_trackers.py) ------------------

def _turn(tracker: DialogueStateTracker, text: str) -> None:
    """What a turn adds: the person's message, the answer, and listening again."""
    tracker.update(UserUttered(text, {"name": "inform", "confidence": 0.9}))
    tracker.update(BotUttered(f"you said {text}"))
    tracker.update(ActionExecuted("action_listen"))


def _second_server(tmp_path) -> PrivateSQLTrackerStore:
    return PrivateSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                  seal=ContactSeal(TEST_KEY))


def _stored_texts(tmp_path):
    """The person's messages as stored, in order: each sealed whole, here opened with the test key."""
    with sqlite3.connect(tmp_path / "tracker.db") as connection:
        texts = [row[0] for row in connection.execute(
            "SELECT json_extract(data, '$.text') FROM events WHERE type_name = 'user' ORDER BY id")]
    assert all(text.startswith("[[sealed:") for text in texts)
    return [ContactSeal(TEST_KEY).open_text(text) for text in texts]


def test_an_unchanged_conversation_is_handed_back_without_a_reload_and_matches_the_database(store, tmp_path):
    asyncio.run(store.save(_conversation()))
    tracker = asyncio.run(store.retrieve("person-1"))
    for text in ("first", "second", "third"):
        _turn(tracker, text)
        asyncio.run(store.save(tracker))
        again = asyncio.run(store.retrieve("person-1"))
        assert again is tracker
        tracker = again
    loaded = asyncio.run(_second_server(tmp_path).retrieve("person-1"))
    assert loaded is not tracker
    assert loaded.current_state() == tracker.current_state()
    assert [e.as_dict() for e in loaded.events] == [e.as_dict() for e in tracker.events]


def _read_on_two_servers(store, tmp_path):
    """One stored conversation, read by this store (server a) and by a second one (server b)."""
    asyncio.run(store.save(_conversation()))
    other = _second_server(tmp_path)
    return asyncio.run(store.retrieve("person-1")), other, asyncio.run(other.retrieve("person-1"))


def test_a_turn_saved_by_another_server_is_read_from_the_database(store, tmp_path):
    kept, other, elsewhere = _read_on_two_servers(store, tmp_path)
    _turn(elsewhere, "answered by server b")
    asyncio.run(other.save(elsewhere))
    back = asyncio.run(store.retrieve("person-1"))
    assert back is not kept
    assert back.latest_message.text == "answered by server b"
    # and the next turn here is stored after server b's, once
    _turn(back, "back on server a")
    asyncio.run(store.save(back))
    assert _stored_texts(tmp_path) == [TYPED, "answered by server b", "back on server a"]


def test_a_write_from_elsewhere_during_a_turn_is_not_hidden_by_the_kept_tracker(store, tmp_path):
    """Rasa's lock prevents this; were it broken, the next turn must still see every stored event."""
    here, other, elsewhere = _read_on_two_servers(store, tmp_path)
    _turn(here, "turn on server a")
    _turn(elsewhere, "turn on server b")
    asyncio.run(other.save(elsewhere))
    asyncio.run(store.save(here))
    assert _stored_texts(tmp_path) == [TYPED, "turn on server b", "turn on server a"]
    back = asyncio.run(store.retrieve("person-1"))
    assert back is not here
    assert [e.text for e in back.events if isinstance(e, UserUttered)][1:] == ["turn on server b", "turn on server a"]


def test_a_turn_that_failed_before_saving_leaves_nothing_behind(store, tmp_path):
    asyncio.run(store.save(_conversation()))
    tracker = asyncio.run(store.retrieve("person-1"))
    _turn(tracker, "never saved")  # the turn failed after this: no save
    back = asyncio.run(store.retrieve("person-1"))
    assert back is not tracker
    assert back.latest_message.text == TYPED
    _turn(back, "the next message")
    asyncio.run(store.save(back))
    assert _stored_texts(tmp_path) == [TYPED, "the next message"]


def test_a_failed_save_is_retried_from_the_same_point(store, tmp_path, monkeypatch):
    asyncio.run(store.save(_conversation()))
    tracker = asyncio.run(store.retrieve("person-1"))
    _turn(tracker, "saved on the second try")
    real_flush, calls = Session.flush, []

    def flush_failing_once(session, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
        return real_flush(session, *args, **kwargs)

    monkeypatch.setattr(Session, "flush", flush_failing_once)
    asyncio.run(store.save(tracker))
    monkeypatch.undo()
    assert _stored_texts(tmp_path) == [TYPED, "saved on the second try"]
    assert asyncio.run(store.retrieve("person-1")) is tracker


def test_a_new_session_is_read_back_as_rasa_reads_it(store, tmp_path):
    asyncio.run(store.save(_conversation()))
    tracker = asyncio.run(store.retrieve("person-1"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    _turn(tracker, "a new day")
    asyncio.run(store.save(tracker))
    back = asyncio.run(store.retrieve("person-1"))
    assert back is not tracker
    assert [e.as_dict() for e in back.events] == [
        e.as_dict() for e in asyncio.run(_second_server(tmp_path).retrieve("person-1")).events]
    assert back.get_slot("booking_phone") is None  # the old session's slots are not carried


def test_a_tracker_the_store_did_not_hand_out_is_stored_by_rasas_count(store, tmp_path):
    asyncio.run(store.save(_conversation()))
    asyncio.run(store.retrieve("person-1"))
    replacement = _conversation()  # e.g. Rasa's API replacing the events: a new object
    _turn(replacement, "from the API")
    asyncio.run(store.save(replacement))
    assert _stored_texts(tmp_path) == [TYPED, "from the API"]
    assert asyncio.run(store.retrieve("person-1")) is not replacement


def test_deleted_rows_are_noticed(store, tmp_path):
    asyncio.run(store.save(_conversation()))
    asyncio.run(store.retrieve("person-1"))
    with sqlite3.connect(tmp_path / "tracker.db") as connection:
        connection.execute("DELETE FROM events WHERE sender_id = 'person-1'")
    assert asyncio.run(store.retrieve("person-1")) is None


def test_at_most_the_configured_number_of_conversations_is_kept(tmp_path):
    store = PrivateSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                   seal=ContactSeal(TEST_KEY), recent_trackers=2)
    for person in ("a", "b", "c"):
        tracker = DialogueStateTracker.from_events(person, [ActionExecuted("action_listen")], slots=DOMAIN.slots)
        asyncio.run(store.save(tracker))
    assert len(store.recent) == 2
    assert asyncio.run(store.retrieve("a")).sender_id == "a"  # dropped from memory, read from the database
    off = PrivateSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                 seal=ContactSeal(TEST_KEY), recent_trackers=0)
    first = asyncio.run(off.retrieve("b"))
    _turn(first, "hello")
    asyncio.run(off.save(first))
    assert asyncio.run(off.retrieve("b")) is not first
    assert len(off.recent) == 0
