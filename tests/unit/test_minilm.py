"""The NumPy MiniLM encoder against the reference model, and the Rasa featurizer around it (which
computes the encoder's large products with TensorFlow).

The reference numbers were computed once with sentence-transformers (PyTorch) on the same
weights; the NumPy encoder must reproduce them, else every dense feature is silently wrong."""
from __future__ import annotations

import numpy as np
import pytest

from intake.minilm import MiniLM, basic_words

# sentence-transformers' all-MiniLM-L6-v2, normalised embedding of "how long is a session", dims 0-5.
REFERENCE_HOW_LONG = [0.046977, 0.050847, 0.005697, -0.062450, -0.057643, 0.023520]


@pytest.fixture(scope="module")
def encoder() -> MiniLM:
    return MiniLM.load()


def test_basic_words_split_punctuation_lowercase_and_strip_accents() -> None:
    assert basic_words("Is Ketamine FDA-approved??") == ["is", "ketamine", "fda", "-", "approved", "?", "?"]
    assert basic_words("café naïve") == ["cafe", "naive"]
    assert basic_words("  \t\n ") == []


def test_word_pieces_match_the_model_vocabulary(encoder: MiniLM) -> None:
    pieces = [p for _, ps in encoder.word_pieces("ketamine nightmares 😔") for p in ps]
    assert pieces == ["ke", "##tam", "##ine", "nightmares", "[UNK]"]


def test_sentence_embedding_reproduces_the_reference_model(encoder: MiniLM) -> None:
    vector = encoder.sentence_embedding("how long is a session")
    assert vector.shape == (384,)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert vector[:6].tolist() == pytest.approx(REFERENCE_HOW_LONG, abs=2e-5)


def test_paraphrases_are_closer_than_unrelated_messages(encoder: MiniLM) -> None:
    session = encoder.sentence_embedding("how long does a ketamine session last")
    paraphrase = encoder.sentence_embedding("how many hours is one treatment")
    unrelated = encoder.sentence_embedding("can you recommend a good pizza place")
    assert float(session @ paraphrase) > float(session @ unrelated) + 0.2


def test_empty_and_overlong_text_still_give_a_unit_vector(encoder: MiniLM) -> None:
    for text in ("", "word " * 1000, "<script>alert(1)</script>", "¿Habla español?"):
        vector = encoder.sentence_embedding(text)
        assert np.isfinite(vector).all()
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_featurizer_gives_one_row_per_token_and_the_sentence_vector() -> None:
    from rasa_addons.minilm_featurizer import MiniLMFeaturizer

    featurizer = MiniLMFeaturizer({**MiniLMFeaturizer.get_default_config(), "alias": "minilm"}, "minilm")
    sequence, sentence = featurizer.token_and_sentence_vectors(["how", "long", "is", "a", "session"])
    assert sequence.shape == (5, 384) and sentence.shape == (1, 384)
    assert float(sentence[0] @ featurizer.encoder.sentence_embedding("how long is a session")) == pytest.approx(1.0, abs=1e-5)
    # A token with no word pieces (whitespace) gets a zero row instead of breaking the alignment.
    sequence, _ = featurizer.token_and_sentence_vectors(["ok", " "])
    assert np.abs(sequence[1]).sum() == 0 and np.abs(sequence[0]).sum() > 0


def test_the_featurizers_tensorflow_products_give_the_numpy_encoders_states(encoder: MiniLM) -> None:
    """The Rasa featurizer computes the large products with TensorFlow (faster for a few rows):
    same states as NumPy's for short, long and cut messages, and the reference vector."""
    from rasa_addons.minilm_featurizer import shared_encoder

    featurized = shared_encoder("build/minilm")
    assert featurized.products is not encoder.products
    assert featurized.sentence_embedding("how long is a session")[:6].tolist() == pytest.approx(REFERENCE_HOW_LONG, abs=2e-5)
    for text in ("yes", "I keep having nightmares about the accident and I can't sleep", "word " * 300):
        ids = [encoder.wordpiece.vocab[p] for _, ps in encoder.word_pieces(text) for p in ps]
        assert np.abs(featurized.encode_ids(ids) - encoder.encode_ids(ids)).max() < 1e-4


