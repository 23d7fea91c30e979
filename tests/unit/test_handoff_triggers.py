"""The handoff triggers in the actions, run as the action server runs them: a rasa_sdk Tracker made
from the state Rasa sends (a Rasa tracker serialised by Rasa), a real dispatcher, a real SQLite
app database."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import List

import pytest
import sqlalchemy as sa
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionOfferClosestTopics
from actions.handoff import ActionRelayToStaff, ActionRequestHandoff, unsure_turns_in_a_row
from actions.safety import ActionAsqResult, ActionRecordCrisis, ActionRecordNotSafe
from intake.handoff import claim, get_item, open_item_for
from intake.handoff.hours import urgent_flag_reply
from intake.settings import DEFAULT_CONFIG_PATH, settings
from intake.storage import database

PHONE = settings().clinic.front_desk_phone
DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    """The actions use the configured database: point it at a fresh file for each test."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    monkeypatch.delenv("INTAKE_ALERT_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("INTAKE_SMTP_HOST", raising=False)
    settings.cache_clear()
    yield url
    settings.cache_clear()
    database.cache_clear()


def sdk_tracker(*events: Event, sender: str = "person", slots=None) -> Tracker:
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"), *events], slots=DOMAIN.slots)
    for name, value in (slots or {}).items():
        tracker.update(SlotSet(name, value))
    return Tracker.from_dict(tracker.current_state(EventVerbosity.ALL))


def said(dispatcher: CollectingDispatcher) -> List[dict]:
    return dispatcher.messages


def user(intent: str, text: str = None, **extra) -> UserUttered:
    return UserUttered(text or f"/{intent}", {"name": intent, "confidence": 1.0}, input_channel="socketio", **extra)


# -- asked for a human ----------------------------------------------------------------------------
def test_asking_for_a_human_opens_an_item_and_says_when_the_desk_answers(app_db):
    dispatcher = CollectingDispatcher()
    assert ActionRequestHandoff().run(dispatcher, sdk_tracker(user("request_human")), {}) == []
    item = open_item_for("person", app_db)
    assert (item.reasons, item.priority, item.channel) == (["asked_for_human"], "normal", "socketio")
    [message] = said(dispatcher)
    assert message["response"] in ("utter_handoff_requested", "utter_handoff_requested_closed")
    assert message["front_desk_phone"] == PHONE
    if message["response"] == "utter_handoff_requested_closed":
        assert message["desk_hours"].startswith("The front desk is closed now. They will answer from")


def test_call_me_at_the_booking_contact_question_is_an_answer_not_a_handoff(app_db):
    tracker = sdk_tracker(ActiveLoop("booking_form"), SlotSet("requested_slot", "booking_contact_method"),
                          ActionExecuted("action_listen"), user("request_human", "call me please"))
    dispatcher = CollectingDispatcher()
    assert ActionRequestHandoff().run(dispatcher, tracker, {}) == []
    assert said(dispatcher) == [] and open_item_for("person", app_db) is None


