"""The learned risk model: reads risk in wording that no pattern names.

Patterns (detector.py) find what someone has written down before; people in crisis keep finding
new words. This model scores every message from two views of it:
- the MiniLM sentence vector (meaning: "everyone would be better off without me" sits near
  other burden statements whatever the words), and
- word and character n-grams of the normalised text (spelling: "suicidle", "kms", Spanish, which
  MiniLM reads poorly).
Three logistic-regression heads share those features:
- risk: the probability that the message carries a present risk (the decision uses it);
- category: which crisis it is (suicide, in danger, ...), so a crisis the patterns missed still
  gets the reply that fits;
- disclosure: for messages without risk, whether they tell of trauma as history, ordinary
  distress, or neither, so each gets the reply that fits.
Thresholds are not set here: the training command chooses them on out-of-fold predictions and
stores them with the model (see train_risk_model.py and the report it writes).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Sequence, Tuple

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from intake.paths import PROJECT_ROOT

MODEL_DIR = PROJECT_ROOT / "build" / "risk_model"
MODEL_FILE = "risk_model.joblib"
# The labels a corpus line may carry: the crisis categories of the detector, and three kinds of
# message without risk.
RISK_CATEGORIES = ("suicide", "self_harm", "harm_to_others", "in_danger", "medical_emergency",
                   "risk_question", "third_party")
DISCLOSURES = ("history", "distress", "none")
LABELS = RISK_CATEGORIES + DISCLOSURES


@dataclass(frozen=True)
class LabelledText:
    """One corpus line. `label` is a risk category or a disclosure; `disclosure` is unknown
    ("") for benign lines of the older sets, which only say "benign"."""

    text: str
    label: str
    kind: str = ""
    source: str = ""

    @property
    def is_risk(self) -> bool:
        return self.label in RISK_CATEGORIES


def read_corpus_file(path: Path) -> List[LabelledText]:
    """A corpus TSV (label, kind, text); refuses unknown labels so a typo cannot become data."""
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), 2):
            if row["label"] not in LABELS:
                raise ValueError(f"{path}:{number}: unknown label {row['label']!r}")
            rows.append(LabelledText(row["text"].strip(), row["label"], row.get("kind") or "", path.stem))
    return rows


@dataclass(frozen=True)
class RiskScores:
    """What the model says of one message."""

    risk: float
    category: str
    disclosure: str
    disclosure_probability: float


@dataclass(frozen=True)
class FeatureSettings:
    """How the text is turned into one row of features."""

    char_ngrams: tuple = (2, 5)
    word_ngrams: tuple = (1, 2)
    min_df: int = 2
    dense_weight: float = 1.5


class RiskFeatures:
    """Sparse n-grams of the normalised text beside the dense MiniLM vector, in one row."""

    def __init__(self, settings: FeatureSettings = FeatureSettings()) -> None:
        self.settings = settings
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=settings.char_ngrams,
                                     min_df=settings.min_df, sublinear_tf=True, dtype=np.float32)
        self.words = TfidfVectorizer(analyzer="word", ngram_range=settings.word_ngrams, min_df=settings.min_df,
                                     sublinear_tf=True, token_pattern=r"(?u)\b\w+\b", dtype=np.float32)

    def fit(self, texts: Sequence[str]) -> "RiskFeatures":
        self.chars.fit(texts)
        self.words.fit(texts)
        return self

    def transform(self, texts: Sequence[str], vectors: np.ndarray) -> sparse.csr_matrix:
        dense = sparse.csr_matrix(np.asarray(vectors, dtype=np.float32) * self.settings.dense_weight)
        return sparse.hstack([self.chars.transform(texts), self.words.transform(texts), dense], format="csr")


@dataclass
class RiskModel:
    """The fitted features and heads, with the thresholds chosen for them."""

    features: RiskFeatures
    risk_head: LogisticRegression
    category_head: LogisticRegression
    disclosure_head: LogisticRegression
    thresholds: Dict[str, float]
    info: Dict[str, object]

    def scores(self, normalized_text: str, vector: np.ndarray) -> RiskScores:
        """Scores for one message: its normalised text (RiskDetector.normalize) and its MiniLM
        sentence vector (384 values). The same numbers as `scores_many`, computed without
        scikit-learn's per-call overhead (the assistant scores one message at a time)."""
        if self.__dict__.get("_linear") is None:
            self.__dict__["_linear"] = LinearScorer(self)
        return self.__dict__["_linear"].scores(normalized_text, np.asarray(vector, dtype=np.float64).reshape(-1))

    def __getstate__(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if key != "_linear"}

    def vector_size(self) -> int:
        """The length of the sentence vector the heads were fitted with."""
        return int(self.risk_head.coef_.shape[1] - len(self.features.chars.vocabulary_)
                   - len(self.features.words.vocabulary_))

    def scores_many(self, normalized_texts: Sequence[str], vectors: np.ndarray) -> List[RiskScores]:
        return self._scores(self.features.transform(normalized_texts, vectors))

    def _scores(self, rows: sparse.csr_matrix) -> List[RiskScores]:
        risk = self.risk_head.predict_proba(rows)[:, list(self.risk_head.classes_).index(1)]
        categories = self.category_head.classes_[self.category_head.predict_proba(rows).argmax(1)]
        disclosure_p = self.disclosure_head.predict_proba(rows)
        best = disclosure_p.argmax(1)
        return [RiskScores(float(r), str(c), str(self.disclosure_head.classes_[b]), float(disclosure_p[i, b]))
                for i, (r, c, b) in enumerate(zip(risk, categories, best))]

    def save(self, directory: Path = MODEL_DIR) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / MODEL_FILE
        joblib.dump(self, path)
        return path

    @staticmethod
    def load(directory: Path = MODEL_DIR) -> "RiskModel":
        path = Path(directory) / MODEL_FILE
        if not path.is_file():
            raise FileNotFoundError(f"risk model not found at {path}: run `make setup`.")
        model = joblib.load(path)
        if not isinstance(model, RiskModel):
            raise TypeError(f"{path} does not hold a RiskModel")
        return model


