"""The course's cells against Keras: its weights mapped into ``SimpleRNN``, ``LSTM`` and ``GRU``, and
the course cells run by ``keras.layers.RNN``, give the NumPy outputs and gradients.

Weight mapping (Keras layout is batch first, so kernels are transposed course matrices; a course
``W (n_a, n_a + n_x)`` acts on ``[a_prev; x]``, split into its ``a`` columns ``W[:, :n_a]`` and its
``x`` columns ``W[:, n_a:]``):

- ``SimpleRNN``: ``kernel = Wax.T``, ``recurrent_kernel = Waa.T``, ``bias = ba``;
- ``LSTM`` (gate order i, f, c, o): ``kernel = [Wi_x.T | Wf_x.T | Wc_x.T | Wo_x.T]``, recurrent likewise
  with the ``a`` columns, ``bias = [bi, bf, bc, bo]``; states ``[a, c]``;
- ``GRU(reset_after=False)`` (gate order z, r, h): Keras' update gate ``z`` keeps the old state
  (``h = z h_prev + (1 - z) h̃``) where the course's ``Γu`` takes the new one, so ``z = 1 - Γu =
  σ(-(Wu [c; x] + bu))``: ``kernel = [-Wu_x.T | Wr_x.T | Wc_x.T]``, recurrent likewise, ``bias =
  [-bu, br, bc]``. ``reset_after=False`` is the seed's cell (reset applied to ``c_prev`` *before*
  the product ``Wc [Γr c_prev; x]``); ``reset_after=True`` (Keras' default, cuDNN's) computes
  ``Γr * (Wc_a c_prev)`` and is another function (:func:`gru_reset_after_difference`).

Gradients are those of ``J = sum(da * a)`` for a fixed ``da``, i.e. the course's backward passes
with upstream ``da``; the softmax head ``softmax(Wy a + by)`` is compared as an output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from tf_course.scratch import rnn
from tf_course.sequence.rnn_step_by_step.cells import CELLS

KINDS = ("rnn", "lstm", "gru")
IMPLEMENTATIONS = ("keras", "course_cell")


@dataclass(frozen=True)
class Case:
    """A seeded test case: course-layout ``x (n_x, m, T)``, ``a0 (n_a, m)``, parameters, upstream ``da``."""

    kind: str
    x: np.ndarray
    a0: np.ndarray
    parameters: dict[str, np.ndarray]
    da: np.ndarray

    @property
    def n_a(self) -> int:
        return self.a0.shape[0]


def course_case(kind: str) -> Case:
    """The course's seeding (seed 1, ``x`` then ``a0`` then the parameters in its order, then ``da``).

    RNN: the ``rnn_backward`` test (``x (3, 10, 4)``; ``Wax`` drawn before ``Waa``); LSTM: the
    ``lstm_forward`` notebook test (``x (3, 10, 7)``) with ``da`` over all 7 steps; GRU: the same
    shapes as the RNN, parameters in ``rnn.GRU_KEYS`` order.
    """
    np.random.seed(1)
    if kind == "rnn":
        x, a0 = np.random.randn(3, 10, 4), np.random.randn(5, 10)
        shapes = {"Wax": (5, 3), "Waa": (5, 5), "Wya": (2, 5), "ba": (5, 1), "by": (2, 1)}
        parameters = {k: np.random.randn(*s) for k, s in shapes.items()}
    elif kind == "lstm":
        x, a0 = np.random.randn(3, 10, 7), np.random.randn(5, 10)
        parameters = rnn.random_parameters("lstm", 3, 5, 2)
    elif kind == "gru":
        x, a0 = np.random.randn(3, 10, 4), np.random.randn(5, 10)
        parameters = rnn.random_parameters("gru", 3, 5, 2)
    else:
        raise ValueError(f"expected kind {KINDS}, found {kind!r}")
    return Case(kind, x, a0, parameters, np.random.randn(*a0.shape, x.shape[2]))


def numpy_reference(case: Case) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """``(a (n_a, m, T), y (n_y, m, T), gradients)`` of the NumPy forward and backward passes."""
    if case.kind == "rnn":
        a, y, caches = rnn.rnn_forward(case.x, case.a0, case.parameters)
        grads = rnn.rnn_backward(case.da, caches)
    elif case.kind == "lstm":
        a, y, _, caches = rnn.lstm_forward(case.x, case.a0, case.parameters)
        grads = rnn.lstm_backward(case.da, caches)
    else:
        a, y, caches = rnn.gru_forward(case.x, case.a0, case.parameters)
        grads = rnn.gru_backward(case.da, caches)
        grads["da0"] = grads.pop("dc0")
    return a, y, grads


def keras_weights(kind: str, parameters: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    """The course's parameters (or their gradients, keys without the ``d``) as a Keras layer's weights."""
    if kind == "rnn":
        return [parameters["Wax"].T, parameters["Waa"].T, parameters["ba"].ravel()]
    n_a = parameters["Wc"].shape[0]
    if kind == "lstm":
        gates = [(parameters[f"W{g}"], parameters[f"b{g}"]) for g in "ifco"]
        signs = [1.0] * 4
    elif kind == "gru":
        gates = [(parameters[f"W{g}"], parameters[f"b{g}"]) for g in "urc"]
        signs = [-1.0, 1.0, 1.0]  # Keras' z = 1 - Γu
    else:
        raise ValueError(f"expected kind {KINDS}, found {kind!r}")
    kernel = np.concatenate([s * W[:, n_a:].T for s, (W, _) in zip(signs, gates)], axis=1)
    recurrent = np.concatenate([s * W[:, :n_a].T for s, (W, _) in zip(signs, gates)], axis=1)
    bias = np.concatenate([s * b.ravel() for s, (_, b) in zip(signs, gates)])
    return [kernel, recurrent, bias]


def keras_layer(kind: str, units: int, dtype: str = "float32", reset_after: bool = False) -> keras.layers.Layer:
    """Keras' own ``SimpleRNN`` / ``LSTM`` / ``GRU(reset_after=...)`` layer, returning every state."""
    common = {"return_sequences": True, "dtype": dtype, "name": f"keras_{kind}"}
    if kind == "rnn":
        return keras.layers.SimpleRNN(units, **common)
    if kind == "lstm":
        return keras.layers.LSTM(units, **common)
    if kind == "gru":
        return keras.layers.GRU(units, reset_after=reset_after, **common)
    raise ValueError(f"expected kind {KINDS}, found {kind!r}")