def test_a_queue_failure_still_gives_the_phone_number_and_crisis_numbers(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("INTAKE_DATABASE_URL", f"sqlite:///{blocker}/app.db")  # cannot be created
    settings.cache_clear()
    try:
        dispatcher = CollectingDispatcher()
        ActionRequestHandoff().run(dispatcher, sdk_tracker(user("request_human")), {})
    finally:
        settings.cache_clear()
        database.cache_clear()
    message = said(dispatcher)[0]
    assert message["response"] == "utter_handoff_failed" and message["front_desk_phone"] == PHONE
    # The response itself (English and Spanish) gives the phone, 911 and 988.
    import yaml
    from rasa_addons.language_responses import responses_in
    english = yaml.safe_load(open("domain.yml", encoding="utf-8"))["responses"]["utter_handoff_failed"]
    for variant in english + responses_in("es")["utter_handoff_failed"]:
        assert "{front_desk_phone}" in variant["text"] and "911" in variant["text"] and "988" in variant["text"]


# -- relay --------------------------------------------------------------------------------------
def test_a_relayed_message_is_noted_and_nothing_is_said(app_db):
    tracker = sdk_tracker(user("request_human"))
    ActionRequestHandoff().run(CollectingDispatcher(), tracker, {})
    item = open_item_for("person", app_db)
    claim(item.id, "dana", app_db)
    dispatcher = CollectingDispatcher()
    assert ActionRelayToStaff().run(dispatcher, sdk_tracker(user("greet", "hello?")), {}) == []
    assert said(dispatcher) == [] and get_item(item.id, app_db).last_user_message_at is not None


# -- two unsure replies in a row ----------------------------------------------------------------
def unsure_turn(text: str) -> List[Event]:
    return [user("nlu_fallback", text), ActionExecuted("action_offer_closest_topics"),
            BotUttered("I'm not sure I understood."), ActionExecuted("action_listen")]


def test_unsure_turns_are_counted_in_a_row():
    assert unsure_turns_in_a_row(sdk_tracker(user("nlu_fallback", "blorp"))) == 1
    assert unsure_turns_in_a_row(sdk_tracker(*unsure_turn("blorp"), user("nlu_fallback", "zzz"))) == 2
    answered = [user("greet", "hi"), ActionExecuted("utter_greet"), ActionExecuted("action_listen")]
    assert unsure_turns_in_a_row(sdk_tracker(*unsure_turn("a"), *answered, user("nlu_fallback", "b"))) == 1


def test_the_second_unsure_reply_in_a_row_asks_the_desk_to_look(app_db):
    first = CollectingDispatcher()
    ActionOfferClosestTopics().run(first, sdk_tracker(user("nlu_fallback", "blorp")), {})
    assert [m["response"] for m in said(first)] == ["utter_default"] and open_item_for("person", app_db) is None

    second = CollectingDispatcher()
    ActionOfferClosestTopics().run(second, sdk_tracker(*unsure_turn("blorp"), user("nlu_fallback", "zzz")), {})
    assert [m["response"] for m in said(second)] == ["utter_default", "utter_handoff_fallback_noted"]
    item = open_item_for("person", app_db)
    assert (item.reasons, item.priority) == (["repeated_fallback"], "normal")


# -- crisis and the safety screen -----------------------------------------------------------------
def test_a_crisis_makes_the_item_urgent_even_while_a_staff_member_holds_it(app_db):
    ActionRequestHandoff().run(CollectingDispatcher(), sdk_tracker(user("request_human")), {})
    item = open_item_for("person", app_db)
    claim(item.id, "dana", app_db)
    crisis = user("crisis_suicide", "i want to die")
    ActionRecordCrisis().run(CollectingDispatcher(), sdk_tracker(crisis), {})
    raised = get_item(item.id, app_db)
    assert (raised.priority, raised.status, raised.claimed_by) == ("urgent", "claimed", "dana")
    assert raised.reasons == ["asked_for_human", "crisis"]


def test_not_safe_makes_a_new_urgent_item_and_still_says_it_was_flagged(app_db):
    dispatcher = CollectingDispatcher()
    ActionRecordNotSafe().run(dispatcher, sdk_tracker(user("deny", "no"), sender="other"), {})
    assert said(dispatcher)[0]["text"] == urgent_flag_reply(datetime.now(timezone.utc))
    item = open_item_for("other", app_db)
    assert (item.reasons, item.priority) == (["crisis"], "urgent")


def test_a_queue_failure_never_stops_the_crisis_action(tmp_path, monkeypatch):
    """The alert table and the queue share the database here, so make only the queue fail: the
    crisis action must still record the alert and return its events."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    monkeypatch.setenv("INTAKE_CLINIC_CONFIG", str(_config_with_bad_priority(tmp_path)))
    settings.cache_clear()
    try:
        events = ActionRecordCrisis().run(CollectingDispatcher(), sdk_tracker(user("crisis_suicide", "i want to die")),
                                          {})
        assert events == []
        assert open_item_for("person", url) is None
        with sa.create_engine(url).connect() as connection:
            assert connection.execute(sa.text("SELECT category, priority FROM alerts")).all() == [("suicide", "urgent")]
    finally:
        settings.cache_clear()
        database.cache_clear()


def _config_with_bad_priority(tmp_path):
    raw = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text())
    raw["handoff"]["priorities"]["crisis"] = "very urgent"  # the queue refuses to run with this
    path = tmp_path / "clinic.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize("answers,reason,priority", [
    ({"asq_wished_dead": "yes", "asq_family_better_off": "no", "asq_thoughts_of_killing": "no",
      "asq_ever_tried": "no", "asq_thoughts_now": "no"}, "asq_non_acute", "high"),
    ({"asq_wished_dead": "yes", "asq_family_better_off": "no", "asq_thoughts_of_killing": "yes",
      "asq_ever_tried": "no", "asq_thoughts_now": "yes"}, "asq_acute", "urgent"),
])
def test_a_positive_safety_screen_goes_to_the_queue(app_db, answers, reason, priority):
    tracker = sdk_tracker(user("deny", "no"), slots=answers)
    ActionAsqResult().run(CollectingDispatcher(), tracker, {})
    item = open_item_for("person", app_db)
    assert (item.reasons, item.priority) == ([reason], priority)


def test_a_negative_safety_screen_does_not(app_db):
    answers = {"asq_wished_dead": "no", "asq_family_better_off": "no", "asq_thoughts_of_killing": "no",
               "asq_ever_tried": "no"}
    ActionAsqResult().run(CollectingDispatcher(), sdk_tracker(user("deny", "no"), slots=answers), {})
    assert open_item_for("person", app_db) is None
