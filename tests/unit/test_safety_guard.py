"""The safety guard component on Rasa messages, with the real detector and the built risk model."""
from __future__ import annotations

from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.safety_guard import RISK_KEY, SafetyGuard


def _message(text: str, intent: str, confidence: float) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    return message


GUARD = SafetyGuard(SafetyGuard.get_default_config())


def test_pattern_finding_overrides_any_prediction_including_the_fallback():
    for predicted in ("nlu_fallback", "greet", "book_consultation"):
        message = GUARD.process([_message("i wanna die", predicted, 0.99)])[0]
        assert message.get(INTENT) == {"name": "crisis_suicide", "confidence": 1.0}
        assert message.get(INTENT_RANKING_KEY)[0]["name"] == "crisis_suicide"
        assert message.get(RISK_KEY) == {"category": "suicide", "handling": "self", "rule": "suicide_explicit",
                                         "source": "patterns"}


def test_finding_is_in_the_parse_output():
    message = GUARD.process([_message("my brother wants to kill himself", "greet", 0.9)])[0]
    assert message.as_dict(only_output_properties=True)[RISK_KEY]["handling"] == "third_party"


def test_benign_message_keeps_its_intent():
    message = GUARD.process([_message("how long is a session", "ask_question", 0.8)])[0]
    assert message.get(INTENT)["name"] == "ask_question"
    assert message.get(RISK_KEY) is None


def test_unsure_learned_crisis_prediction_becomes_a_direct_check_in():
    message = GUARD.process([_message("it is what it is i guess", "crisis_suicide", 0.7)])[0]
    assert message.get(INTENT)["name"] == "feeling_low"


def test_confident_learned_crisis_prediction_is_kept():
    message = GUARD.process([_message("it is what it is i guess", "crisis_suicide", 0.95)])[0]
    assert message.get(INTENT)["name"] == "crisis_suicide"


def test_distress_read_by_the_decision_outranks_a_learned_crisis_guess():
    message = GUARD.process([_message("everything is grey lately", "crisis_suicide", 0.95)])[0]
    assert message.get(INTENT)["name"] == "share_distress"


def test_a_bare_answer_word_is_an_answer_whatever_the_learned_crisis_prediction():
    for text, intent in (("never", "deny"), ("nope", "deny"), ("2", "deny"), ("yes", "affirm"),
                         ("1", "affirm"), ("I'd rather not say", "skip_question")):
        message = GUARD.process([_message(text, "crisis_suicide", 0.99)])[0]
        assert message.get(INTENT)["name"] == intent, text


def test_an_answer_word_with_a_risk_is_still_a_crisis():
    message = GUARD.process([_message("yes, I want to kill myself", "affirm", 0.99)])[0]
    assert message.get(INTENT)["name"] == "crisis_suicide"


def test_trauma_told_as_history_gets_its_intent_and_the_kind_for_the_hotline():
    message = GUARD.process([_message("I was raped when I was nineteen, it was a long time ago",
                                      "nlu_fallback", 0.4)])[0]
    assert message.get(INTENT)["name"] == "share_trauma_history"
    assert [e["value"] for e in message.get(ENTITIES) if e["entity"] == "trauma_kind"] == ["sexual_assault"]


def test_a_specific_request_stays_a_request_when_history_is_told_with_it():
    message = GUARD.process([_message("I was in Iraq in 2005, I'd like to book a consultation",
                                      "book_consultation", 0.95)])[0]
    assert message.get(INTENT)["name"] == "book_consultation"


def test_symptoms_stay_symptoms_when_the_decision_reads_distress():
    text = "everything is grey lately"
    assert GUARD.judge.decide(text).outcome == "distress"
    assert GUARD.process([_message(text, "describe_symptoms", 0.9)])[0].get(INTENT)["name"] == "describe_symptoms"
    assert GUARD.process([_message(text, "nlu_fallback", 0.3)])[0].get(INTENT)["name"] == "share_distress"
