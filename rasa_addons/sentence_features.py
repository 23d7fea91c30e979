"""Sentence features of the featurizers that ran before, as one row a linear model can use.

Rasa's featurizers hand over raw counts (word and character n-grams, regexes) beside dense
sentence vectors (MiniLM). Raw counts let a long message outvote a short one and let the tens of
thousands of character n-grams drown the 384 dense numbers. This layout makes one row per
message: each sparse block as sublinear tf-idf at unit length, each dense block at length
`dense_weight`. The linear intent classifier and the normalised sentence featurizer (for the
response selector) both read messages through it; it stores as plain arrays (no pickle).
"""
from __future__ import annotations

from typing import Any, Collection, Dict, List, Optional, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message

Row = Dict[str, Tuple[bool, Any]]  # origin -> (is_sparse, 1 x width csr matrix or 1-D array)


def sentence_blocks(message: Message, origins: Collection[str] = ()) -> Row:
    """The message's sentence features by origin (all origins, or only `origins`); sparse ones stay sparse."""
    blocks = {}
    for features in message.features:
        if features.attribute != TEXT or features.type != FEATURE_TYPE_SENTENCE:
            continue
        if origins and str(features.origin) not in origins:
            continue
        values = features.features
        if features.is_sparse():
            blocks[str(features.origin)] = (True, scipy.sparse.csr_matrix(values, dtype=np.float64).reshape(1, -1))
        else:
            blocks[str(features.origin)] = (False, np.asarray(values, dtype=np.float64).reshape(-1))
    return blocks


class FeatureLayout:
    """Which blocks, in which order and size, make one row; the idf of each sparse block."""

    def __init__(self, blocks: Dict[str, Tuple[bool, int]], idf: Dict[str, np.ndarray], dense_weight: float):
        self.blocks = blocks  # origin -> (is_sparse, width), in column order
        self.idf = idf
        self.dense_weight = dense_weight

    @classmethod
    def fitted(cls, rows: List[Row], dense_weight: float) -> "FeatureLayout":
        """The layout of the training rows, with document frequencies counted over them."""
        blocks: Dict[str, Tuple[bool, int]] = {}
        for row in rows:
            for origin, (is_sparse, values) in row.items():
                blocks.setdefault(origin, (is_sparse, values.shape[-1]))
        layout = cls(dict(sorted(blocks.items())), {}, dense_weight)
        for origin, (is_sparse, _) in layout.blocks.items():
            if is_sparse:
                present = np.asarray((layout._stacked(rows, origin) > 0).sum(axis=0)).reshape(-1)
                layout.idf[origin] = np.log((1 + len(rows)) / (1 + present)) + 1.0
        return layout

    def _stacked(self, rows: List[Row], origin: str) -> Any:
        """One block of every row, stacked; a row without it (or of another width) gets zeros."""
        is_sparse, width = self.blocks[origin]
        fitting = [row[origin][1] if origin in row and row[origin][1].shape[-1] == width else None for row in rows]
        if is_sparse:
            empty = scipy.sparse.csr_matrix((1, width))
            return scipy.sparse.vstack([v if v is not None else empty for v in fitting], format="csr")
        return np.vstack([v if v is not None else np.zeros(width) for v in fitting])

    def entries(self, row: Row) -> Tuple[np.ndarray, np.ndarray]:
        """One message's row as (column indices, values): sublinear tf-idf at unit length for each
        sparse block, each dense block at length `dense_weight`.

        Worked out on the block's nonzero entries with NumPy rather than with SciPy's sparse
        operations: a message is one row, and SciPy's checks and conversions on a 1-row matrix
        cost more than the arithmetic (profiling `make bench`: about a tenth of a turn's time,
        for this and the classifier's product)."""
        columns, values, offset = [], [], 0
        for origin, (is_sparse, width) in self.blocks.items():
            present = row.get(origin)
            if present is not None and present[1].shape[-1] == width:
                if is_sparse:
                    index = present[1].indices
                    value = np.log1p(np.maximum(present[1].data, 0)) * self.idf[origin][index]
                else:
                    index = np.flatnonzero(present[1])
                    value = present[1][index]
                keep = value != 0
                index, value = index[keep], value[keep]
                norm = np.sqrt(np.dot(value, value))
                if norm > 0:
                    value = value * ((1.0 if is_sparse else self.dense_weight) / norm)
                columns.append(index + offset)
                values.append(value)
            offset += width
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(columns), np.concatenate(values)

    @property
    def width(self) -> int:
        return sum(width for _, width in self.blocks.values())

    def matrix(self, rows: List[Row]) -> scipy.sparse.csr_matrix:
        """The rows as one sparse matrix, each as `entries` makes it (training and inference alike)."""
        parts = [self.entries(row) for row in rows]
        indptr = np.cumsum([0] + [len(columns) for columns, _ in parts])
        columns = np.concatenate([c for c, _ in parts]) if parts else np.zeros(0, dtype=np.int64)
        values = np.concatenate([v for _, v in parts]) if parts else np.zeros(0)
        return scipy.sparse.csr_matrix((values, columns, indptr), shape=(len(rows), self.width))

    def to_arrays(self) -> Dict[str, np.ndarray]:
        origins = list(self.blocks)
        return {
            "origins": np.array(origins),
            "sparse": np.array([self.blocks[o][0] for o in origins]),
            "widths": np.array([self.blocks[o][1] for o in origins]),
            "dense_weight": np.array(self.dense_weight),
            **{f"idf::{o}": v for o, v in self.idf.items()},
        }

    @classmethod
    def from_arrays(cls, arrays: Dict[str, np.ndarray]) -> "FeatureLayout":
        origins = [str(o) for o in arrays["origins"]]
        blocks = {o: (bool(s), int(w)) for o, s, w in zip(origins, arrays["sparse"], arrays["widths"])}
        idf = {o: arrays[f"idf::{o}"] for o in origins if blocks[o][0]}
        return cls(blocks, idf, float(arrays["dense_weight"]))


def stored_arrays(model_storage: ModelStorage, resource: Resource, filename: str) -> Optional[Dict[str, np.ndarray]]:
    """The arrays a component saved with np.savez (no pickle), or None if it was never trained."""
    try:
        with model_storage.read_from(resource) as directory:
            with np.load(directory / filename, allow_pickle=False) as arrays:
                return {key: arrays[key] for key in arrays.files}
    except (ValueError, FileNotFoundError):
        return None
