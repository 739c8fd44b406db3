"""C2W2 Optimization methods: mini-batch gradient descent, momentum, Adam, learning-rate decay.

The model is the course's 3-layer ``opt_utils`` network
(``LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID``, He-scaled initialization with
seed 3) trained on reshuffled mini-batches; its forward/backward are the shared core of
:mod:`tf_course.scratch.deep_nn`. Parameters are ``W{l}`` ``(n[l], n[l-1])`` and ``b{l}``
``(n[l], 1)``; the optimizer states ``v``/``s`` use the gradient keys ``dW{l}``, ``db{l}``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

from tf_course.scratch import deep_nn
from tf_course.scratch.deep_nn import Parameters, num_layers
from tf_course.scratch.nn_utils import backward_propagation, forward_propagation, predict

Grads = dict[str, np.ndarray]

__all__ = [
    "backward_propagation",
    "compute_cost",
    "forward_propagation",
    "initialize_adam",
    "initialize_parameters",
    "initialize_velocity",
    "model",
    "predict",
    "random_mini_batches",
    "schedule_lr_decay",
    "update_lr",
    "update_parameters_with_adam",
    "update_parameters_with_gd",
    "update_parameters_with_momentum",
]


def initialize_parameters(layer_dims: Sequence[int]) -> Parameters:
    """``opt_utils.initialize_parameters``: seed 3, ``W{l} = randn(...) * sqrt(2 / n[l-1])``."""
    return deep_nn.initialize_layers(layer_dims, seed=3, weight_scale="he")


def compute_cost(a3: np.ndarray, Y: np.ndarray) -> float:
    """``opt_utils.compute_cost``: the cross-entropy *summed* over the m examples of a batch.

    The model divides the epoch's total by the number of training examples.
    """
    return deep_nn.cross_entropy_cost(a3, Y, reduction="sum")


def update_parameters_with_gd(
    parameters: Parameters, grads: Grads, learning_rate: float
) -> Parameters:
    """One gradient-descent step ``W{l} -= lr dW{l}``, ``b{l} -= lr db{l}`` (new dict)."""
    return deep_nn.update_parameters(parameters, grads, learning_rate)


def random_mini_batches(
    X: np.ndarray, Y: np.ndarray, mini_batch_size: int = 64, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle the columns of X ``(n_x, m)`` and Y ``(1, m)`` together and cut them in batches.

    ``np.random.seed(seed)`` then ``np.random.permutation(m)``; the batches are the
    ``floor(m / mini_batch_size)`` full ones followed by the remainder, if any. Returns a list of
    ``(mini_batch_X (n_x, size), mini_batch_Y (1, size))``.
    """
    np.random.seed(seed)
    m = X.shape[1]
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    mini_batches = []
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(num_complete_minibatches):
        sl = slice(k * mini_batch_size, (k + 1) * mini_batch_size)
        mini_batches.append((shuffled_X[:, sl], shuffled_Y[:, sl]))
    if m % mini_batch_size != 0:
        start = num_complete_minibatches * mini_batch_size
        mini_batches.append((shuffled_X[:, start:m], shuffled_Y[:, start:m]))
    return mini_batches


def _zeros_like_grads(parameters: Parameters) -> Grads:
    state: Grads = {}
    for l in range(1, num_layers(parameters) + 1):
        state["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        state["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)
    return state


def initialize_velocity(parameters: Parameters) -> Grads:
    """Zero velocity ``v["dW{l}"]``, ``v["db{l}"]`` shaped like ``W{l}``, ``b{l}``."""
    return _zeros_like_grads(parameters)


def initialize_adam(parameters: Parameters) -> tuple[Grads, Grads]:
    """Zero first and second moment estimates ``(v, s)``, keyed and shaped like the gradients."""
    return _zeros_like_grads(parameters), _zeros_like_grads(parameters)


def update_parameters_with_momentum(
    parameters: Parameters, grads: Grads, v: Grads, beta: float, learning_rate: float
) -> tuple[Parameters, Grads]:
    """Momentum ``v = beta v + (1 - beta) g``, ``theta -= lr v``; returns ``(parameters, v)``."""
    new_parameters: Parameters = {}
    new_v: Grads = {}
    for l in range(1, num_layers(parameters) + 1):
        for p in ("W", "b"):
            key, dkey = p + str(l), "d" + p + str(l)
            new_v[dkey] = beta * v[dkey] + (1 - beta) * grads[dkey]
            new_parameters[key] = parameters[key] - learning_rate * new_v[dkey]
    return new_parameters, new_v


