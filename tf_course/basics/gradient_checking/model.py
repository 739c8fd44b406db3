"""Gradient checking with TensorFlow: GradientTape against centered differences of the TF cost.

The course's N-D network (``gc_utils``: 4 inputs, ``LINEAR -> RELU -> LINEAR -> RELU -> LINEAR
-> SIGMOID`` with 5, 3 and 1 units, 47 parameters) is ``build_mlp([4, 5, 3, 1])``. Its cost is
the mean binary cross-entropy. Centered differences need float64 (with ``epsilon = 1e-7`` a
float32 cost has no significant digits left in ``J(theta + eps) - J(theta - eps)``), so the check
runs on a float64 clone of the model (:func:`to_float64`); no global dtype setting is touched.

Layouts follow the course: X ``(n_x, m)``, Y ``(1, m)`` or ``(m,)``, parameters and gradients as
``W{l}`` ``(n[l], n[l-1])``, ``b{l}`` ``(n[l], 1)`` dicts, stacked in the order
``W1, b1, W2, b2, W3, b3`` (:func:`tf_course.scratch.gradient_checking.dictionary_to_vector`).
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from tf_course.basics.mlp import build_mlp, get_course_parameters, set_course_parameters
from tf_course.scratch import gradient_checking as gc
from tf_course.scratch.deep_nn import Parameters

#: ``layers_dims`` of the course's N-D gradient-checking network.
COURSE_LAYER_DIMS: tuple[int, ...] = (4, 5, 3, 1)


def gradient_check_n_test_case() -> tuple[np.ndarray, np.ndarray, Parameters]:
    """The course's ``gradient_check_n_test_case``: ``(x (4, 3), y (3,), parameters)``.

    ``np.random.seed(1)``, ``x = randn(4, 3)``, ``y = [1, 1, 0]``, then W1 (5, 4), b1 (5, 1),
    W2 (3, 5), b2 (3, 1), W3 (1, 3), b3 (1, 1) drawn in that order. A private
    ``RandomState(1)`` gives the same draws without touching NumPy's global generator.
    """
    rng = np.random.RandomState(1)
    x = rng.randn(4, 3)
    y = np.array([1, 1, 0])
    parameters = {key: rng.randn(*shape) for key, shape in gc.COURSE_SHAPES.items()}
    return x, y, parameters


def build_gradient_check_model(parameters: Parameters | None = None) -> keras.Model:
    """``build_mlp([4, 5, 3, 1])`` (ReLU, ReLU, sigmoid): ``features`` (batch, 4) -> (batch, 1).

    With ``parameters`` (course layout) the model holds them (as float32).
    """
    model = build_mlp(COURSE_LAYER_DIMS, name="gradient_check_mlp")
    return set_course_parameters(model, parameters) if parameters is not None else model


def to_float64(model: keras.Model) -> keras.Model:
    """A clone of ``model`` computing in float64 end to end (input, weights, activations).

    Each layer is rebuilt from its config with ``dtype="float64"``; the weights are copied.
    """

    def float64_layer(layer: keras.layers.Layer) -> keras.layers.Layer:
        return layer.__class__.from_config({**layer.get_config(), "dtype": "float64"})

    inputs = keras.Input(shape=model.input.shape[1:], dtype="float64", name=model.input.name)
    clone = keras.models.clone_model(model, input_tensors=inputs, clone_function=float64_layer)
    clone.set_weights(model.get_weights())
    return clone


def _rows(model: keras.Model, X: np.ndarray, Y: np.ndarray) -> tuple[tf.Tensor, tf.Tensor]:
    dtype = model.weights[0].dtype
    features = tf.constant(np.asarray(X).T, dtype)  # (n_x, m) -> (m, n_x)
    labels = tf.constant(np.reshape(Y, (-1, 1)), dtype)  # (1, m) or (m,) -> (m, 1)
    return features, labels


def tf_cost(model: keras.Model, X: np.ndarray, Y: np.ndarray) -> tf.Tensor:
    """Mean binary cross-entropy of ``model`` on X ``(n_x, m)``, Y ``(1, m)``: a scalar tensor."""
    features, labels = _rows(model, X, Y)
    return tf.reduce_mean(keras.losses.binary_crossentropy(labels, model(features)))


def tape_gradients(model: keras.Model, X: np.ndarray, Y: np.ndarray) -> dict[str, np.ndarray]:
    """GradientTape gradients of :func:`tf_cost`, in course layout ``dW{l}`` / ``db{l}``."""
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    variables = [v for layer in dense for v in (layer.kernel, layer.bias)]
    with tf.GradientTape() as tape:
        cost = tf_cost(model, X, Y)
    gradients = tape.gradient(cost, variables)
    grads: dict[str, np.ndarray] = {}
    for l in range(1, len(dense) + 1):
        kernel_grad, bias_grad = gradients[2 * l - 2], gradients[2 * l - 1]
        grads[f"dW{l}"] = kernel_grad.numpy().T  # (n[l-1], n[l]) -> (n[l], n[l-1])
        grads[f"db{l}"] = bias_grad.numpy().reshape(-1, 1)  # (n[l],) -> (n[l], 1)
    return grads


@dataclass
class GradientCheck:
    """The result of a gradient check.

    Attributes:
        grad: back-propagated gradient, ``(n_params, 1)`` in ``W1, b1, ...`` order.
        gradapprox: centered differences, same shape.
        keys: the parameter each entry belongs to (``"W1"``, ..., ``"b3"``).
        difference: ``||grad - gradapprox|| / (||grad|| + ||gradapprox||)``.
    """

    grad: np.ndarray
    gradapprox: np.ndarray
    keys: list[str]
    difference: float


def tf_gradient_check(model: keras.Model, X: np.ndarray, Y: np.ndarray, epsilon: float = 1e-7) -> GradientCheck:
    """``gradient_check_n`` with TensorFlow on both sides: :func:`tape_gradients` against
    ``(J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)`` with ``J`` = :func:`tf_cost`.

    Use a float64 model (:func:`to_float64`). Each parameter is perturbed in turn through
    :func:`set_course_parameters`; the model's weights are restored afterwards.
    """
    if model.weights[0].dtype != "float64":
        raise ValueError(f"tf_gradient_check needs a float64 model (see to_float64), got {model.weights[0].dtype}")
    grad = gc.gradients_to_vector(tape_gradients(model, X, Y))
    parameters = get_course_parameters(model)
    shapes = {key: value.shape for key, value in parameters.items()}
    theta, keys = gc.dictionary_to_vector(parameters)
    original = model.get_weights()
    gradapprox = np.zeros_like(theta)
    try:
        for i in range(theta.shape[0]):
            costs = []
            for step in (epsilon, -epsilon):
                shifted = np.copy(theta)
                shifted[i, 0] += step
                set_course_parameters(model, gc.vector_to_dictionary(shifted, shapes))
                costs.append(float(tf_cost(model, X, Y)))
            gradapprox[i, 0] = (costs[0] - costs[1]) / (2.0 * epsilon)
    finally:
        model.set_weights(original)
    difference = np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))
    return GradientCheck(grad=grad, gradapprox=gradapprox, keys=keys, difference=float(difference))
