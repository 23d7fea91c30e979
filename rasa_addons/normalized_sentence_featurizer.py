"""Rasa NLU component: the sentence features before it, normalised into one sparse block.

Rasa's ResponseSelector reads raw counts: a long message outvotes a short one, and the tens of
thousands of character n-grams drown MiniLM's 384 numbers. This featurizer hands it the same
row the linear intent classifier uses (rasa_addons.sentence_features: sublinear tf-idf at unit
length per sparse block, dense blocks at length `dense_weight`), learnt on the training data.
The selector also needs sequence features, which this featurizer does not make: give it this
featurizer plus one that has them (MiniLM). Reading MiniLM inside this row as well, at length
`dense_weight`, gives meaning more say than the raw vector alone (5 fixed folds: FAQ macro-F1
0.891 without, 0.942 with; docs/faq.md). Put it after the intent classifier, or give the
classifier its own `featurizers`, so the classifier does not read this row (config.yml does
the first):

    - name: rasa_addons.normalized_sentence_featurizer.NormalizedSentenceFeaturizer
      alias: normalized_ngrams
      featurizers: [word_ngrams, char_ngrams, minilm]
      dense_weight: 2.0
    - name: ResponseSelector
      featurizers: [normalized_ngrams, minilm]
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.sentence_features import FeatureLayout, sentence_blocks, stored_arrays

logger = logging.getLogger(__name__)

LAYOUT_FILE = "normalized_sentence_features.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class NormalizedSentenceFeaturizer(SparseFeaturizer, GraphComponent):
    """Adds one sparse sentence feature: the earlier featurizers' sentence features, normalised."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # `featurizers`: aliases of the featurizers to read (empty: every one before it).
        return {**SparseFeaturizer.get_default_config(), "dense_weight": 2.0, "featurizers": []}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 name: Text, layout: Optional[FeatureLayout] = None) -> None:
        super().__init__(name, config)
        self._model_storage, self._resource, self.layout = model_storage, resource, layout

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "NormalizedSentenceFeaturizer":
        return cls(config, model_storage, resource, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    def _blocks(self, message: Message) -> Dict[str, Any]:
        own = {self._identifier}
        return {origin: block for origin, block in sentence_blocks(message, self._config["featurizers"]).items()
                if origin not in own}

    def train(self, training_data: TrainingData) -> Resource:
        rows = [self._blocks(m) for m in training_data.training_examples if m.get(TEXT)]
        self.layout = FeatureLayout.fitted(rows, float(self._config["dense_weight"]))
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / LAYOUT_FILE, **self.layout.to_arrays())
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "NormalizedSentenceFeaturizer":
        arrays = stored_arrays(model_storage, resource, LAYOUT_FILE)
        layout = FeatureLayout.from_arrays(arrays) if arrays is not None else None
        if layout is None:
            logger.warning("NormalizedSentenceFeaturizer was not trained; it adds no features.")
        return cls(config, model_storage, resource, execution_context.node_name, layout)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process([m for m in training_data.training_examples if m.get(TEXT)])
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        texts = [m for m in messages if m.get(TEXT) is not None]
        if self.layout is None or not texts:
            return messages
        width = self.layout.width
        for message in texts:
            columns, values = self.layout.entries(self._blocks(message))
            row = scipy.sparse.coo_matrix((values, (np.zeros_like(columns), columns)), shape=(1, width))
            message.add_features(Features(row, FEATURE_TYPE_SENTENCE, TEXT, self._identifier))
        return messages