@dataclass(frozen=True)
class HeadSettings:
    """Regularisation of the three heads (larger C: closer fit to the corpus)."""

    risk_c: float = 4.0
    category_c: float = 4.0
    disclosure_c: float = 4.0


def fit_heads(features: RiskFeatures, rows: sparse.csr_matrix, corpus: Sequence[LabelledText],
              settings: HeadSettings = HeadSettings()) -> tuple:
    """The three heads fitted on already-featurised rows. The risk head weighs both classes
    equally whatever their counts; the others see only the rows that carry their labels."""
    is_risk = np.array([1 if item.is_risk else 0 for item in corpus])
    risk_head = LogisticRegression(C=settings.risk_c, class_weight="balanced", max_iter=3000, solver="liblinear",
                                   random_state=7)  # liblinear shuffles: fixed, so every setup builds the same model
    risk_head.fit(rows, is_risk)
    risk_rows = np.flatnonzero(is_risk)
    category_head = LogisticRegression(C=settings.category_c, class_weight="balanced", max_iter=3000)
    category_head.fit(rows[risk_rows], [corpus[i].label for i in risk_rows])
    told = [i for i, item in enumerate(corpus) if item.label in DISCLOSURES]
    disclosure_head = LogisticRegression(C=settings.disclosure_c, class_weight="balanced", max_iter=3000)
    disclosure_head.fit(rows[told], [corpus[i].label for i in told])
    return risk_head, category_head, disclosure_head


