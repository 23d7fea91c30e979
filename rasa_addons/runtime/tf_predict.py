"""Rasa's TensorFlow models (TED, the response selector) called without tf.function's per-call checks.

Rasa runs each prediction through a `tf.function` with a fixed input signature. On every call
TensorFlow first matches the inputs against that signature: it builds a type for each of the
thirty-odd input arrays and looks them up among the traced functions. Profiling `make bench`
showed that matching taking about as long as the model itself, a tenth of the Rasa server's time.
The signature is fixed, so there is one traced function: after Rasa's first call (which traces
it) each call converts the arrays to that signature's types and runs the traced function directly.
The arrays become tensors by TensorFlow's own eager constructor (`convert_to_eager_tensor`, what
`tf.convert_to_tensor` ends in), without the dispatch and conversion-registry layers in front of
it: 270 us instead of 830 us for thirty inputs on this project's machine (TensorFlow is pinned).
Same function, same inputs, same outputs (tests/unit/test_tf_predict.py compares them).

Installed once per Rasa server process by `install()`, with the other runtime changes.
"""
from __future__ import annotations

from typing import Any, Callable, List, Sequence

import tensorflow as tf
from rasa.utils.tensorflow.models import RasaModel
from tensorflow.python.eager import context
from tensorflow.python.framework.constant_op import convert_to_eager_tensor


class TracedPredictStep:
    """The one traced function of a `tf.function` with an input signature of one list of tensors."""

    def __init__(self, function: Any) -> None:
        self.function = function  # kept: the traced function lives as long as the tf.function
        self.traced = function.get_concrete_function()
        (specs,) = function.input_signature
        self.dtypes = [spec.dtype for spec in specs]

    def __call__(self, batch_in: Sequence[Any]) -> Any:
        if len(batch_in) != len(self.dtypes):
            return self.function(batch_in)  # not the traced signature: let TensorFlow say why
        return self.traced._call_flat(self._tensors(batch_in), self.traced.captured_inputs)

    def _tensors(self, batch_in: Sequence[Any]) -> List[Any]:
        """The inputs as eager tensors of the signature's types."""
        eager = context.context()
        try:
            return [convert_to_eager_tensor(array, eager, dtype) for array, dtype in zip(batch_in, self.dtypes)]
        except (TypeError, ValueError):  # an input the fast constructor does not take: the full path
            return [tf.convert_to_tensor(array, dtype) for array, dtype in zip(batch_in, self.dtypes)]


def _predicting_through_the_traced_step(rasa_predict: Callable) -> Callable:
    def predict(self: RasaModel, batch_in: Any) -> Any:
        step = self._tf_predict_step
        if step is not None and not isinstance(step, TracedPredictStep):
            self._tf_predict_step = TracedPredictStep(step)
        return rasa_predict(self, batch_in)

    predict._intake_wrapped = True  # type: ignore[attr-defined]
    return predict


def install() -> None:
    """Route Rasa's model predictions through their traced step, once per process."""
    if getattr(RasaModel._rasa_predict, "_intake_wrapped", False):
        return
    RasaModel._rasa_predict = _predicting_through_the_traced_step(RasaModel._rasa_predict)  # type: ignore
