"""The FAQ gate: an FAQ answer only when the response selector is confident, never for markup."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.faq_gate import FALLBACK_INTENT, FaqGate


def classified(text: str, selector_confidence: float, intent: str = "faq") -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.99})
    message.set("response_selector", {"faq": {"response": {"confidence": selector_confidence}}})
    return message


def gated(message: Message) -> str:
    return FaqGate({"threshold": 0.5}).process([message])[0].get("intent")["name"]


def test_a_confident_answer_passes():
    assert gated(classified("how fast does ketamine work", 0.9)) == "faq"


def test_an_unsure_answer_becomes_a_fallback():
    assert gated(classified("what about the thing", 0.3)) == FALLBACK_INTENT


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{7*7}}",
                                  "'; DROP TABLE bookings", "javascript:alert(1)", "A" * 500,
                                  "is ketamine " + "x" * 60])
def test_markup_code_and_junk_are_never_answered_from_the_faq(text):
    assert gated(classified(text, 0.99)) == FALLBACK_INTENT


def test_other_intents_are_left_alone():
    assert gated(classified("<b>hello</b>", 0.1, intent="greet")) == "greet"


def test_a_link_in_a_real_question_is_not_junk():
    assert gated(classified("is this article right https://example.org/ketamine/ptsd-treatment-facts", 0.9)) == "faq"


# -- the second reading: an unsure answer given when three readings agree ----------------------

import numpy as np  # noqa: E402
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.features import Features  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from rasa_addons.topic_neighbours import TopicNeighbours  # noqa: E402

READING = {"classifier_min": 0.5, "selector_min": 0.2, "selector_ratio": 2.0, "neighbour_min": 0.5, "neighbours": 2}
DRIVING, SIDE_EFFECTS = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])


def with_vector(message: Message, vector) -> Message:
    message.add_features(Features(np.asarray(vector, dtype=np.float32).reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT,
                                  "minilm"))
    return message


def trained_gate() -> FaqGate:
    examples = []
    for text, topic, vector in [("can i drive home", "driving", DRIVING), ("do i need a ride", "driving", DRIVING),
                                ("side effects?", "side_effects", SIDE_EFFECTS),
                                ("will i feel sick", "side_effects", SIDE_EFFECTS)]:
        example = Message(data={"text": text, "intent": "faq", "intent_response_key": f"faq/{topic}"})
        examples.append(with_vector(example, vector))
    examples.append(with_vector(Message(data={"text": "hi", "intent": "greet"}), [0.0, 0.0, 1.0]))
    gate = FaqGate({"threshold": 0.5, "second_reading": READING})
    gate.train(TrainingData(examples))
    return gate


def unsure(text: str, vector, ranking, classifier: float = 0.66, first: str = "faq") -> Message:
    """A message the fallback classifier set to nlu_fallback; `first` was the classifier's choice."""
    message = with_vector(Message(data={"text": text}), vector)
    message.set("intent", {"name": FALLBACK_INTENT, "confidence": 0.7})
    message.set("intent_ranking", [{"name": FALLBACK_INTENT, "confidence": 0.7}, {"name": first, "confidence": classifier},
                                   {"name": "greet", "confidence": 0.1}])
    message.set("response_selector", {"faq": {
        "response": {"confidence": ranking[0][1], "intent_response_key": f"faq/{ranking[0][0]}"},
        "ranking": [{"intent_response_key": f"faq/{topic}", "confidence": value} for topic, value in ranking]}})
    return message


def test_the_topic_neighbours_score_a_topic_by_its_closest_phrasings():
    neighbours = TopicNeighbours.fitted([("driving", DRIVING), ("side_effects", SIDE_EFFECTS)], k=1)
    topic, cosine = neighbours.nearest(np.array([0.9, 0.1, 0.0]))
    assert topic == "driving" and cosine > 0.9
    assert TopicNeighbours.from_arrays(neighbours.to_arrays()).nearest(np.array([0.1, 0.9, 0.0]))[0] == "side_effects"
    assert TopicNeighbours.fitted([]) is None


