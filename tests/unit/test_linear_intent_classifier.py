"""The linear intent classifier: trained on real featurizers' output, saved, loaded, asked."""
from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.linear_intent_classifier import LinearIntentClassifier

EXAMPLES = {
    "greet": ["hi", "hello there", "hey", "good morning", "hiya", "hello"],
    "goodbye": ["bye", "see you later", "goodbye", "talk later", "bye bye", "see ya"],
    "book_consultation": ["book a visit", "i want an appointment", "schedule a consultation",
                          "can i book", "make an appointment", "book me in"],
}


def tokenized(texts_and_intents: List[tuple]) -> List[Message]:
    messages = [Message(data={"text": text, **({"intent": intent} if intent else {})})
                for text, intent in texts_and_intents]
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process_training_data(TrainingData(messages))
    return messages


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("linear"))
    context = ExecutionContext(GraphSchema({}), "test")
    counts = CountVectorsFeaturizer.create({**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb",
                                            "min_ngram": 1, "max_ngram": 3},
                                           storage, Resource("counts"), context)
    rows = [(text, intent) for intent, texts in EXAMPLES.items() for text in texts]
    messages = tokenized(rows)
    data = TrainingData(messages)
    counts.train(data)
    counts.process_training_data(data)
    resource = Resource("linear")
    classifier = LinearIntentClassifier.create(LinearIntentClassifier.get_default_config(), storage, resource, context)
    classifier.train(data)
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage, resource, context)
    return counts, classifier, loaded


def classify(trained, text: str) -> Message:
    counts, _, loaded = trained
    message = tokenized([(text, None)])[0]
    counts.process([message])
    return loaded.process([message])[0]


@pytest.mark.parametrize("text,intent", [("hello!", "greet"), ("bye for now", "goodbye"),
                                         ("i'd like to book an appointment", "book_consultation")])
def test_unseen_phrasings_get_their_intent(trained, text, intent):
    assert classify(trained, text).get("intent")["name"] == intent


def test_ranking_is_a_probability_distribution_best_first(trained):
    ranking = classify(trained, "hello there friend").get("intent_ranking")
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert {r["name"] for r in ranking} == set(EXAMPLES)


def test_the_loaded_model_answers_as_the_trained_one(trained):
    counts, classifier, loaded = trained
    message = tokenized([("see you soon", None)])[0]
    counts.process([message])
    assert np.allclose(classifier.probabilities([message]), loaded.probabilities([message]))


def test_a_message_without_features_still_gets_a_distribution(trained):
    _, _, loaded = trained
    probabilities = loaded.probabilities([Message(data={"text": ""})])
    assert probabilities.shape == (1, len(EXAMPLES)) and probabilities.sum() == pytest.approx(1.0)


def test_an_untrained_model_leaves_messages_alone(tmp_path: Path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = LinearIntentClassifier.load({}, storage, Resource("never_trained"), context)
    message = Message(data={"text": "hello"})
    assert loaded.process([message])[0].get("intent") is None


def test_dense_features_alone_are_enough(tmp_path: Path):
    """A pipeline with a sentence encoder and no n-gram featurizer: the dense block makes the row."""
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    directions = {"greet": [1.0, 0.0, 0.0], "goodbye": [0.0, 1.0, 0.0], "book_consultation": [0.0, 0.0, 1.0]}

    def encoded(intent: str | None, vector: List[float]) -> Message:
        message = Message(data={"text": "x", **({"intent": intent} if intent else {})})
        message.add_features(Features(np.array([vector]), FEATURE_TYPE_SENTENCE, TEXT, "encoder"))
        return message

    rng = np.random.default_rng(3)
    data = TrainingData([encoded(intent, list(np.array(d) + rng.normal(0, 0.1, 3)))
                         for intent, d in directions.items() for _ in range(5)])
    classifier = LinearIntentClassifier.create(LinearIntentClassifier.get_default_config(), storage,
                                               Resource("dense"), context)
    classifier.train(data)
    message = classifier.process([encoded(None, [0.1, 0.9, 0.2])])[0]
    assert message.get("intent")["name"] == "goodbye"
