"""C2W2 Optimization methods: the reference sheet's unit values and the moons runs."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from tf_course.data.generated import load_moons
from tf_course.scratch import optimization as opt
from tf_course.scratch.metrics import accuracy

SHAPES = {"W1": (2, 3), "b1": (2, 1), "W2": (3, 3), "b2": (3, 1)}

# Shared by the momentum and Adam tests: v = 0.1 g after one step from zero.
V_EXPECTED = {
    "dW1": [[-0.11006192, 0.11447237, 0.09015907], [0.05024943, 0.09008559, -0.06837279]],
    "db1": [[-0.01228902], [-0.09357694]],
    "dW2": [[-0.02678881, 0.05303555, -0.06916608], [-0.03967535, -0.06871727, -0.08452056],
            [-0.06712461, -0.00126646, -0.11173103]],
    "db2": [[0.02344157], [0.16598022], [0.07420442]],
}


def _case() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """seed 1, W1, b1, W2, b2, then dW1, db1, dW2, db2."""
    np.random.seed(1)
    parameters = {k: np.random.randn(*s) for k, s in SHAPES.items()}
    grads = {"d" + k: np.random.randn(*s) for k, s in SHAPES.items()}
    return parameters, grads


def _assert_dict(
    got: dict[str, np.ndarray], expected: dict, atol: float = 1e-8, rtol: float = 1e-7
) -> None:
    for key, value in expected.items():
        assert_allclose(got[key], value, atol=atol, rtol=rtol, err_msg=key)


def test_update_parameters_with_gd() -> None:
    parameters, grads = _case()
    updated = opt.update_parameters_with_gd(parameters, grads, 0.01)
    _assert_dict(updated, {
        "W1": [[1.63535156, -0.62320365, -0.53718766], [-1.07799357, 0.85639907, -2.29470142]],
        "b1": [[1.74604067], [-0.75184921]],
        "W2": [[0.32171798, -0.25467393, 1.46902454], [-2.05617317, -0.31554548, -0.3756023],
               [1.1404819, -1.09976462, -0.1612551]],
        "b2": [[-0.88020257], [0.02561572], [0.57539477]],
    })


def test_random_mini_batches() -> None:
    np.random.seed(1)
    X = np.random.randn(12288, 148)
    Y = np.random.randn(1, 148) < 0.5
    batches = opt.random_mini_batches(X, Y, 64)
    assert [b[0].shape for b in batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [b[1].shape for b in batches] == [(1, 64), (1, 64), (1, 20)]
    assert_allclose(batches[0][0][0][0:3], [0.90085595, -0.7612069, 0.2344157], atol=1e-8)
    # together the batches are a permutation of the columns, labels kept with their columns
    all_X = np.concatenate([b[0] for b in batches], axis=1)
    all_Y = np.concatenate([b[1] for b in batches], axis=1)
    order = np.random.RandomState(0).permutation(148)
    np.testing.assert_array_equal(all_X, X[:, order])
    np.testing.assert_array_equal(all_Y, Y[:, order])


def test_random_mini_batches_small_public_case() -> None:
    np.random.seed(1)
    X = np.random.randn(5, 7)
    Y = np.random.randn(1, 7) < 0.5
    batches = opt.random_mini_batches(X, Y, 2, seed=0)
    assert len(batches) == 4 and batches[-1][0].shape == (5, 1)
    first_columns = [
        [1.74481176, -0.38405435, -1.10061918, -0.93576943, -0.67124613],
        [-0.61175641, 0.3190391, -1.09989127, 0.90159072, 0.53035547],
        [1.62434536, -0.7612069, 1.13376944, 1.14472371, -0.26788808],
        [0.86540763, -2.06014071, 0.04221375, -0.68372786, -0.6871727],
    ]
    for batch, column in zip(batches, first_columns, strict=True):
        assert_allclose(batch[0][:, 0], column, atol=1e-8)
    expected_Y = [[[True, True]], [[True, False]], [[True, True]], [[False]]]
    for batch, labels in zip(batches, expected_Y, strict=True):
        np.testing.assert_array_equal(batch[1], labels)


def test_initialize_velocity_and_adam() -> None:
    parameters, _ = _case()
    v = opt.initialize_velocity(parameters)
    v_adam, s_adam = opt.initialize_adam(parameters)
    for state in (v, v_adam, s_adam):
        assert {k: a.shape for k, a in state.items()} == {"d" + k: s for k, s in SHAPES.items()}
        assert not any(a.any() for a in state.values())
    assert v_adam["dW1"] is not s_adam["dW1"]


def test_update_parameters_with_momentum() -> None:
    parameters, grads = _case()
    v = opt.initialize_velocity(parameters)
    updated, v = opt.update_parameters_with_momentum(parameters, grads, v, beta=0.9,
                                                     learning_rate=0.01)
    _assert_dict(updated, {
        "W1": [[1.62544598, -0.61290114, -0.52907334], [-1.07347112, 0.86450677, -2.30085497]],
        "b1": [[1.74493465], [-0.76027113]],
        "W2": [[0.31930698, -0.24990073, 1.4627996], [-2.05974396, -0.32173003, -0.38320915],
               [1.13444069, -1.0998786, -0.1713109]],
        "b2": [[-0.87809283], [0.04055394], [0.58207317]],
    })
    _assert_dict(v, V_EXPECTED)


def test_update_parameters_with_adam() -> None:
    parameters, grads = _case()
    v, s = opt.initialize_adam(parameters)
    updated, v, s = opt.update_parameters_with_adam(parameters, grads, v, s, t=2)
    # W2[2,1] and b2[0] are the sheet's recomputed digits (-1.09244991, -0.88529979).
    _assert_dict(updated, {
        "W1": [[1.63178673, -0.61919778, -0.53561312], [-1.08040999, 0.85796626, -2.29409733]],
        "b1": [[1.75225313], [-0.75376553]],
        "W2": [[0.32648046, -0.25681174, 1.46954931], [-2.05269934, -0.31497584, -0.37661299],
               [1.14121081, -1.09244991, -0.16498684]],
        "b2": [[-0.88529979], [0.03477238], [0.57537385]],
    })
    _assert_dict(v, V_EXPECTED)
    # s is printed with 8 decimals (dW1) or 9 significant digits (e-notation)
    assert_allclose(s["dW1"], [[0.00121136, 0.00131039, 0.00081287],
                               [0.0002525, 0.00081154, 0.00046748]], atol=1e-8)
    _assert_dict(s, {
        "db1": [[1.51020075e-05], [8.75664434e-04]],
        "dW2": [[7.17640232e-05, 2.81276921e-04, 4.78394595e-04],
                [1.57413361e-04, 4.72206320e-04, 7.14372576e-04],
                [4.50571368e-04, 1.60392066e-07, 1.24838242e-03]],
        "db2": [[5.49507194e-05], [2.75494327e-03], [5.50629536e-04]],
    }, atol=0.0, rtol=1e-7)


def test_update_lr() -> None:
    assert_allclose(opt.update_lr(0.5, 2, 1), 0.16666666666666666, rtol=1e-15)
    assert_allclose(opt.update_lr(1, 2, 1), 0.3333333333333333, rtol=1e-15)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((0.5, 100, 1, 100), 0.25),
        ((0.5, 10, 1, 100), 0.5),
        ((0.3, 1000, 0.25, 100), 0.085714285714285714),
        ((0.3, 100, 0.25, 100), 0.24),
        ((0.5, 10, 0.3, 100), 0.5),
        ((0.5, 100, 0.3, 100), 0.3846153846153846),
    ],
)
def test_schedule_lr_decay(args: tuple[float, int, float, int], expected: float) -> None:
    assert_allclose(opt.schedule_lr_decay(*args), expected, rtol=1e-15)


def test_model_rejects_unknown_optimizer() -> None:
    with pytest.raises(ValueError, match="optimizer"):
        opt.model(np.zeros((2, 4)), np.zeros((1, 4)), [2, 1], "rmsprop")  # type: ignore[arg-type]


def test_model_with_decay_changes_training() -> None:
    X, Y = load_moons()
    _, plain = opt.model(X, Y, [2, 5, 2, 1], "gd", learning_rate=0.1, num_epochs=201,
                         print_cost=False)
    _, decayed = opt.model(X, Y, [2, 5, 2, 1], "gd", learning_rate=0.1, num_epochs=201,
                           print_cost=False, decay=opt.update_lr, decay_rate=1.0)
    assert plain[0] == decayed[0]  # the decay applies after epoch 0
    # lr drops to 0.1 / (1 + i): the decayed run learns far less by epoch 200
    assert decayed[2] > plain[2] + 0.01


# Epoch costs printed by the course (summed mini-batch cost / m) at epochs 0, 1000 and 9000.
HEADLINE = {
    "gd": ([0.702405, 0.668101, 0.468014], 0.7966666666666666),
    "momentum": ([0.702413, 0.668167, 0.468160], 0.7966666666666666),
    "adam": ([0.702166, 0.167845, 0.129118], 0.94),
}


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_model_on_moons(optimizer: str) -> None:
    X, Y = load_moons()
    parameters, costs = opt.model(X, Y, [2, 5, 2, 1], optimizer, print_cost=False)
    assert len(costs) == 100
    expected_costs, expected_accuracy = HEADLINE[optimizer]
    assert_allclose([costs[0], costs[10], costs[90]], expected_costs, atol=1e-6)
    assert accuracy(opt.predict(X, Y, parameters), Y) == pytest.approx(expected_accuracy)