def test_an_unsure_answer_is_given_when_the_three_readings_agree():
    message = trained_gate().process([unsure("can i take an uber home after the infusion", [0.9, 0.2, 0.0],
                                             [("driving", 0.45), ("side_effects", 0.1)])])[0]
    assert message.get("intent")["name"] == "faq"
    assert message.get("intent")["confidence"] == pytest.approx(0.66)


@pytest.mark.parametrize("vector, ranking, classifier, first", [
    ([0.1, 0.9, 0.0], [("driving", 0.45), ("side_effects", 0.1)], 0.66, "faq"),  # meaning says side effects
    ([0.9, 0.2, 0.0], [("driving", 0.45), ("side_effects", 0.3)], 0.66, "faq"),  # selector torn between two
    ([0.9, 0.2, 0.0], [("driving", 0.15), ("side_effects", 0.01)], 0.66, "faq"),  # selector barely sure of any
    ([0.9, 0.2, 0.0], [("driving", 0.45), ("side_effects", 0.1)], 0.4, "faq"),  # classifier unsure it is a question
    ([0.9, 0.2, 0.0], [("driving", 0.45), ("side_effects", 0.1)], 0.66, "greet"),  # classifier chose another intent
    ([0.3, 0.3, 0.9], [("driving", 0.45), ("side_effects", 0.1)], 0.66, "faq"),  # near no topic at all
])
def test_an_unsure_answer_stays_unanswered_when_any_reading_disagrees(vector, ranking, classifier, first):
    message = trained_gate().process([unsure("can i take an uber home after the infusion", vector, ranking, classifier, first)])[0]
    assert message.get("intent")["name"] == FALLBACK_INTENT


@pytest.mark.parametrize("text", ["<b>can i drive after ketamine</b>", "side effects of lithium",
                                  "can i take an uber home after",  # names nothing of the clinic's own
                                  "I was in a car crash at 19 and I still can't drive on the freeway since my ptsd started"])
def test_markup_other_subjects_and_personal_statements_are_never_read_a_second_time(text):
    message = trained_gate().process([unsure(text, [0.9, 0.2, 0.0], [("driving", 0.45), ("side_effects", 0.1)])])[0]
    assert message.get("intent")["name"] != "faq"


def test_a_gate_without_a_second_reading_never_answers_an_unsure_question():
    gate = trained_gate()
    gate.config["second_reading"] = None
    message = gate.process([unsure("can i take an uber home after the infusion", [0.9, 0.2, 0.0],
                                   [("driving", 0.45), ("side_effects", 0.1)])])[0]
    assert message.get("intent")["name"] == FALLBACK_INTENT


def test_an_answer_the_gate_itself_found_unsure_is_read_a_second_time():
    message = unsure("how do i get home after the infusion", [0.9, 0.2, 0.0], [("driving", 0.3), ("side_effects", 0.1)])
    message.set("intent", {"name": "faq", "confidence": 0.95})
    message.set("intent_ranking", [{"name": "faq", "confidence": 0.95}])
    assert trained_gate().process([message])[0].get("intent")["name"] == "faq"


@pytest.mark.parametrize("text", ["I'm nervous about needles", "my partner will come with me for support",
                                  "I don't really trust medication"])
def test_a_statement_with_no_question_in_it_is_never_answered_from_the_faq(text):
    assert gated(classified(text, 0.99)) == FALLBACK_INTENT


@pytest.mark.parametrize("text", ["my husband has ptsd how can i help him", "im on seroquel is that a problem with ketamine",
                                  "I've tried five meds. would ketamine still help", "I'm curious whether it works"])
def test_a_statement_with_a_question_inside_is_still_answered(text):
    assert gated(classified(text, 0.99)) == "faq"


@pytest.mark.parametrize("text", ["is it ok", "wait does it do that", "and then what?"])
def test_a_question_with_no_subject_of_its_own_is_never_answered(text):
    assert gated(classified(text, 0.95)) == FALLBACK_INTENT
