"""C2W1 Initialization: the reference sheet's initializer values and the three training runs."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from tf_course.data.generated import load_circles
from tf_course.scratch import initialization as ini
from tf_course.scratch.metrics import accuracy


def test_initialize_parameters_zeros() -> None:
    p = ini.initialize_parameters_zeros([3, 2, 1])
    assert {k: v.shape for k, v in p.items()} == {
        "W1": (2, 3), "b1": (2, 1), "W2": (1, 2), "b2": (1, 1)}
    assert not any(v.any() for v in p.values())


def test_initialize_parameters_random() -> None:
    p = ini.initialize_parameters_random([3, 2, 1])
    assert_allclose(p["W1"], [[17.88628473, 4.36509851, 0.96497468],
                              [-18.63492703, -2.77388203, -3.54758979]], atol=1e-8)
    assert_allclose(p["W2"], [[-0.82741481, -6.27000677]], atol=1e-8)
    assert not p["b1"].any() and not p["b2"].any()


def test_initialize_parameters_he() -> None:
    p = ini.initialize_parameters_he([2, 4, 1])
    assert_allclose(p["W1"], [[1.78862847, 0.43650985], [0.09649747, -1.8634927],
                              [-0.2773882, -0.35475898], [-0.08274148, -0.62700068]], atol=1e-8)
    assert_allclose(p["W2"], [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]], atol=1e-8)
    assert p["b1"].shape == (4, 1) and not p["b1"].any()


def test_model_rejects_unknown_initialization() -> None:
    X, Y = np.zeros((2, 3)), np.zeros((1, 3))
    with pytest.raises(ValueError, match="initialization"):
        ini.model(X, Y, initialization="xavier", print_cost=False)  # type: ignore[arg-type]


def _train(initialization: str) -> tuple[list[float], float, float, np.ndarray]:
    train_X, train_Y, test_X, test_Y = load_circles()
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0) of the x10 init
        parameters, costs = ini.model(train_X, train_Y, initialization=initialization,
                                      print_cost=False)
    p_train = ini.predict(train_X, train_Y, parameters)
    return (costs, accuracy(p_train, train_Y),
            accuracy(ini.predict(test_X, test_Y, parameters), test_Y), p_train)


def test_model_zeros() -> None:
    costs, train_acc, test_acc, p_train = _train("zeros")
    assert len(costs) == 15
    assert_allclose(costs, [0.6931471805599453] * 15, rtol=1e-12)
    assert not p_train.any()  # predicts 0 everywhere
    assert train_acc == pytest.approx(0.5) and test_acc == pytest.approx(0.5)


def test_model_random() -> None:
    costs, train_acc, test_acc, _ = _train("random")
    assert costs[0] == np.inf
    # The x10 weights make the early iterations sensitive to BLAS rounding (1e-3 between
    # OpenBLAS kernels); the course printed 0.6239567, 0.5978044, and 0.382751 at 14000.
    assert_allclose(costs[1:3], [0.6239567039908781, 0.5978043872838292], atol=2e-3)
    assert_allclose(costs[14], 0.38275100578285265, atol=1e-3)
    assert train_acc == pytest.approx(0.83) and test_acc == pytest.approx(0.86)


def test_model_he() -> None:
    costs, train_acc, test_acc, _ = _train("he")
    assert_allclose(costs[0], 0.8830537463419761, rtol=1e-12)
    assert_allclose(costs[14], 0.07357895962677362, rtol=1e-6)
    assert train_acc == pytest.approx(0.9933333333333333) and test_acc == pytest.approx(0.96)
