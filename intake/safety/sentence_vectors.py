"""MiniLM sentence vectors of messages, made the way the running assistant makes them.

In the Rasa server the vector comes from the pipeline (SpacyNLP lower-cases the text, the spaCy
tokenizer splits it, rasa_addons.minilm_featurizer encodes the tokens). Training the risk model,
evaluating it and deciding outside Rasa (the SMS channel's opted-out path, the reports) go through
this class instead, which repeats those steps, so the model sees the same vectors everywhere.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Callable, List, Optional, Sequence

import numpy as np

from intake.minilm import DEFAULT_MODEL_DIR, MiniLM, with_tensorflow
from intake.nlp import load_pipeline


def message_tokens(nlp, text: str) -> List[str]:
    """The token texts Rasa's SpacyNLP + SpacyTokenizer give for a message (lower-cased,
    whitespace tokens dropped)."""
    return [token.text for token in nlp(text.lower()) if token.text.strip()]


class SentenceVectors:
    """Sentence vectors for texts. The encoder is made on first use (by `encoder_factory` when
    given): a Rasa server builds this in its first process, and an encoder that starts TensorFlow
    there, before Sanic forks its workers, hangs them."""

    def __init__(self, model_dir: Path = DEFAULT_MODEL_DIR,
                 encoder_factory: Optional[Callable[[], MiniLM]] = None) -> None:
        self.model_dir = model_dir
        self._encoder_factory = encoder_factory

    @cached_property
    def encoder(self) -> MiniLM:
        return self._encoder_factory() if self._encoder_factory else MiniLM.load(self.model_dir)

    @cached_property
    def nlp(self):
        return load_pipeline()

    def sentence_vector(self, text: str) -> np.ndarray:
        tokens = message_tokens(self.nlp, text)
        if not tokens:
            return np.zeros(self.encoder.dimension, dtype=np.float32)
        return self.encoder.encode_tokens(tokens)[1][0]

    def sentence_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors of many texts at once (batched: several times faster than one by one)."""
        if not texts:
            return np.zeros((0, self.encoder.dimension), np.float32)
        return self.encoder.sentence_vectors([message_tokens(self.nlp, text) for text in texts])


def batch_vectors() -> SentenceVectors:
    """Sentence vectors for thousands of texts at once (building the risk model, the reports), with
    TensorFlow's graph for the batches: several times faster than NumPy alone, the same vectors
    within float rounding. Never in a Rasa server's first process (see SentenceVectors)."""
    return SentenceVectors(encoder_factory=lambda: with_tensorflow(MiniLM.load()))
