"""The transcript from a tracker in the shape Rasa's HTTP API returns (GET .../tracker): the
tracker is built from Rasa events and serialised by Rasa itself (current_state), as the server does."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from intake.handoff.transcript import TranscriptLine, lines_from_tracker

T0 = 1_796_000_000.0  # 2026-11-29 around 16:53 UTC


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(T0 + seconds, tz=timezone.utc)


def api_tracker() -> dict:
    menu = [{"title": "Questions about ketamine for PTSD", "payload": "/ask_question"},
            {"title": "Talk to the front desk", "payload": "/request_human"}]
    events = [
        ActionExecuted("action_session_start", timestamp=T0), SessionStarted(timestamp=T0),
        ActionExecuted("action_listen", timestamp=T0),
        UserUttered("hi there", {"name": "greet", "confidence": 0.98}, timestamp=T0 + 1, input_channel="socketio"),
        ActionExecuted("utter_greet", timestamp=T0 + 2),
        BotUttered("Hi, I'm the clinic's automated intake assistant.", metadata={"utter_action": "utter_greet"},
                   timestamp=T0 + 2),
        ActionExecuted("utter_menu", timestamp=T0 + 2),
        BotUttered("What would you like to do?", data={"buttons": menu}, metadata={"utter_action": "utter_menu"},
                   timestamp=T0 + 2),
        ActionExecuted("action_listen", timestamp=T0 + 2),
        UserUttered("/request_human", {"name": "request_human", "confidence": 1.0}, timestamp=T0 + 5,
                    input_channel="socketio"),
        ActionExecuted("action_request_handoff", timestamp=T0 + 6),
        BotUttered("I've told our front desk you'd like to talk with a person.", timestamp=T0 + 6),
        ActionExecuted("action_listen", timestamp=T0 + 6),
        SlotSet("handoff_active", True, timestamp=T0 + 60), SlotSet("handoff_staff_name", "Dana", timestamp=T0 + 60),
        ActionExecuted("utter_handoff_claimed", timestamp=T0 + 60),
        BotUttered("Dana from the front desk has joined this chat.", metadata={"utter_action": "utter_handoff_claimed"},
                   timestamp=T0 + 60),
        ActionExecuted("action_listen", timestamp=T0 + 60),
        UserUttered("<b>hello</b> are you a real person?", {"name": "bot_challenge", "confidence": 0.9},
                    timestamp=T0 + 70, input_channel="socketio"),
        ActionExecuted("action_relay_to_staff", timestamp=T0 + 71),
        ActionExecuted("action_listen", timestamp=T0 + 71),
        SlotSet("handoff_staff_reply", "Yes, I'm Dana at the front desk.", timestamp=T0 + 80),
        ActionExecuted("utter_staff_reply", timestamp=T0 + 80),
        BotUttered("Yes, I'm Dana at the front desk.", metadata={"utter_action": "utter_staff_reply"},
                   timestamp=T0 + 80),
        ActionExecuted("action_listen", timestamp=T0 + 80),
        UserUttered(None, {"name": "EXTERNAL_reminder", "confidence": 1.0}, timestamp=T0 + 90),  # trigger_intent
        UserUttered("thanks", {"name": "thank", "confidence": 0.9}, timestamp=T0 + 95, input_channel="socketio"),
    ]
    tracker = DialogueStateTracker.from_events("person", events)
    # Exactly what the server sends, through JSON and back.
    return json.loads(json.dumps(tracker.current_state(EventVerbosity.AFTER_RESTART)))


def test_person_assistant_and_staff_lines_in_order():
    lines = lines_from_tracker(api_tracker())
    assert [(line.speaker, line.text) for line in lines] == [
        ("person", "hi there"),
        ("assistant", "Hi, I'm the clinic's automated intake assistant."),
        ("assistant", "What would you like to do?\n[options: Questions about ketamine for PTSD | Talk to the front desk]"),
        ("person", "[chose: Talk to the front desk]"),
        ("assistant", "I've told our front desk you'd like to talk with a person."),
        ("assistant", "Dana from the front desk has joined this chat."),
        ("person", "<b>hello</b> are you a real person?"),  # as written: the console escapes it
        ("staff", "Yes, I'm Dana at the front desk."),
        ("person", "thanks"),
    ]


def test_times_are_the_events_times_in_utc():
    lines = lines_from_tracker(api_tracker())
    assert lines[0] == TranscriptLine(at(1), "person", "hi there")
    assert lines[-2].at == at(80) and lines[-2].at.tzinfo is not None


def test_a_typed_payload_that_matches_no_button_is_shown_as_typed():
    tracker = DialogueStateTracker.from_events("p", [
        ActionExecuted("action_listen"), UserUttered("/book_consultation", {"name": "book_consultation"})])
    lines = lines_from_tracker(tracker.current_state(EventVerbosity.AFTER_RESTART))
    assert [(line.speaker, line.text) for line in lines] == [("person", "/book_consultation")]


def test_an_empty_tracker():
    assert lines_from_tracker({"events": []}) == []
    assert lines_from_tracker({}) == []
