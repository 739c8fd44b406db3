"""C2W1 Gradient checking: compare back-propagation with centered finite differences.

1-D: ``J(theta) = theta * x``. N-D: the 3-layer ``gc_utils`` network
``LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID`` with the mean cross-entropy, whose
forward/backward are the shared core of :mod:`tf_course.scratch.deep_nn`.

``difference = ||grad - gradapprox||_2 / (||grad||_2 + ||gradapprox||_2)`` with
``gradapprox_i = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from tf_course.scratch import deep_nn
from tf_course.scratch.deep_nn import Parameters
from tf_course.scratch.nn_utils import cache_from_layers, layers_from_cache

__all__ = [
    "COURSE_SHAPES",
    "backward_propagation",
    "backward_propagation_n",
    "dictionary_to_vector",
    "forward_propagation",
    "forward_propagation_n",
    "gradient_check",
    "gradient_check_n",
    "gradients_to_vector",
    "vector_to_dictionary",
]

#: Parameter shapes of the course's N-D test network (4 inputs, layers 5, 3, 1): 47 values.
COURSE_SHAPES: dict[str, tuple[int, int]] = {
    "W1": (5, 4),
    "b1": (5, 1),
    "W2": (3, 5),
    "b2": (3, 1),
    "W3": (1, 3),
    "b3": (1, 1),
}


# --------------------------------------------------------------------------- 1-D
def forward_propagation(x: float | np.ndarray, theta: float | np.ndarray) -> float | np.ndarray:
    """``J = theta * x``."""
    return np.multiply(theta, x)


def backward_propagation(x: float | np.ndarray, theta: float | np.ndarray) -> float | np.ndarray:
    """``dJ/dtheta = x``."""
    return x


def _relative_difference(grad: np.ndarray, gradapprox: np.ndarray) -> float:
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return float(numerator / denominator)


def gradient_check(x: float, theta: float, epsilon: float = 1e-7, print_msg: bool = False) -> float:
    """Relative difference between ``backward_propagation`` and the centered difference of J.

    Below 1e-7 the gradient is considered correct ("The gradient is correct!" when printing).
    """
    J_plus = forward_propagation(x, theta + epsilon)
    J_minus = forward_propagation(x, theta - epsilon)
    gradapprox = (J_plus - J_minus) / (2.0 * epsilon)
    grad = backward_propagation(x, theta)
    difference = _relative_difference(np.asarray(grad), np.asarray(gradapprox))
    if print_msg:
        print("The gradient is correct!" if difference < 1e-7 else "The gradient is wrong!")
    return difference


# --------------------------------------------------------------------------- N-D
def forward_propagation_n(
    X: np.ndarray, Y: np.ndarray, parameters: Parameters
) -> tuple[float, tuple[np.ndarray, ...]]:
    """Mean cross-entropy cost of the ReLU network on X ``(n_x, m)``, Y ``(1, m)``.

    Returns ``(cost, cache)`` with the tuple cache ``(Z1, A1, W1, b1, ..., ZL, AL, WL, bL)``.
    """
    AL, caches, _ = deep_nn.forward_pass(X, parameters, "relu")
    cost = deep_nn.cross_entropy_cost(AL, Y)
    return cost, cache_from_layers(AL, caches)


def backward_propagation_n(
    X: np.ndarray, Y: np.ndarray, cache: Sequence[np.ndarray], buggy: bool = False
) -> dict[str, np.ndarray]:
    """Correct gradients ``dZ{l}``, ``dW{l}``, ``db{l}``, ``dA{l-1}`` for a cache from
    :func:`forward_propagation_n`.

    ``buggy=True`` reproduces the two mistakes the course plants for the learner to find
    (``dW2`` doubled and ``db1`` computed with ``4 / m`` instead of ``1 / m``); the gradient
    check then reports a difference of about 0.285.
    """
    AL, caches, _ = layers_from_cache(X, cache)
    grads = deep_nn.backward_pass(AL - Y, caches, "relu")
    if buggy:
        grads["dW2"] = grads["dW2"] * 2
        grads["db1"] = grads["db1"] * 4
    return grads


def _layer_keys(n_layers: int, prefix: str = "") -> list[str]:
    return [prefix + kind + str(l) for l in range(1, n_layers + 1) for kind in ("W", "b")]


def dictionary_to_vector(parameters: Parameters) -> tuple[np.ndarray, list[str]]:
    """Stack ``W1, b1, ..., WL, bL`` (row-major) into theta ``(n_params, 1)``.

    Returns ``(theta, keys)`` where ``keys[i]`` names the parameter entry ``i`` comes from.
    """
    columns = []
    keys: list[str] = []
    for key in _layer_keys(deep_nn.num_layers(parameters)):
        column = np.reshape(parameters[key], (-1, 1))
        columns.append(column)
        keys += [key] * column.shape[0]
    return np.concatenate(columns, axis=0), keys


def vector_to_dictionary(
    theta: np.ndarray, shapes: Mapping[str, tuple[int, int]] | None = None
) -> Parameters:
    """Inverse of :func:`dictionary_to_vector`; ``shapes`` defaults to :data:`COURSE_SHAPES`."""
    shapes = COURSE_SHAPES if shapes is None else shapes
    expected = sum(int(np.prod(shape)) for shape in shapes.values())
    if theta.size != expected:
        raise ValueError(
            f"theta has {theta.size} values, the shapes {dict(shapes)} need {expected}"
        )
    parameters: Parameters = {}
    start = 0
    for key in _layer_keys(len(shapes) // 2):
        size = int(np.prod(shapes[key]))
        parameters[key] = theta[start : start + size].reshape(shapes[key])
        start += size
    return parameters


def gradients_to_vector(gradients: Mapping[str, np.ndarray]) -> np.ndarray:
    """Stack ``dW1, db1, ..., dWL, dbL`` into a ``(n_params, 1)`` vector (other keys ignored)."""
    n_layers = sum(1 for key in gradients if key.startswith("dW"))
    return np.concatenate(
        [np.reshape(gradients[key], (-1, 1)) for key in _layer_keys(n_layers, prefix="d")],
        axis=0,
    )


def gradient_check_n(
    parameters: Parameters,
    gradients: Mapping[str, np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    epsilon: float = 1e-7,
    print_msg: bool = False,
) -> float:
    """Relative difference between ``gradients`` and the centered differences of
    :func:`forward_propagation_n`'s cost, one parameter at a time.

    Above 2e-7 the course reports "There is a mistake in the backward propagation!".
    """
    parameters_values, _ = dictionary_to_vector(parameters)
    shapes = {key: value.shape for key, value in parameters.items()}
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    gradapprox = np.zeros((num_parameters, 1))
    for i in range(num_parameters):
        thetaplus = np.copy(parameters_values)
        thetaplus[i][0] = thetaplus[i][0] + epsilon
        J_plus, _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus, shapes))
        thetaminus = np.copy(parameters_values)
        thetaminus[i][0] = thetaminus[i][0] - epsilon
        J_minus, _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus, shapes))
        gradapprox[i] = (J_plus - J_minus) / (2.0 * epsilon)
    difference = _relative_difference(grad, gradapprox)
    if print_msg:
        if difference > 2e-7:
            print(f"There is a mistake in the backward propagation! difference = {difference}")
        else:
            print(f"Your backward propagation works perfectly fine! difference = {difference}")
    return difference
