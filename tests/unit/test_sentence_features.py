"""The normalised sentence row shared by the linear intent classifier and the selector's featurizer."""
from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.normalized_sentence_featurizer import NormalizedSentenceFeaturizer
from rasa_addons.sentence_features import FeatureLayout, sentence_blocks

TEXTS = ["how long is a session", "how long does a session last, how long", "is ketamine addictive",
         "where is the clinic", "how much does it cost"]


def with_features(text: str, counts: List[float], dense: List[float]) -> Message:
    message = Message(data={TEXT: text})
    message.add_features(Features(scipy.sparse.coo_matrix([counts]), FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    message.add_features(Features(np.array([dense]), FEATURE_TYPE_SENTENCE, TEXT, "encoder"))
    return message


def test_each_block_has_its_length_whatever_the_message_length():
    rows = [sentence_blocks(with_features("a", [1, 0, 0, 0], [0.3, 0.4])),
            sentence_blocks(with_features("b", [9, 4, 0, 7], [3.0, 4.0]))]
    layout = FeatureLayout.fitted(rows, dense_weight=2.0)
    matrix = layout.matrix(rows).toarray()
    for row in matrix:
        counts, dense = row[:4], row[4:]  # blocks in origin order: "counts" before "encoder"
        assert np.linalg.norm(counts) == pytest.approx(1.0)
        assert np.linalg.norm(dense) == pytest.approx(2.0)


def test_a_word_in_every_message_weighs_less_than_a_rare_one():
    rows = [sentence_blocks(with_features(t, c, [1.0])) for t, c in
            [("x", [1, 1, 0]), ("y", [1, 0, 1]), ("z", [1, 0, 0])]]
    first = FeatureLayout.fitted(rows, 1.0).matrix(rows).toarray()[0]
    assert first[0] < first[1]


def test_a_missing_block_is_zeros_and_a_row_can_be_chosen_by_origin():
    full = with_features("a", [1, 2], [1.0, 0.0])
    layout = FeatureLayout.fitted([sentence_blocks(full)], 1.0)
    bare = Message(data={TEXT: "nothing"})
    assert layout.matrix([sentence_blocks(bare)]).nnz == 0
    assert set(sentence_blocks(full, ["encoder"])) == {"encoder"}


def _reference_row(counts: np.ndarray, idf: np.ndarray, dense: np.ndarray, dense_weight: float) -> np.ndarray:
    """The row written out densely: log(1 + count) x idf at unit length, then the dense block at
    length `dense_weight`."""
    tfidf = np.log1p(counts) * idf
    return np.concatenate([tfidf / (np.linalg.norm(tfidf) or 1.0),
                           dense / (np.linalg.norm(dense) or 1.0) * dense_weight])


def test_each_row_is_sublinear_tfidf_and_scaled_dense_values_in_block_order():
    rng = np.random.default_rng(7)
    counts = rng.integers(0, 3, size=(30, 12)) * (rng.random((30, 12)) < 0.4)
    dense = rng.normal(size=(30, 5))
    rows = [sentence_blocks(with_features(f"m{i}", list(c), list(d))) for i, (c, d) in enumerate(zip(counts, dense))]
    layout = FeatureLayout.fitted(rows, dense_weight=2.0)
    present = (counts > 0).sum(axis=0)
    idf = np.log((1 + len(rows)) / (1 + present)) + 1.0
    expected = np.vstack([_reference_row(c, idf, d, 2.0) for c, d in zip(counts, dense)])
    assert np.allclose(layout.matrix(rows).toarray(), expected, rtol=1e-12, atol=1e-15)
    columns, values = layout.entries(rows[3])
    assert np.allclose(np.bincount(columns, values, minlength=17), expected[3])


def test_stored_layout_gives_the_same_rows():
    rows = [sentence_blocks(with_features(t, [i, 1, 0], [i, 1.0])) for i, t in enumerate(TEXTS)]
    layout = FeatureLayout.fitted(rows, 2.0)
    again = FeatureLayout.from_arrays(layout.to_arrays())
    assert np.allclose(layout.matrix(rows).toarray(), again.matrix(rows).toarray())


@pytest.fixture()
def counted(tmp_path: Path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    counts = CountVectorsFeaturizer.create({**CountVectorsFeaturizer.get_default_config(), "alias": "words"},
                                           storage, Resource("counts"), context)
    messages = [Message(data={TEXT: t}) for t in TEXTS]
    data = TrainingData(messages)
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process_training_data(data)
    counts.train(data)
    counts.process_training_data(data)
    return storage, context, data


def normalized_features(message: Message) -> List[Features]:
    return [f for f in message.features if f.origin == "normalized"]


def test_the_featurizer_adds_one_normalised_sentence_feature_and_loads_the_same(counted):
    storage, context, data = counted
    config = {**NormalizedSentenceFeaturizer.get_default_config(), "alias": "normalized", "featurizers": ["words"]}
    featurizer = NormalizedSentenceFeaturizer.create(config, storage, Resource("normalized"), context)
    featurizer.train(data)
    featurizer.process_training_data(data)
    first = normalized_features(data.training_examples[0])
    assert len(first) == 1 and first[0].is_sparse() and first[0].type == FEATURE_TYPE_SENTENCE
    assert np.linalg.norm(first[0].features.toarray()) == pytest.approx(1.0)

    loaded = NormalizedSentenceFeaturizer.load(config, storage, Resource("normalized"), context)
    again = Message(data={TEXT: TEXTS[0]})
    again.features = [f for f in data.training_examples[0].features if f.origin != "normalized"]
    loaded.process([again])
    assert np.allclose(normalized_features(again)[0].features.toarray(), first[0].features.toarray())


def test_an_untrained_featurizer_adds_nothing(tmp_path: Path):
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = NormalizedSentenceFeaturizer.load({"alias": "normalized"}, LocalModelStorage(tmp_path),
                                               Resource("never"), context)
    message = with_features("hello", [1.0], [1.0])
    assert normalized_features(loaded.process([message])[0]) == []