def course_cell_layer(kind: str, units: int, dtype: str = "float32") -> keras.layers.RNN:
    """``keras.layers.RNN(Course<Kind>Cell(units))``, returning every state."""
    return keras.layers.RNN(CELLS[kind](units, dtype=dtype, name=f"course_{kind}_cell"), return_sequences=True,
                            dtype=dtype, name=f"course_{kind}")


def load_course_parameters(layer: keras.layers.Layer, kind: str, parameters: Mapping[str, np.ndarray],
                           implementation: str) -> None:
    """Assign the course's parameters to a built layer of either implementation."""
    if implementation == "keras":
        layer.set_weights([w.astype(layer.dtype) for w in keras_weights(kind, parameters)])
    else:
        layer.cell.set_course_parameters(parameters)


def _head(a: tf.Tensor, parameters: Mapping[str, np.ndarray]) -> tf.Tensor:
    """``softmax(Wy a + by)`` per step, Keras layout ``(m, T, n_a) -> (m, T, n_y)``."""
    Wy = parameters["Wya"] if "Wya" in parameters else parameters["Wy"]
    logits = tf.matmul(a, tf.constant(Wy.T, a.dtype)) + tf.constant(parameters["by"].ravel(), a.dtype)
    return tf.nn.softmax(logits, axis=-1)


