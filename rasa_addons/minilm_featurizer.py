"""Rasa NLU component: dense features from the all-MiniLM-L6-v2 sentence encoder (intake.minilm).

Sits beside the sparse n-gram featurizers. The sentence feature is the model's own sentence
embedding; each token's sequence feature is the mean of its word pieces' states, so the intent
classifier and the response selector see meaning ("how many hours is one treatment" ~ "how long does a session
last") and not only shared letters. Not trainable: the encoder's weights are fixed, so it adds
nothing to training but the forward passes.

Short replies repeat: most turns of an intake are "yes", "no", "not really", "hi". Their vectors
are kept (`short_replies_kept`, least recently used first out), so the encoder runs once per
distinct short reply and process rather than on every turn. Only replies of at most three
words of letters are kept: a phone number, an email or anything with digits is always encoded
afresh and never held.

    - name: rasa_addons.minilm_featurizer.MiniLMFeaturizer
      model_dir: build/minilm
      short_replies_kept: 1024
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Sequence, Text, Tuple, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, FEATURIZER_CLASS_ALIAS, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from intake.minilm import MiniLM, with_tensorflow
from intake.paths import PROJECT_ROOT


# The turn queue's safety decision encodes each message just before the pipeline does: the
# pipeline takes the states from here instead of a second forward pass (a few messages at once).
RECENT_MESSAGES_KEPT = 32


@lru_cache(maxsize=2)
def shared_encoder(model_dir: str) -> MiniLM:
    """One copy of the weights per process, however many pipelines (cross-validation folds) load
    it, with its large products computed by TensorFlow."""
    path = Path(model_dir)
    return with_tensorflow(MiniLM.load(path if path.is_absolute() else PROJECT_ROOT / path, RECENT_MESSAGES_KEPT))


SHORT_REPLY_WORDS = 3


def is_short_reply(token_texts: Sequence[str]) -> bool:
    """At most three tokens, each letters with an inner apostrophe at most ("don't"): the replies
    that recur from person to person, and never a number, a phone number or an email."""
    return 0 < len(token_texts) <= SHORT_REPLY_WORDS and all(
        text.replace("'", "").replace("’", "").isalpha() for text in token_texts)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds MiniLM sequence and sentence features to every message."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "model_dir": "build/minilm", "short_replies_kept": 1024}

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self.encoder = shared_encoder(str(self._config["model_dir"]))
        self._short_reply_vectors = lru_cache(maxsize=int(self._config["short_replies_kept"]))(self._encode)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data is encoded in batches of similar length (several times faster than one
        message at a time; the same vectors within float rounding)."""
        alias = self._config[FEATURIZER_CLASS_ALIAS]
        for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
            tokenized = [(message, message.get(TOKENS_NAMES[attribute])) for message in training_data.training_examples]
            tokenized = [(message, tokens) for message, tokens in tokenized if tokens]
            encoded = self.encoder.encode_many_tokens([[token.text for token in tokens] for _, tokens in tokenized])
            for (message, _), (sequence, sentence) in zip(tokenized, encoded):
                message.add_features(Features(sequence, FEATURE_TYPE_SEQUENCE, attribute, alias))
                message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, attribute, alias))
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
                self._add_features(message, attribute)
        return messages

    def _add_features(self, message: Message, attribute: Text) -> None:
        tokens = message.get(TOKENS_NAMES[attribute])
        if not tokens:
            return
        sequence, sentence = self.token_and_sentence_vectors([token.text for token in tokens])
        alias = self._config[FEATURIZER_CLASS_ALIAS]
        message.add_features(Features(sequence, FEATURE_TYPE_SEQUENCE, attribute, alias))
        message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, attribute, alias))

    def token_and_sentence_vectors(self, token_texts: List[str]) -> Tuple[np.ndarray, np.ndarray]:
        """(tokens x 384, 1 x 384): a short reply's kept vectors (copies, so that nobody changes
        the kept ones), or one forward pass."""
        if is_short_reply(token_texts):
            sequence, sentence = self._short_reply_vectors(tuple(token_texts))
            return sequence.copy(), sentence.copy()
        return self._encode(token_texts)

    def _encode(self, token_texts: Sequence[str]) -> Tuple[np.ndarray, np.ndarray]:
        """One forward pass over the tokens' word pieces."""
        return self.encoder.encode_tokens(token_texts)