def update_parameters_with_adam(
    parameters: Parameters,
    grads: Grads,
    v: Grads,
    s: Grads,
    t: int,
    learning_rate: float = 0.01,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
) -> tuple[Parameters, Grads, Grads]:
    """Adam step ``t`` (1-based count of updates so far) with bias correction.

    ``v = beta1 v + (1 - beta1) g``, ``s = beta2 s + (1 - beta2) g^2``,
    ``v_hat = v / (1 - beta1^t)``, ``s_hat = s / (1 - beta2^t)``,
    ``theta -= lr * v_hat / (sqrt(s_hat) + epsilon)``. Returns new ``(parameters, v, s)``.
    """
    new_parameters: Parameters = {}
    new_v: Grads = {}
    new_s: Grads = {}
    correction1 = 1 - np.power(beta1, t)
    correction2 = 1 - np.power(beta2, t)
    for l in range(1, num_layers(parameters) + 1):
        for p in ("W", "b"):
            key, dkey = p + str(l), "d" + p + str(l)
            new_v[dkey] = beta1 * v[dkey] + (1 - beta1) * grads[dkey]
            v_corrected = new_v[dkey] / correction1
            new_s[dkey] = beta2 * s[dkey] + (1 - beta2) * np.power(grads[dkey], 2)
            s_corrected = new_s[dkey] / correction2
            new_parameters[key] = parameters[key] - learning_rate * v_corrected / (
                np.sqrt(s_corrected) + epsilon
            )
    return new_parameters, new_v, new_s


def update_lr(learning_rate0: float, epoch_num: int, decay_rate: float) -> float:
    """Inverse-time decay ``lr0 / (1 + decay_rate * epoch_num)``."""
    return 1 / (1 + decay_rate * epoch_num) * learning_rate0


def schedule_lr_decay(
    learning_rate0: float, epoch_num: int, decay_rate: float, time_interval: int = 1000
) -> float:
    """Stepped decay ``lr0 / (1 + decay_rate * floor(epoch_num / time_interval))``."""
    return 1 / (1 + decay_rate * np.floor(epoch_num / time_interval)) * learning_rate0


def model(
    X: np.ndarray,
    Y: np.ndarray,
    layers_dims: Sequence[int],
    optimizer: Literal["gd", "momentum", "adam"],
    learning_rate: float = 0.0007,
    mini_batch_size: int = 64,
    beta: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    num_epochs: int = 10000,
    print_cost: bool = True,
    decay: Callable[[float, int, float], float] | None = None,
    decay_rate: float = 1,
) -> tuple[Parameters, list[float]]:
    """Train the ``opt_utils`` network on X ``(n_x, m)``, Y ``(1, m)`` with mini-batches.

    As the course: :func:`initialize_parameters`; the shuffling seed starts at 10 and is
    incremented before each epoch's :func:`random_mini_batches`; one update per mini-batch with
    ``optimizer`` ("gd", "momentum" with ``beta``, or "adam" whose step count ``t`` counts
    mini-batch updates); the epoch cost is the summed mini-batch cost divided by m. With
    ``decay`` (e.g. :func:`update_lr` or :func:`schedule_lr_decay`), the learning rate after
    epoch i is ``decay(learning_rate0, i, decay_rate)``.

    Returns ``(parameters, costs)`` with the cost of epochs 0, 100, 200, ...; prints every 1000
    epochs with ``print_cost`` (the course's default).
    """
    if optimizer not in ("gd", "momentum", "adam"):
        raise ValueError(f"optimizer must be 'gd', 'momentum' or 'adam', got {optimizer!r}")
    costs: list[float] = []
    t = 0
    seed = 10
    m = X.shape[1]
    learning_rate0 = learning_rate
    parameters = initialize_parameters(layers_dims)
    v = s = initialize_velocity(parameters)
    if optimizer == "adam":
        v, s = initialize_adam(parameters)

    for i in range(num_epochs):
        seed = seed + 1
        cost_total = 0.0
        for minibatch_X, minibatch_Y in random_mini_batches(X, Y, mini_batch_size, seed):
            a3, caches, _ = deep_nn.forward_pass(minibatch_X, parameters, "relu")
            cost_total += compute_cost(a3, minibatch_Y)
            grads = deep_nn.backward_pass(a3 - minibatch_Y, caches, "relu")
            if optimizer == "gd":
                parameters = update_parameters_with_gd(parameters, grads, learning_rate)
            elif optimizer == "momentum":
                parameters, v = update_parameters_with_momentum(
                    parameters, grads, v, beta, learning_rate
                )
            else:
                t = t + 1
                parameters, v, s = update_parameters_with_adam(
                    parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon
                )
        cost_avg = cost_total / m
        if decay is not None:
            learning_rate = decay(learning_rate0, i, decay_rate)
        if print_cost and i % 1000 == 0:
            print(f"Cost after epoch {i}: {cost_avg:f}")
            if decay is not None:
                print(f"learning rate after epoch {i}: {learning_rate:f}")
        if i % 100 == 0:
            costs.append(cost_avg)
    return parameters, costs