def run_layer(layer: keras.layers.Layer, case: Case, dtype: str = "float32"
              ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], list[np.ndarray]]:
    """Run ``layer`` on the case (Keras layout) and differentiate ``sum(da * a)``.

    Returns:
        ``(a, y)`` in course layout, ``{"dx", "da0"}`` in course layout, and the weight gradients
        in the layer's ``trainable_weights`` order.
    """
    x = tf.constant(case.x.transpose(1, 2, 0), dtype)  # (m, T, n_x)
    a0 = tf.constant(case.a0.T, dtype)  # (m, n_a)
    da = tf.constant(case.da.transpose(1, 2, 0), dtype)
    c0 = tf.zeros_like(a0)
    two_states = case.kind == "lstm"
    with tf.GradientTape() as tape:
        tape.watch([x, a0])
        a = layer(x, initial_state=[a0, c0] if two_states else [a0])
        loss = tf.reduce_sum(a * da)
    grads = tape.gradient(loss, [x, a0, *layer.trainable_weights])
    y = _head(a, case.parameters)
    to_course = (2, 0, 1)
    return (np.asarray(a).transpose(to_course), np.asarray(y).transpose(to_course),
            {"dx": np.asarray(grads[0]).transpose(to_course), "da0": np.asarray(grads[1]).T},
            [np.asarray(g) for g in grads[2:]])


def parity(kind: str, implementation: str = "keras", dtype: str = "float32", case: Case | None = None
           ) -> dict[str, float]:
    """Max absolute differences to the NumPy passes: ``{"a", "y", "dx", "da0", "weights"}``.

    Args:
        kind: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        implementation: ``"keras"`` (Keras' layer with the mapped weights) or ``"course_cell"``
            (``keras.layers.RNN`` of the course cell with the course's weights).
        dtype: the Keras layer's dtype.
    """
    case = case or course_case(kind)
    if implementation == "keras":
        layer = keras_layer(kind, case.n_a, dtype)
    elif implementation == "course_cell":
        layer = course_cell_layer(kind, case.n_a, dtype)
    else:
        raise ValueError(f"expected implementation {IMPLEMENTATIONS}, found {implementation!r}")
    layer.build((None, case.x.shape[2], case.x.shape[0]))
    load_course_parameters(layer, kind, case.parameters, implementation)
    a, y, grads, weight_grads = run_layer(layer, case, dtype)
    a_np, y_np, grads_np = numpy_reference(case)
    course_grads = {k[1:]: v for k, v in grads_np.items() if k.startswith("dW") or k.startswith("db")}
    if implementation == "keras":
        expected_weights = keras_weights(kind, course_grads)
    else:
        expected_weights = [course_grads[name].reshape(w.shape) for name, w in zip(layer.cell.WEIGHTS, weight_grads)]
    return {
        "a": float(np.max(np.abs(a - a_np))),
        "y": float(np.max(np.abs(y - y_np))),
        "dx": float(np.max(np.abs(grads["dx"] - grads_np["dx"]))),
        "da0": float(np.max(np.abs(grads["da0"] - grads_np["da0"]))),
        "weights": max(float(np.max(np.abs(g - w))) for g, w in zip(weight_grads, expected_weights)),
    }


def gru_reset_after_difference(dtype: str = "float64") -> float:
    """Max abs difference between the seed's GRU (NumPy) and Keras' ``GRU(reset_after=True)`` with the
    same mapped weights and zero recurrent bias: large, so ``reset_after=True`` is not the seed's cell."""
    case = course_case("gru")
    layer = keras_layer("gru", case.n_a, dtype, reset_after=True)
    layer.build((None, case.x.shape[2], case.x.shape[0]))
    kernel, recurrent, bias = keras_weights("gru", case.parameters)
    layer.set_weights([kernel, recurrent, np.stack([bias, np.zeros_like(bias)])])
    a, _, _, _ = run_layer(layer, case, dtype)
    return float(np.max(np.abs(a - numpy_reference(case)[0])))


def all_parities(dtype: str = "float32") -> dict[str, dict[str, float]]:
    """``{"<implementation>_<kind>": parity(...)}`` for both implementations and the three cells."""
    return {f"{impl}_{kind}": parity(kind, impl, dtype) for impl in IMPLEMENTATIONS for kind in KINDS}
