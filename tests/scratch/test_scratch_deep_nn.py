"""C1W4 deep network step by step: the reference sheet's unit values, plus the shared core."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from numpy.testing import assert_allclose

from tf_course.data.generated import load_planar_dataset
from tf_course.scratch import deep_nn
from tf_course.scratch.metrics import accuracy


def test_initialize_parameters() -> None:
    p = deep_nn.initialize_parameters(3, 2, 1)
    assert_allclose(p["W1"], [[0.01624345, -0.00611756, -0.00528172],
                              [-0.01072969, 0.00865408, -0.02301539]], atol=1e-8)
    assert_allclose(p["W2"], [[0.01744812, -0.00761207]], atol=1e-8)
    assert p["b1"].shape == (2, 1) and not p["b1"].any()
    assert p["b2"].shape == (1, 1) and not p["b2"].any()


def test_initialize_parameters_deep() -> None:
    p = deep_nn.initialize_parameters_deep([5, 4, 3])
    assert_allclose(p["W1"], [
        [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388],
        [-0.00354759, -0.00082741, -0.00627001, -0.00043818, -0.00477218],
        [-0.01313865, 0.00884622, 0.00881318, 0.01709573, 0.00050034],
        [-0.00404677, -0.0054536, -0.01546477, 0.00982367, -0.01101068]], atol=1e-8)
    assert_allclose(p["W2"], [
        [-0.01185047, -0.0020565, 0.01486148, 0.00236716],
        [-0.01023785, -0.00712993, 0.00625245, -0.00160513],
        [-0.00768836, -0.00230031, 0.00745056, 0.01976111]], atol=1e-8)
    assert p["b1"].shape == (4, 1) and not p["b1"].any()
    assert p["b2"].shape == (3, 1) and not p["b2"].any()


def test_initialize_parameters_deep_app_scales_by_sqrt_fan_in() -> None:
    # dnn_app_utils_v3: seed 1, randn / sqrt(n_prev) -- the draws of seed 1 in layer order.
    p = deep_nn.initialize_parameters_deep_app([4, 3, 1])
    np.random.seed(1)
    assert_allclose(p["W1"], np.random.randn(3, 4) / 2.0, rtol=1e-15)
    assert_allclose(p["W2"], np.random.randn(1, 3) / np.sqrt(3), rtol=1e-15)


def test_initialize_layers_rejects_unknown_scale() -> None:
    with pytest.raises(ValueError, match="weight_scale"):
        deep_nn.initialize_layers([2, 1], seed=1, weight_scale="glorot")  # type: ignore[arg-type]


def test_linear_forward() -> None:
    np.random.seed(1)
    A = np.random.randn(3, 2)
    W = np.random.randn(1, 3)
    b = np.random.randn(1, 1)
    Z, cache = deep_nn.linear_forward(A, W, b)
    assert_allclose(Z, [[3.26295337, -1.23429987]], atol=1e-8)
    assert cache[0] is A and cache[1] is W and cache[2] is b


def _linear_activation_forward_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    np.random.seed(2)
    return np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1)


@pytest.mark.parametrize(
    ("activation", "expected"),
    [("sigmoid", [[0.96890023, 0.11013289]]), ("relu", [[3.43896131, 0.0]])],
)
def test_linear_activation_forward(activation: str, expected: list[list[float]]) -> None:
    A_prev, W, b = _linear_activation_forward_case()
    A, ((cached_A, _, _), Z) = deep_nn.linear_activation_forward(A_prev, W, b, activation)
    assert_allclose(A, expected, atol=1e-8)
    assert cached_A is A_prev
    assert_allclose(Z, np.dot(W, A_prev) + b)


def test_L_model_forward() -> None:
    np.random.seed(6)
    X = np.random.randn(5, 4)
    parameters = {}
    for key, shape in [("W1", (4, 5)), ("b1", (4, 1)), ("W2", (3, 4)), ("b2", (3, 1)),
                       ("W3", (1, 3)), ("b3", (1, 1))]:
        parameters[key] = np.random.randn(*shape)
    AL, caches = deep_nn.L_model_forward(X, parameters)
    assert_allclose(AL, [[0.03921668, 0.70498921, 0.19734387, 0.04728177]], atol=1e-8)
    assert len(caches) == 3


def test_compute_cost() -> None:
    cost = deep_nn.compute_cost(np.array([[0.8, 0.9, 0.4]]), np.asarray([[1, 1, 0]]))
    assert isinstance(cost, float)
    assert_allclose(cost, 0.2797765635793422, rtol=1e-12)


def test_linear_backward() -> None:
    np.random.seed(1)
    dZ = np.random.randn(3, 4)
    A = np.random.randn(5, 4)
    W = np.random.randn(3, 5)
    b = np.random.randn(3, 1)
    dA_prev, dW, db = deep_nn.linear_backward(dZ, (A, W, b))
    assert_allclose(dA_prev, [
        [-1.15171336, 0.06718465, -0.3204696, 2.09812712],
        [0.60345879, -3.72508701, 5.81700741, -3.84326836],
        [-0.4319552, -1.30987417, 1.72354705, 0.05070578],
        [-0.38981415, 0.60811244, -1.25938424, 1.47191593],
        [-2.52214926, 2.67882552, -0.67947465, 1.48119548]], atol=1e-8)
    assert_allclose(dW, [
        [0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716],
        [0.85508818, 0.37530413, -0.59912655, 0.71278189, -0.58931808],
        [0.97913304, -0.24376494, -0.08839671, 0.55151192, -0.10290907]], atol=1e-8)
    assert_allclose(db, [[-0.14713786], [-0.11313155], [-0.13209101]], atol=1e-8)


@pytest.mark.parametrize(
    ("activation", "dA_prev", "dW", "db"),
    [
        ("sigmoid",
         [[0.11017994, 0.01105339], [0.09466817, 0.00949723], [-0.05743092, -0.00576154]],
         [[0.10266786, 0.09778551, -0.01968084]], [[-0.05729622]]),
        ("relu",
         [[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]],
         [[0.44513824, 0.37371418, -0.10478989]], [[-0.20837892]]),
    ],
)
def test_linear_activation_backward(
    activation: str, dA_prev: list, dW: list, db: list
) -> None:
    np.random.seed(2)
    dA = np.random.randn(1, 2)
    A = np.random.randn(3, 2)
    W = np.random.randn(1, 3)
    b = np.random.randn(1, 1)
    Z = np.random.randn(1, 2)
    got = deep_nn.linear_activation_backward(dA, ((A, W, b), Z), activation)
    for value, expected in zip(got, (dA_prev, dW, db), strict=True):
        assert_allclose(value, expected, atol=1e-8)


def test_L_model_backward() -> None:
    np.random.seed(3)
    AL = np.random.randn(1, 2)
    Y = np.array([[1, 0]])
    A1 = np.random.randn(4, 2)
    W1 = np.random.randn(3, 4)
    b1 = np.random.randn(3, 1)
    Z1 = np.random.randn(3, 2)
    A2 = np.random.randn(3, 2)
    W2 = np.random.randn(1, 3)
    b2 = np.random.randn(1, 1)
    Z2 = np.random.randn(1, 2)
    caches = [((A1, W1, b1), Z1), ((A2, W2, b2), Z2)]
    grads = deep_nn.L_model_backward(AL, Y, caches)
    assert_allclose(grads["dW1"], [[0.41010002, 0.07807203, 0.13798444, 0.10502167],
                                   [0.0, 0.0, 0.0, 0.0],
                                   [0.05283652, 0.01005865, 0.01777766, 0.0135308]], atol=1e-8)
    assert_allclose(grads["db1"], [[-0.22007063], [0.0], [-0.02835349]], atol=1e-8)
    assert_allclose(grads["dA1"], [[0.12913162, -0.44014127], [-0.14175655, 0.48317296],
                                   [0.01663708, -0.05670698]], atol=1e-8)
    for key in ("dA0", "dW2", "db2"):
        assert key in grads


def test_update_parameters() -> None:
    np.random.seed(2)
    shapes = {"W1": (3, 4), "b1": (3, 1), "W2": (1, 3), "b2": (1, 1)}
    parameters = {k: np.random.randn(*s) for k, s in shapes.items()}
    np.random.seed(3)
    grads = {"d" + k: np.random.randn(*s) for k, s in shapes.items()}
    updated = deep_nn.update_parameters(parameters, grads, 0.1)
    assert_allclose(updated["W1"], [[-0.59562069, -0.09991781, -2.14584584, 1.82662008],
                                    [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
                                    [-1.0535704, -0.86128581, 0.68284052, 2.20374577]],
                    atol=1e-8)
    assert_allclose(updated["b1"], [[-0.04659241], [-1.28888275], [0.53405496]], atol=1e-8)
    assert_allclose(updated["W2"], [[-0.55569196, 0.0354055, 1.32964895]], atol=1e-8)
    assert_allclose(updated["b2"], [[-0.84610769]], atol=1e-8)


# ---------------------------------------------------------------- the shared core
def _numerical_gradients(
    X: np.ndarray, Y: np.ndarray, parameters: dict[str, np.ndarray], hidden_activation: str,
    eps: float = 1e-6,
) -> dict[str, np.ndarray]:
    numerical = {}
    for key, value in parameters.items():
        grad = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            costs = []
            for sign in (1, -1):
                shifted = {k: v.copy() for k, v in parameters.items()}
                shifted[key][idx] += sign * eps
                AL, _, _ = deep_nn.forward_pass(X, shifted, hidden_activation)
                costs.append(deep_nn.cross_entropy_cost(AL, Y))
            grad[idx] = (costs[0] - costs[1]) / (2 * eps)
        numerical["d" + key] = grad
    return numerical


@pytest.mark.parametrize("hidden_activation", ["relu", "tanh", "sigmoid"])
def test_backward_pass_matches_finite_differences(hidden_activation: str) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 7))
    Y = (rng.random((1, 7)) > 0.5).astype(float)
    parameters = deep_nn.initialize_layers([3, 4, 2, 1], seed=5, weight_scale=1.0)
    parameters["b1"] = rng.normal(size=(4, 1))
    AL, caches, _ = deep_nn.forward_pass(X, parameters, hidden_activation)
    grads = deep_nn.backward_pass(AL - Y, caches, hidden_activation)
    numerical = _numerical_gradients(X, Y, parameters, hidden_activation)
    for key, value in numerical.items():
        assert_allclose(grads[key], value, rtol=1e-5, atol=1e-8, err_msg=key)


def test_L_model_backward_equals_dZ_route() -> None:
    X, Y = load_planar_dataset()
    parameters = deep_nn.initialize_layers([2, 5, 3, 1], seed=0, weight_scale="he")
    AL, caches = deep_nn.L_model_forward(X, parameters)
    via_dA = deep_nn.L_model_backward(AL, Y, caches)
    via_dZ = deep_nn.backward_pass(AL - Y, caches)
    for key in ("dW1", "db1", "dW2", "db2", "dW3", "db3"):
        assert_allclose(via_dA[key], via_dZ[key], rtol=1e-9, atol=1e-14, err_msg=key)


def test_cross_entropy_cost_variants() -> None:
    AL = np.array([[1.0, 0.25]])
    Y = np.array([[1, 0]])
    with np.errstate(divide="ignore", invalid="ignore"):
        assert np.isnan(deep_nn.cross_entropy_cost(AL, Y))
        # nansum drops 0 * log(0): -(0 + log(0.75)) / 2
        assert_allclose(deep_nn.cross_entropy_cost(AL, Y, ignore_nan=True), -np.log(0.75) / 2)
        assert_allclose(deep_nn.cross_entropy_cost(AL, Y, "sum", ignore_nan=True), -np.log(0.75))


def test_predict() -> None:
    parameters = {"W1": np.array([[1.0, -1.0]]), "b1": np.array([[0.0]])}
    X = np.array([[2.0, 0.0, 1.0], [1.0, 3.0, 1.0]])  # Z = [1, -3, 0]
    p = deep_nn.predict(X, None, parameters)
    np.testing.assert_array_equal(p, [[1, 0, 0]])  # sigmoid(0) = 0.5 is not > 0.5


@pytest.mark.parametrize("model", [deep_nn.two_layer_model, deep_nn.L_layer_model])
def test_application_models_train_on_generated_data(model: Callable[..., tuple]) -> None:
    # The cat-data numbers need the course's h5 files; here: shapes, cost bookkeeping, learning.
    X, Y = load_planar_dataset()
    dims = (2, 7, 1) if model is deep_nn.two_layer_model else [2, 7, 5, 1]
    parameters, costs = model(X, Y, dims, learning_rate=0.5, num_iterations=1001)
    assert len(costs) == 11  # iterations 0, 100, ..., 1000
    start = (deep_nn.initialize_parameters(2, 7, 1) if model is deep_nn.two_layer_model
             else deep_nn.initialize_parameters_deep_app(dims))
    assert_allclose(costs[0], deep_nn.compute_cost(deep_nn.L_model_forward(X, start)[0], Y))
    assert costs[-1] < costs[0] - 0.1  # 0.693 -> 0.553 (2 layers), 0.748 -> 0.271 (4 layers)
    assert accuracy(deep_nn.predict(X, Y, parameters), Y) > 0.7  # 0.72, 0.89
