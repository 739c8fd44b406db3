"""The course's RNN, LSTM and GRU cells as Keras RNN cells (``keras.layers.RNN(CourseLSTMCell(5))``).

Same equations as :mod:`tf_course.scratch.rnn`, with the course's weight names and orientation
(``W (n_a, n_a + n_x)`` multiplying ``[a_prev; x]``, biases ``(n_a,)``) so course parameters load
unchanged (:meth:`set_course_parameters`). Keras layout: inputs ``(batch, n_x)`` per step, states
``(batch, n_a)``; ``keras.layers.RNN`` runs them over ``(batch, T, n_x)``.

The output layer (``softmax(Wy a + by)``) is not part of a cell: use a ``Dense`` on the states.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import keras
import numpy as np
from keras import ops


class _CourseCell(keras.layers.Layer):
    """Shared parts: ``units`` (n_a), the course's weights created in :meth:`build`."""

    #: weight name -> shape kind: "concat" (n_a, n_a + n_x), "bias" (n_a,), "aa" (n_a, n_a), "ax" (n_a, n_x)
    WEIGHTS: dict[str, str] = {}

    def __init__(self, units: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if int(units) < 1:
            raise ValueError(f"{type(self).__name__}: expected units >= 1, found {units}")
        self.units = int(units)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        n_x = int(input_shape[-1])
        n_a = self.units
        shapes = {"concat": (n_a, n_a + n_x), "bias": (n_a,), "aa": (n_a, n_a), "ax": (n_a, n_x)}
        for name, kind in self.WEIGHTS.items():
            initializer = "zeros" if kind == "bias" else keras.initializers.RandomNormal(stddev=0.1)
            setattr(self, name, self.add_weight(shape=shapes[kind], initializer=initializer, name=name))

    def set_course_parameters(self, parameters: Mapping[str, np.ndarray]) -> _CourseCell:
        """Assign the course's parameters (biases ``(n_a, 1)`` are flattened); the cell must be built."""
        for name in self.WEIGHTS:
            variable = getattr(self, name)
            value = np.asarray(parameters[name]).reshape(variable.shape)
            variable.assign(value.astype(variable.dtype))
        return self

    @property
    def state_size(self) -> int | list[int]:
        """One state of ``units`` (the LSTM has two)."""
        return self.units

    @property
    def output_size(self) -> int:
        return self.units

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units}

    @staticmethod
    def _state(states: Any) -> tuple[Any, bool]:
        nested = isinstance(states, (list, tuple))
        return (states[0] if nested else states), nested

    def _linear(self, W: Any, a: Any, x: Any, b: Any) -> Any:
        """``[a, x] @ W.T + b`` in Keras layout (batch first)."""
        return ops.matmul(ops.concatenate([a, x], axis=-1), ops.transpose(W)) + b


@keras.saving.register_keras_serializable(package="tf_course")
class CourseRNNCell(_CourseCell):
    """``a = tanh(Waa a_prev + Wax x + ba)``. Input ``(batch, n_x)``, state and output ``(batch, units)``."""

    WEIGHTS = {"Waa": "aa", "Wax": "ax", "ba": "bias"}

    def call(self, inputs: Any, states: Any, training: bool | None = None) -> tuple[Any, Any]:
        a_prev, nested = self._state(states)
        a = ops.tanh(ops.matmul(a_prev, ops.transpose(self.Waa)) + ops.matmul(inputs, ops.transpose(self.Wax))
                     + self.ba)
        return a, ([a] if nested else a)


@keras.saving.register_keras_serializable(package="tf_course")
class CourseLSTMCell(_CourseCell):
    """The course's LSTM step; states ``[a, c]`` (Keras' order), each ``(batch, units)``; output ``a``."""

    WEIGHTS = {"Wf": "concat", "bf": "bias", "Wi": "concat", "bi": "bias", "Wc": "concat", "bc": "bias",
               "Wo": "concat", "bo": "bias"}

    @property
    def state_size(self) -> list[int]:
        return [self.units, self.units]

    def call(self, inputs: Any, states: Any, training: bool | None = None) -> tuple[Any, list[Any]]:
        a_prev, c_prev = states[0], states[1]
        ft = ops.sigmoid(self._linear(self.Wf, a_prev, inputs, self.bf))
        it = ops.sigmoid(self._linear(self.Wi, a_prev, inputs, self.bi))
        cct = ops.tanh(self._linear(self.Wc, a_prev, inputs, self.bc))
        c = ft * c_prev + it * cct
        ot = ops.sigmoid(self._linear(self.Wo, a_prev, inputs, self.bo))
        a = ot * ops.tanh(c)
        return a, [a, c]


@keras.saving.register_keras_serializable(package="tf_course")
class CourseGRUCell(_CourseCell):
    """The seed's GRU (reset before the product, ``c = Γu c̃ + (1 - Γu) c_prev``); state and output ``c``."""

    WEIGHTS = {"Wu": "concat", "bu": "bias", "Wr": "concat", "br": "bias", "Wc": "concat", "bc": "bias"}

    def call(self, inputs: Any, states: Any, training: bool | None = None) -> tuple[Any, Any]:
        c_prev, nested = self._state(states)
        gu = ops.sigmoid(self._linear(self.Wu, c_prev, inputs, self.bu))
        gr = ops.sigmoid(self._linear(self.Wr, c_prev, inputs, self.br))
        cct = ops.tanh(self._linear(self.Wc, gr * c_prev, inputs, self.bc))
        c = gu * cct + (1 - gu) * c_prev
        return c, ([c] if nested else c)


CELLS: dict[str, type[_CourseCell]] = {"rnn": CourseRNNCell, "lstm": CourseLSTMCell, "gru": CourseGRUCell}
