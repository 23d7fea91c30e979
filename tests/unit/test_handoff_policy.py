"""The handoff policy on real Rasa trackers, with the configuration from config.yml.

Trackers are built from Rasa events exactly as the server stores them, including the shape the
front-desk console leaves (a response executed through the HTTP API, then action_listen).
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_addons.handoff_policy import HandoffPolicy

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
CRISIS_INTENTS = [i for i in DOMAIN.intents if i.startswith("crisis_")]
RELAY = "action_relay_to_staff"


def configured_policy_config() -> Dict:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    entries = [p for p in config["policies"] if p["name"].endswith("handoff_policy.HandoffPolicy")]
    assert len(entries) == 1, "the handoff policy is configured once in config.yml"
    return {k: v for k, v in entries[0].items() if k != "name"}


@pytest.fixture(scope="module")
def policy(tmp_path_factory) -> HandoffPolicy:
    storage = LocalModelStorage(tmp_path_factory.mktemp("policy"))
    context = ExecutionContext(GraphSchema({}), "test")
    return HandoffPolicy.create({**HandoffPolicy.get_default_config(), **configured_policy_config()},
                                storage, Resource("handoff_policy"), context)


def user(intent: str, text: Optional[str] = None) -> UserUttered:
    return UserUttered(text or f"/{intent}", {"name": intent, "confidence": 1.0})


def tracker(*events: Event, active: Optional[bool] = True) -> DialogueStateTracker:
    start: List[Event] = [ActionExecuted("action_session_start"), ActionExecuted(ACTION_LISTEN_NAME)]
    if active is not None:
        start.append(SlotSet("handoff_active", active))
    return DialogueStateTracker.from_events("person", start + list(events), slots=DOMAIN.slots)


def predicted(policy: HandoffPolicy, tracker_: DialogueStateTracker) -> Optional[str]:
    """The action the policy predicts with full confidence, or None when it abstains."""
    prediction = policy.predict_action_probabilities(tracker_, DOMAIN)
    if max(prediction.probabilities) == 0.0:
        return None
    assert max(prediction.probabilities) == 1.0
    assert prediction.policy_priority > 4, "above the RulePolicy (priority 4)"
    return DOMAIN.action_names_or_texts[prediction.max_confidence_index]


def test_it_is_configured_above_the_rule_policy_and_covers_every_crisis_intent(policy):
    assert policy.priority == 6
    assert CRISIS_INTENTS and all(policy.is_safety_intent(intent) for intent in CRISIS_INTENTS)
    assert policy.is_safety_intent("feeling_low")
    assert not policy.is_safety_intent("nlu_fallback")
    assert set(policy.safety_questions) == {"utter_ask_safe_now", "utter_ask_third_party_safe",
                                            "utter_crisis_check_again", "utter_check_in",
                                            "utter_ask_anyone_in_danger", "utter_ask_anyone_in_danger_again"}


@pytest.mark.parametrize("intent", ["greet", "faq", "book_consultation", "request_human", "deny", "affirm",
                                    "restart", "stop", "nlu_fallback", "out_of_scope"])
def test_while_a_staff_member_holds_the_conversation_a_message_is_relayed(policy, intent):
    assert predicted(policy, tracker(user(intent))) == RELAY


def test_after_the_relay_it_listens(policy):
    assert predicted(policy, tracker(user("greet"), ActionExecuted(RELAY))) == ACTION_LISTEN_NAME


@pytest.mark.parametrize("intent", CRISIS_INTENTS + ["feeling_low"])
def test_it_abstains_for_a_risk_message_so_the_crisis_rules_answer(policy, intent):
    assert predicted(policy, tracker(user(intent))) is None


@pytest.mark.parametrize("question", ["utter_ask_safe_now", "utter_ask_third_party_safe",
                                      "utter_crisis_check_again", "utter_check_in"])
@pytest.mark.parametrize("answer", ["deny", "affirm", "safe_now", "nlu_fallback"])
def test_it_abstains_for_the_answer_to_a_safety_question(policy, question, answer):
    events = [user("crisis_suicide", "i want to die"), ActionExecuted("utter_crisis_suicide"),
              ActionExecuted("action_record_crisis"), ActionExecuted(question), BotUttered("Are you safe?"),
              ActionExecuted(ACTION_LISTEN_NAME), user(answer)]
    assert predicted(policy, tracker(*events)) is None


@pytest.mark.parametrize("console_events", [
    # what intake.handoff.rasa_api appends: slots and a bot message, no action
    [SlotSet("handoff_staff_reply", "I'm here with you."),
     BotUttered("I'm here with you.", metadata={"utter_action": "utter_staff_reply"})],
    # a response run through /execute, then action_listen (not what the console does, but safe too)
    [ActionExecuted("utter_staff_reply"), BotUttered("I'm here with you."), ActionExecuted(ACTION_LISTEN_NAME)],
])
def test_a_staff_message_between_the_safety_question_and_the_answer_does_not_hide_the_question(policy,
                                                                                              console_events):
    events = [user("crisis_suicide", "i want to die"), ActionExecuted("utter_crisis_suicide"),
              ActionExecuted("utter_ask_safe_now"), ActionExecuted(ACTION_LISTEN_NAME), *console_events,
              user("deny", "no")]
    assert predicted(policy, tracker(*events)) is None


def test_the_message_after_the_safety_exchange_is_relayed_again(policy):
    events = [user("crisis_suicide", "i want to die"), ActionExecuted("utter_crisis_suicide"),
              ActionExecuted("utter_ask_safe_now"), ActionExecuted(ACTION_LISTEN_NAME), user("safe_now"),
              ActionExecuted("utter_crisis_safe_followup"), ActionExecuted(ACTION_LISTEN_NAME),
              user("greet", "thanks for staying with me")]
    assert predicted(policy, tracker(*events)) == RELAY


def test_a_message_right_after_a_response_executed_by_the_console_is_relayed(policy):
    """Even without the action_listen the console appends, the message is still relayed."""
    events = [ActionExecuted("utter_handoff_claimed"), BotUttered("Dana from the front desk has joined"),
              user("greet", "hi Dana")]
    assert predicted(policy, tracker(*events)) == RELAY


@pytest.mark.parametrize("active", [None, False])
def test_without_a_handoff_it_abstains(policy, active):
    assert predicted(policy, tracker(user("greet"), active=active)) is None
    assert predicted(policy, tracker(user("greet"), ActionExecuted(RELAY), active=active)) is None


def test_it_abstains_in_the_middle_of_a_rule(policy):
    """Only the turn right after a message is the policy's: the crisis rule's later steps are not."""
    events = [user("crisis_suicide", "i want to die"), ActionExecuted("action_deactivate_loop"),
              ActionExecuted("utter_crisis_suicide")]
    assert predicted(policy, tracker(*events)) is None


def test_the_slot_cannot_be_set_by_what_the_person_types():
    slot = next(s for s in DOMAIN.slots if s.name == "handoff_active")
    assert [m["type"] for m in slot.mappings] == ["custom"]
    assert not slot.influence_conversation
    for name in ("handoff_staff_name", "handoff_staff_reply"):
        slot = next(s for s in DOMAIN.slots if s.name == name)
        assert [m["type"] for m in slot.mappings] == ["custom"] and not slot.influence_conversation
