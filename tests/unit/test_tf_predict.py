"""Rasa's model predictions through their traced step give what the tf.function gives."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from rasa_addons.runtime.tf_predict import TracedPredictStep

WEIGHTS = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3))


def _predict_step(batch_in):
    features, mask = batch_in
    return {"scores": tf.matmul(features, WEIGHTS) * tf.cast(mask, tf.float32)[:, None],
            "rows": tf.shape(features)[0]}


def _rasa_like_function() -> tf.types.experimental.GenericFunction:
    """As Rasa builds it: one positional list of tensors, dynamic leading dimensions."""
    signature = [[tf.TensorSpec([None, 4], tf.float32), tf.TensorSpec([None], tf.int64)]]
    return tf.function(_predict_step, input_signature=signature)


def test_the_traced_step_gives_the_functions_outputs_for_any_batch_size():
    function = _rasa_like_function()
    step = TracedPredictStep(function)
    for rows in (1, 3, 7):
        batch = (np.random.default_rng(rows).normal(size=(rows, 4)), np.arange(rows) % 2)  # float64, int64
        expected, got = function(batch), step(batch)
        assert set(got) == set(expected)
        assert np.allclose(got["scores"].numpy(), expected["scores"].numpy())
        assert int(got["rows"]) == rows


def test_the_step_sees_changed_variables_as_the_function_does():
    function = _rasa_like_function()
    step = TracedPredictStep(function)
    batch = (np.ones((2, 4), dtype=np.float32), np.ones(2, dtype=np.int64))
    before = step(batch)["scores"].numpy().copy()
    WEIGHTS.assign_add(tf.ones_like(WEIGHTS))
    try:
        assert np.allclose(step(batch)["scores"].numpy(), before + 4)
    finally:
        WEIGHTS.assign_sub(tf.ones_like(WEIGHTS))


def test_a_batch_of_another_shape_is_left_to_tensorflow_to_refuse():
    step = TracedPredictStep(_rasa_like_function())
    try:
        step((np.ones((2, 4), dtype=np.float32),))
    except (TypeError, ValueError):
        return
    raise AssertionError("a batch missing an input was accepted")


class _Rows:
    """An input that is not an array but that TensorFlow can convert (a registered conversion)."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values


tf.register_tensor_conversion_function(
    _Rows, lambda value, dtype=None, name=None, as_ref=False: tf.constant(value.values, dtype=dtype))


def test_inputs_the_eager_constructor_refuses_take_tensorflows_full_conversion():
    function = _rasa_like_function()
    step = TracedPredictStep(function)
    features = np.arange(8, dtype=np.float32).reshape(2, 4)
    expected = function((features, np.ones(2, dtype=np.int64)))["scores"].numpy()
    got = step((_Rows(features), np.ones(2, dtype=np.int64)))["scores"].numpy()
    assert np.allclose(got, expected)
