"""Which FAQ topic a message is nearest to, by its meaning alone.

The response selector learns one point per topic; when it is unsure, a second reading that does
not share its training can say whether its guess is plausible. This one keeps every training
phrasing of every topic as a MiniLM sentence vector (unit length) and scores a topic by the mean
cosine of its `k` closest phrasings to the message: a topic with one stray look-alike phrasing
does not win, a topic with several close phrasings does. Stored as plain arrays (no pickle).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, Optional, Tuple

import numpy as np


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


@dataclass(frozen=True)
class TopicNeighbours:
    vectors: np.ndarray  # phrasings x dimensions, unit length
    labels: np.ndarray  # the topic of each phrasing
    k: int = 3

    @classmethod
    def fitted(cls, examples: Iterable[Tuple[str, np.ndarray]], k: int = 3) -> Optional["TopicNeighbours"]:
        """From (topic, sentence vector) pairs; None when there are none."""
        pairs = [(topic, np.asarray(vector, dtype=np.float32).reshape(-1)) for topic, vector in examples]
        if not pairs:
            return None
        return cls(unit_rows(np.vstack([vector for _, vector in pairs])), np.array([topic for topic, _ in pairs]), k)

    def nearest(self, vector: np.ndarray) -> Optional[Tuple[str, float]]:
        """The topic whose `k` closest phrasings are closest on average, and that mean cosine."""
        scores = self.topic_scores(vector)
        if not scores:
            return None
        topic = max(scores, key=scores.get)
        return topic, scores[topic]

    def topic_scores(self, vector: np.ndarray) -> Dict[str, float]:
        cosines = self.vectors @ unit_rows(np.asarray(vector).reshape(1, -1))[0]
        scores = {}
        for topic in np.unique(self.labels):
            closest = np.sort(cosines[self.labels == topic])[-self.k:]
            scores[str(topic)] = float(closest.mean())
        return scores

    def to_arrays(self) -> Dict[str, np.ndarray]:
        return {"neighbour_vectors": self.vectors, "neighbour_labels": self.labels.astype(str),
                "neighbour_k": np.array(self.k)}

    @classmethod
    def from_arrays(cls, arrays: Dict[str, np.ndarray]) -> Optional["TopicNeighbours"]:
        if "neighbour_vectors" not in arrays:
            return None
        return cls(arrays["neighbour_vectors"], arrays["neighbour_labels"].astype(str), int(arrays["neighbour_k"]))