def test_batches_through_the_tensorflow_graph_give_what_one_message_at_a_time_gives(encoder: MiniLM) -> None:
    """Training data and the risk corpus are encoded in batches by one TensorFlow graph; the running
    assistant encodes one message at a time: the vectors must agree, cut and padded messages too."""
    from rasa_addons.minilm_featurizer import shared_encoder

    featurized = shared_encoder("build/minilm")
    messages = [["yes"], ["how", "long", "is", "a", "session"], ["ok", " "],
                "I keep having nightmares about the accident and I can't sleep".split(), ["word"] * 300]
    batched = featurized.encode_many_tokens(messages)
    for tokens, (sequence, sentence) in zip(messages, batched):
        one_sequence, one_sentence = encoder.encode_tokens(tokens)
        assert sequence.shape == one_sequence.shape
        assert np.abs(sequence - one_sequence).max() < 1e-4 and np.abs(sentence - one_sentence).max() < 1e-5


@pytest.mark.parametrize("tokens, short", [
    (["yes"], True), (["not", "really"], True), (["I", "don't", "know"], True), (["sí"], True),
    (["no", "not", "at", "all"], False), (["555", "0100"], False), (["me@example.com"], False),
    (["call", "me", "5550100"], False), (["🙂"], False), ([], False),
])
def test_only_short_replies_of_letters_are_kept(tokens: list, short: bool) -> None:
    """Phone numbers, emails and anything with digits are never held in the featurizer's memory."""
    from rasa_addons.minilm_featurizer import is_short_reply

    assert is_short_reply(tokens) is short


def test_a_short_reply_is_encoded_once_and_handed_out_as_copies() -> None:
    from rasa_addons.minilm_featurizer import MiniLMFeaturizer

    featurizer = MiniLMFeaturizer({**MiniLMFeaturizer.get_default_config(), "alias": "minilm"}, "minilm")
    passes = []
    encode_ids = featurizer.encoder.encode_ids
    featurizer.encoder.encode_ids = lambda ids: passes.append(ids) or encode_ids(ids)
    try:
        first_sequence, first_sentence = featurizer.token_and_sentence_vectors(["not", "really"])
        first_sequence[:] = 0  # whoever receives the features may change them
        sequence, sentence = featurizer.token_and_sentence_vectors(["not", "really"])
        featurizer.token_and_sentence_vectors(["call", "me", "at", "5550100"])
        featurizer.token_and_sentence_vectors(["call", "me", "at", "5550100"])
    finally:
        del featurizer.encoder.encode_ids
    assert len(passes) == 3  # the short reply once, the longer message each time
    assert np.abs(sequence).sum() > 0
    assert float(sentence[0] @ first_sentence[0]) == pytest.approx(1.0, abs=1e-6)
    assert float(sentence[0] @ featurizer.encoder.sentence_embedding("not really")) == pytest.approx(1.0, abs=1e-5)


def test_a_message_the_safety_decision_just_encoded_is_not_encoded_again_by_the_pipeline() -> None:
    from intake.safety.sentence_vectors import SentenceVectors
    from rasa_addons.minilm_featurizer import MiniLMFeaturizer, shared_encoder

    featurizer = MiniLMFeaturizer({**MiniLMFeaturizer.get_default_config(), "alias": "minilm"}, "minilm")
    vectors = SentenceVectors(encoder_factory=lambda: shared_encoder("build/minilm"))
    assert featurizer.encoder is vectors.encoder
    passes = []
    forward = featurizer.encoder._forward
    featurizer.encoder._forward = lambda ids: passes.append(ids) or forward(ids)
    text = "i keep thinking about the accident every single night"
    try:
        queued = vectors.sentence_vector(text)
        _, sentence = featurizer.token_and_sentence_vectors(text.split())
        other = vectors.sentence_vector("a different message about parking")
    finally:
        del featurizer.encoder._forward
    assert len(passes) == 2  # the message once, the different one once
    assert np.allclose(sentence[0], queued) and not np.allclose(other, queued)
    kept = featurizer.encoder.encode_ids(passes[0])
    with pytest.raises(ValueError):
        kept[0, 0] = 1.0  # the kept states are shared, so nobody may change them


def test_many_messages_encoded_at_once_give_each_message_its_own_vector(encoder: MiniLM) -> None:
    messages = [["how", "long", "is", "a", "session"], [], ["i", "want", "to", "die"],
                ["word"] * 200, ["ok"], ["can", "my", "wife", "come", "with", "me", "?"]]
    together = encoder.sentence_vectors(messages, batch_size=4)
    for tokens, vector in zip(messages, together):
        alone = encoder.encode_tokens(tokens)[1][0] if tokens else np.zeros(encoder.dimension)
        assert np.abs(vector - alone).max() < 1e-5
    assert not together[1].any()  # no tokens: a zero vector, as one at a time
