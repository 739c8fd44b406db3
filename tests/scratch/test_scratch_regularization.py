"""C2W1 Regularization: the reference sheet's unit values; training on generated data.

The sheet's training runs use the course's data.mat (the football data); those belong to the
pipeline tests. Here training is checked on the generated circles.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from tf_course.data.generated import load_circles
from tf_course.scratch import regularization as reg
from tf_course.scratch.deep_nn import forward_pass

SHAPES = [("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 2)), ("b2", (3, 1)), ("W3", (1, 3)),
          ("b3", (1, 1))]


def _draw_parameters() -> dict[str, np.ndarray]:
    return {key: np.random.randn(*shape) for key, shape in SHAPES}


def _case() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """seed 1, X = randn(3, 5), then W1, b1, W2, b2, W3, b3; Y = [[1, 1, 0, 1, 0]]."""
    np.random.seed(1)
    X = np.random.randn(3, 5)
    return X, np.array([[1, 1, 0, 1, 0]]), _draw_parameters()


def test_initialize_parameters() -> None:
    p = reg.initialize_parameters([2, 20, 3, 1])
    np.random.seed(3)
    for l, (n, n_prev) in enumerate([(20, 2), (3, 20), (1, 3)], start=1):
        assert_allclose(p[f"W{l}"], np.random.randn(n, n_prev) / np.sqrt(n_prev), rtol=1e-15)
        assert p[f"b{l}"].shape == (n, 1) and not p[f"b{l}"].any()


def test_compute_cost_with_regularization() -> None:
    np.random.seed(1)
    Y = np.array([[1, 1, 0, 1, 0]])
    parameters = _draw_parameters()
    a3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    cost = reg.compute_cost_with_regularization(a3, Y, parameters, lambd=0.1)
    assert_allclose(cost, 1.7864859451590758, rtol=1e-12)


def test_backward_propagation_with_regularization() -> None:
    # The test's fixed cache is the forward pass of these seeded inputs (the sheet does not
    # print it); rebuilt with forward_propagation.
    X, Y, parameters = _case()
    _, cache = reg.forward_propagation(X, parameters)
    grads = reg.backward_propagation_with_regularization(X, Y, cache, lambd=0.7)
    assert_allclose(grads["dW1"], [[-0.25604646, 0.12298827, -0.28297129],
                                   [-0.17706303, 0.34536094, -0.4410571]], atol=1e-8)
    assert_allclose(grads["dW2"], [[0.79276486, 0.85133918], [-0.0957219, -0.01720463],
                                   [-0.13100772, -0.03750433]], atol=1e-8)
    assert_allclose(grads["dW3"], [[-1.77691347, -0.11832879, -0.09397446]], atol=1e-8)
    plain = reg.backward_propagation(X, Y, cache)
    assert_allclose(grads["dW3"] - plain["dW3"], 0.7 / 5 * parameters["W3"], atol=1e-15)
    assert_allclose(grads["db1"], plain["db1"])


def test_forward_propagation_with_dropout() -> None:
    X, _, parameters = _case()
    A3, cache = reg.forward_propagation_with_dropout(X, parameters, keep_prob=0.7)
    assert_allclose(A3, [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]],
                    atol=1e-8)
    assert len(cache) == 14
    # seed 1 is set inside every call: the same masks again.
    _, again = reg.forward_propagation_with_dropout(X, parameters, keep_prob=0.7)
    np.testing.assert_array_equal(cache[1], again[1])
    np.testing.assert_array_equal(cache[6], again[6])


def test_backward_propagation_with_dropout() -> None:
    # The test's fixed cache (masks included) is forward_propagation_with_dropout of these
    # seeded inputs with its default keep_prob=0.5; the backward then runs with 0.8.
    X, Y, parameters = _case()
    _, cache = reg.forward_propagation_with_dropout(X, parameters)
    grads = reg.backward_propagation_with_dropout(X, Y, cache, keep_prob=0.8)
    assert_allclose(grads["dA1"], [[0.36544439, 0.0, -0.00188233, 0.0, -0.17408748],
                                   [0.65515713, 0.0, -0.00337459, 0.0, -0.0]], atol=1e-8)
    assert_allclose(grads["dA2"], [[0.58180856, 0.0, -0.00299679, 0.0, -0.27715731],
                                   [0.0, 0.53159854, -0.0, 0.53159854, -0.34089673],
                                   [0.0, 0.0, -0.00292733, 0.0, -0.0]], atol=1e-8)


def test_model_rejects_l2_and_dropout_together() -> None:
    X, Y = np.zeros((2, 4)), np.zeros((1, 4))
    with pytest.raises(ValueError, match="not both"):
        reg.model(X, Y, lambd=0.7, keep_prob=0.86, print_cost=False)


RUNS = {"baseline": {}, "l2": {"lambd": 0.7}, "dropout": {"keep_prob": 0.86}}


@pytest.fixture(scope="module")
def trained() -> dict[str, tuple[dict[str, np.ndarray], list[float]]]:
    # learning rate 0.1: with the course's 0.3 the L2 run on the circles oscillates on some
    # BLAS kernels.
    train_X, train_Y, _, _ = load_circles()
    return {
        name: reg.model(train_X, train_Y, learning_rate=0.1, num_iterations=3001,
                        print_cost=False, **kwargs)
        for name, kwargs in RUNS.items()
    }


@pytest.mark.parametrize("name", list(RUNS))
def test_model_reduces_cost(trained: dict, name: str) -> None:
    parameters, costs = trained[name]
    kwargs = RUNS[name]
    assert len(costs) == 4  # iterations 0, 1000, 2000, 3000
    assert all(np.isfinite(costs))
    assert costs[-1] < costs[0] - 0.4  # 0.71 -> 0.03 / 0.74 -> 0.17 / 0.71 -> 0.13
    assert costs[-1] <= costs[-2] <= costs[-3]
    # the first recorded cost is the cost of the reg_utils initialization
    train_X, train_Y, _, _ = load_circles()
    start = reg.initialize_parameters([2, 20, 3, 1])
    if "keep_prob" in kwargs:
        A3, _ = reg.forward_propagation_with_dropout(train_X, start, kwargs["keep_prob"])
    else:
        A3, _ = reg.forward_propagation(train_X, start)
    if "lambd" in kwargs:
        cost0 = reg.compute_cost_with_regularization(A3, train_Y, start, kwargs["lambd"])
    else:
        cost0 = reg.compute_cost(A3, train_Y)
    assert_allclose(costs[0], cost0, rtol=1e-12)
    AL, _, _ = forward_pass(train_X, parameters)
    assert AL.shape == (1, 300)


def test_l2_shrinks_weights(trained: dict) -> None:
    def squared_norm(parameters: dict[str, np.ndarray]) -> float:
        return sum(float(np.sum(parameters[f"W{l}"] ** 2)) for l in (1, 2, 3))

    # 89 vs 133 after 3000 iterations
    assert squared_norm(trained["l2"][0]) < 0.8 * squared_norm(trained["baseline"][0])