class LinearScorer:
    """The three heads of a fitted RiskModel as one weight matrix, applied to one message with
    plain numpy: n-gram counts looked up in the vectorisers' vocabularies, weighted as
    TfidfVectorizer does (1 + log count, times idf, unit length), then one product per block.
    scikit-learn's transform and predict_proba cost about 3 ms per call on one message, most of it
    checks and conversions; this costs a fraction of that and gives the same scores."""

    def __init__(self, model: RiskModel) -> None:
        self.features = model.features
        heads = (model.risk_head, model.category_head, model.disclosure_head)
        weights = np.vstack([head.coef_ for head in heads]).T  # (features, 1 + categories + disclosures)
        self.bias = np.concatenate([head.intercept_ for head in heads])
        self.categories = model.category_head.classes_
        self.disclosures = model.disclosure_head.classes_
        self.risk_positive = list(model.risk_head.classes_).index(1)
        n_chars, n_words = len(self.features.chars.vocabulary_), len(self.features.words.vocabulary_)
        chars, words = self.features.chars, self.features.words
        self.char_grams = WordCharGrams(chars.vocabulary_, chars.ngram_range)
        self.blocks = [
            (self.char_grams.indices, chars.idf_, weights[:n_chars]),
            (self._word_gram_indices(words), words.idf_, weights[n_chars:n_chars + n_words]),
        ]
        self.dense = weights[n_chars + n_words:] * self.features.settings.dense_weight

    @staticmethod
    def _word_gram_indices(vectorizer: TfidfVectorizer) -> Callable[[str], np.ndarray]:
        analyzer, vocabulary = vectorizer.build_analyzer(), vectorizer.vocabulary_

        return lambda text: known_indices(analyzer(text), vocabulary)

    def scores(self, normalized_text: str, vector: np.ndarray) -> RiskScores:
        logits = self.bias + vector @ self.dense
        for gram_indices, idf, weights in self.blocks:
            found = gram_indices(normalized_text)
            if found.size:
                indices, tallies = np.unique(found, return_counts=True)
                values = (1.0 + np.log(tallies)) * idf[indices]
                logits = logits + (values / np.linalg.norm(values)) @ weights[indices]
        return self._read(logits)

    def _read(self, logits: np.ndarray) -> RiskScores:
        risk = 1.0 / (1.0 + np.exp(-logits[0]))
        if self.risk_positive == 0:
            risk = 1.0 - risk
        n_categories = len(self.categories)
        category = self.categories[int(np.argmax(logits[1:1 + n_categories]))]
        disclosure = logits[1 + n_categories:]
        probabilities = np.exp(disclosure - disclosure.max())
        probabilities /= probabilities.sum()
        best = int(np.argmax(probabilities))
        return RiskScores(float(risk), str(category), str(self.disclosures[best]), float(probabilities[best]))


class WordCharGrams:
    """The vocabulary indices of a text's character n-grams inside words, as scikit-learn's
    "char_wb" analyzer makes them (each word padded with a space on both sides; a word shorter than
    n gives itself once), worked out once per word and kept: most words of a message were seen in
    earlier messages, and a long post has thousands of n-grams."""

    def __init__(self, vocabulary: Dict[str, int], ngram_range: Tuple[int, int], words_kept: int = 50_000) -> None:
        self.vocabulary = vocabulary
        self.low, self.high = ngram_range
        self.word_indices = lru_cache(maxsize=words_kept)(self._word_indices)

    def indices(self, text: str) -> np.ndarray:
        """One index per n-gram occurrence that is in the vocabulary (repeats kept, for counting)."""
        parts = [self.word_indices(word) for word in text.lower().split()]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def _word_indices(self, word: str) -> np.ndarray:
        padded = f" {word} "
        grams = []
        for n in range(self.low, self.high + 1):
            if n >= len(padded):
                grams.append(padded)
                break
            grams += [padded[i:i + n] for i in range(len(padded) - n + 1)]
        return known_indices(grams, self.vocabulary)


def known_indices(grams: Iterable[str], vocabulary: Dict[str, int]) -> np.ndarray:
    """The vocabulary index of each n-gram that has one, repeats kept (for counting)."""
    found = [vocabulary.get(gram, -1) for gram in grams]
    return np.array([index for index in found if index >= 0], dtype=np.int64)
