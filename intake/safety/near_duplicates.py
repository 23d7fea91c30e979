"""Near-duplicates between two sets of messages, so a test split stays independent of training.

Two messages count as near-duplicates when the cosine similarity of their character n-gram
profiles (3 to 5 letters inside words; case, punctuation and spacing ignored) reaches the
threshold: "i wanna die tonight" and "I wanna die tonight!!" are; two different ways of saying the
same thing are not.
"""
from __future__ import annotations

import re
from typing import List, Sequence, Tuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

DEFAULT_THRESHOLD = 0.9


def near_duplicates(first: Sequence[str], second: Sequence[str], threshold: float = DEFAULT_THRESHOLD
                    ) -> List[Tuple[int, int, float]]:
    """(index in first, index in second, similarity) for every pair at or above the threshold."""
    if not first or not second:
        return []
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), preprocessor=_words_only)
    vectorizer.fit(list(first) + list(second))
    similarity = (vectorizer.transform(first) @ vectorizer.transform(second).T).tocoo()
    keep = similarity.data >= threshold
    return sorted(zip(similarity.row[keep].tolist(), similarity.col[keep].tolist(),
                      np.round(similarity.data[keep], 3).tolist()))


def _words_only(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))
