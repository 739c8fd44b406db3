"""C5W1 Building an RNN step by step: every value of the reference sheet, with the course's seeding order."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.scratch import rnn
from tf_course.scratch.rnn import (
    gradient_check,
    gru_backward,
    gru_cell_forward,
    gru_forward,
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_forward,
    softmax,
)


def draw(shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """Draw ``randn`` arrays in the dict's order (the course's order matters)."""
    return {k: np.random.randn(*s) for k, s in shapes.items()}


def rnn_shapes(n_x: int, n_a: int, n_y: int, backward: bool = False) -> dict[str, tuple[int, ...]]:
    first = {"Wax": (n_a, n_x), "Waa": (n_a, n_a)} if backward else {"Waa": (n_a, n_a), "Wax": (n_a, n_x)}
    return first | {"Wya": (n_y, n_a), "ba": (n_a, 1), "by": (n_y, 1)}


def lstm_shapes(n_x: int, n_a: int, n_y: int) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    for gate in "fioc":
        shapes[f"W{gate}"], shapes[f"b{gate}"] = (n_a, n_a + n_x), (n_a, 1)
    return shapes | {"Wy": (n_y, n_a), "by": (n_y, 1)}


def test_softmax_over_axis_0_with_global_max() -> None:
    z = np.array([[1.0, 30.0], [2.0, 31.0]])
    out = softmax(z)
    np.testing.assert_allclose(out.sum(axis=0), [1.0, 1.0])
    e = np.exp(1.0)
    np.testing.assert_allclose(out, [[1 / (1 + e), 1 / (1 + e)], [e / (1 + e), e / (1 + e)]])
    # the course subtracts the global max, not each column's: a column far below it underflows
    with np.errstate(invalid="ignore"):
        assert np.isnan(softmax(np.array([[1.0, 1000.0], [2.0, 1000.0]]))[0, 0])


def test_rnn_cell_forward_notebook() -> None:
    np.random.seed(1)
    xt, a_prev = np.random.randn(3, 10), np.random.randn(5, 10)
    parameters = draw(rnn_shapes(3, 5, 2))
    a_next, yt_pred, cache = rnn_cell_forward(xt, a_prev, parameters)
    np.testing.assert_allclose(a_next[4], [0.59584544, 0.18141802, 0.61311866, 0.99808218, 0.85016201, 0.99980978,
                                           -0.18887155, 0.99815551, 0.6531151, 0.82872037], atol=1e-8)
    np.testing.assert_allclose(yt_pred[1], [0.9888161, 0.01682021, 0.21140899, 0.36817467, 0.98988387, 0.88945212,
                                            0.36920224, 0.9966312, 0.9982559, 0.17746526], atol=1e-8)
    assert a_next.shape == (5, 10) and yt_pred.shape == (2, 10)
    assert len(cache) == 4 and len(cache[3]) == 5
    assert cache[0] is a_next and cache[1] is a_prev and cache[2] is xt


def test_rnn_cell_forward_structural_paths() -> None:
    rng = np.random.default_rng(0)
    p = rnn.random_parameters("rnn", 3, 5, 2, rng)
    a, y, _ = rnn_cell_forward(np.zeros((3, 4)), np.zeros((5, 4)), p)
    np.testing.assert_allclose(a, np.tile(np.tanh(p["ba"]), (1, 4)))
    np.testing.assert_allclose(y, np.tile(softmax(p["Wya"] @ np.tanh(p["ba"]) + p["by"]), (1, 4)))
    _, y0, _ = rnn_cell_forward(np.zeros((3, 4)), np.zeros((5, 4)), dict(p, Wya=np.zeros((2, 5))))
    np.testing.assert_allclose(y0, np.tile(softmax(p["by"]), (1, 4)))
    xt = rng.standard_normal((3, 4))
    np.testing.assert_allclose(rnn_cell_forward(xt, np.zeros((5, 4)), p)[0], np.tanh(p["Wax"] @ xt + p["ba"]))
    a_prev = rng.standard_normal((5, 4))
    np.testing.assert_allclose(rnn_cell_forward(np.zeros((3, 4)), a_prev, p)[0], np.tanh(p["Waa"] @ a_prev + p["ba"]))
    with pytest.raises(ValueError, match=r"expected shape \(5, 4\), found \(4, 4\)"):
        rnn_cell_forward(xt, np.zeros((4, 4)), p)


def test_rnn_forward_notebook() -> None:
    np.random.seed(1)
    x, a0 = np.random.randn(3, 10, 4), np.random.randn(5, 10)
    parameters = draw(rnn_shapes(3, 5, 2))
    a, y_pred, caches = rnn_forward(x, a0, parameters)
    np.testing.assert_allclose(a[4][1], [-0.99999375, 0.77911235, -0.99861469, -0.99833267], atol=1e-8)
    np.testing.assert_allclose(y_pred[1][3], [0.79560373, 0.86224861, 0.11118257, 0.81515947], atol=1e-8)
    np.testing.assert_allclose(caches[1][1][3], [-1.1425182, -0.34934272, -0.20889423, 0.58662319], atol=1e-8)
    assert a.shape == (5, 10, 4) and y_pred.shape == (2, 10, 4) and len(caches) == 2


def test_rnn_forward_public_test() -> None:
    np.random.seed(17)
    T_x, m, n_x, n_a, n_y = 13, 8, 4, 7, 3
    x, a0 = np.random.randn(n_x, m, T_x), np.random.randn(n_a, m)
    parameters = draw(rnn_shapes(n_x, n_a, n_y))
    a, y_pred, caches = rnn_forward(x, a0, parameters)
    np.testing.assert_allclose(a[5, 2, 2:6], [0.99999291, 0.99332189, 0.9921928, 0.99503445], atol=1e-8)
    np.testing.assert_allclose(y_pred[2, 1, 1:5], [0.19428, 0.14292, 0.24993, 0.00119], atol=1e-4)
    np.testing.assert_allclose(y_pred[2, 1, 1:5], [0.19428852, 0.14292851, 0.24993923, 0.00119376], atol=1e-8)
    assert caches[1] is x


def test_lstm_cell_forward_notebook() -> None:
    np.random.seed(1)
    xt, a_prev, c_prev = np.random.randn(3, 10), np.random.randn(5, 10), np.random.randn(5, 10)
    parameters = draw(lstm_shapes(3, 5, 2))
    a_next, c_next, yt, cache = lstm_cell_forward(xt, a_prev, c_prev, parameters)
    np.testing.assert_allclose(a_next[4], [-0.66408471, 0.0036921, 0.02088357, 0.22834167, -0.85575339, 0.00138482,
                                           0.76566531, 0.34631421, -0.00215674, 0.43827275], atol=1e-8)
    np.testing.assert_allclose(c_next[2], [0.63267805, 1.00570849, 0.35504474, 0.20690913, -1.64566718, 0.11832942,
                                           0.76449811, -0.0981561, -0.74348425, -0.26810932], atol=1e-8)
    np.testing.assert_allclose(yt[1], [0.79913913, 0.15986619, 0.22412122, 0.15606108, 0.97057211, 0.31146381,
                                       0.00943007, 0.12666353, 0.39380172, 0.07828381], atol=1e-8)
    np.testing.assert_allclose(cache[1][3], [-0.16263996, 1.03729328, 0.72938082, -0.54101719, 0.02752074,
                                             -0.30821874, 0.07651101, -1.03752894, 1.41219977, -0.37647422], atol=1e-8)
    assert len(cache) == 10


def test_lstm_cell_forward_public_test() -> None:
    np.random.seed(212)
    m, n_x, n_a, n_y = 8, 4, 7, 3
    x, a0, c0 = np.random.randn(n_x, m), np.random.randn(n_a, m), np.random.randn(n_a, m)
    parameters = draw(lstm_shapes(n_x, n_a, n_y))
    a_next, c_next, y_pred, cache = lstm_cell_forward(x, a0, c0, parameters)
    _, _, _, _, ft, it, cct, ot, _, _ = cache
    np.testing.assert_allclose(ft[0, 0:2], [0.32969833, 0.0574555], atol=1e-8)
    np.testing.assert_allclose(it[0, 0:2], [0.0036446, 0.9806943], atol=1e-7)
    np.testing.assert_allclose(cct[0, 0:2], [0.99903873, 0.57509956], atol=1e-8)
    np.testing.assert_allclose(c_next[0, 0:2], [0.1352798, 0.39884899], atol=1e-7)
    np.testing.assert_allclose(ot[0, 0:2], [0.7477249, 0.71588751], atol=1e-7)
    np.testing.assert_allclose(a_next[0, 0:2], [0.10053951, 0.27129536], atol=1e-8)
    np.testing.assert_allclose(y_pred[1], [0.417098, 0.449528, 0.223159, 0.278376, 0.68453, 0.419221, 0.564025,
                                           0.538475], atol=1e-5)


def test_lstm_forward_notebook() -> None:
    np.random.seed(1)
    x, a0 = np.random.randn(3, 10, 7), np.random.randn(5, 10)
    parameters = draw(lstm_shapes(3, 5, 2))
    a, y, c, caches = lstm_forward(x, a0, parameters)
    assert a[4][3][6] == pytest.approx(0.172117767533, abs=1e-11)
    assert y[1][4][3] == pytest.approx(0.95087346185, abs=1e-11)
    np.testing.assert_allclose(caches[1][1][1], [0.82797464, 0.23009474, 0.76201118, -0.22232814, -0.20075807,
                                                 0.18656139, 0.41005165], atol=1e-8)
    assert c[1][2][1] == pytest.approx(-0.855544916718, abs=1e-11)
    assert a.shape == (5, 10, 7) and y.shape == (2, 10, 7) and len(caches) == 2


def test_lstm_forward_public_test() -> None:
    np.random.seed(45)
    n_x, m, T_x, n_a, n_y = 4, 13, 16, 3, 2
    x, a0 = np.random.randn(n_x, m, T_x), np.random.randn(n_a, m)
    parameters = draw(lstm_shapes(n_x, n_a, n_y))
    a, y, c, _ = lstm_forward(x, a0, parameters)
    np.testing.assert_allclose(a[2, 1, 4:6], [-0.01606022, 0.0243569], atol=1e-8)
    np.testing.assert_allclose(c[2, 1, 4:6], [-0.02753855, 0.05668358], atol=1e-8)
    np.testing.assert_allclose(y[1, 1, 4:6], [0.70444592, 0.70648935], atol=1e-8)


def test_rnn_cell_backward() -> None:
    np.random.seed(1)
    xt, a_prev = np.random.randn(3, 10), np.random.randn(5, 10)
    parameters = draw(rnn_shapes(3, 5, 2, backward=True))
    _, _, cache = rnn_cell_forward(xt, a_prev, parameters)
    g = rnn_cell_backward(np.random.randn(5, 10), cache)
    assert g["dxt"][1][2] == pytest.approx(-1.3872130506, abs=1e-10)
    assert g["da_prev"][2][3] == pytest.approx(-0.152399493774, abs=1e-12)
    assert g["dWax"][3][1] == pytest.approx(0.410772824935, abs=1e-12)
    assert g["dWaa"][1][2] == pytest.approx(1.15034506685, abs=1e-11)
    np.testing.assert_allclose(g["dba"][4], [0.20023491], atol=1e-8)
    assert g["dxt"].shape == (3, 10) and g["dWax"].shape == (5, 3) and g["dba"].shape == (5, 1)


def test_rnn_backward() -> None:
    np.random.seed(1)
    x, a0 = np.random.randn(3, 10, 4), np.random.randn(5, 10)
    parameters = draw(rnn_shapes(3, 5, 2, backward=True))
    _, _, caches = rnn_forward(x, a0, parameters)
    g = rnn_backward(np.random.randn(5, 10, 4), caches)
    np.testing.assert_allclose(g["dx"][1][2], [-2.07101689, -0.59255627, 0.02466855, 0.01483317], atol=1e-8)
    assert g["da0"][2][3] == pytest.approx(-0.314942375127, abs=1e-12)
    assert g["dWax"][3][1] == pytest.approx(11.2641044965, abs=1e-10)
    assert g["dWaa"][1][2] == pytest.approx(2.30333312658, abs=1e-11)
    np.testing.assert_allclose(g["dba"][4], [-0.74747722], atol=1e-8)
    assert g["dx"].shape == (3, 10, 4) and g["da0"].shape == (5, 10)


def test_lstm_cell_backward() -> None:
    np.random.seed(1)
    xt, a_prev, c_prev = np.random.randn(3, 10), np.random.randn(5, 10), np.random.randn(5, 10)
    parameters = draw(lstm_shapes(3, 5, 2))
    _, _, _, cache = lstm_cell_forward(xt, a_prev, c_prev, parameters)
    da_next, dc_next = np.random.randn(5, 10), np.random.randn(5, 10)
    g = lstm_cell_backward(da_next, dc_next, cache)
    assert g["dxt"][1][2] == pytest.approx(3.23055911511, abs=1e-10)
    assert g["da_prev"][2][3] == pytest.approx(-0.0639621419711, abs=1e-12)
    assert g["dc_prev"][2][3] == pytest.approx(0.797522038797, abs=1e-11)
    assert g["dWf"][3][1] == pytest.approx(-0.147954838164, abs=1e-11)
    assert g["dWi"][1][2] == pytest.approx(1.05749805523, abs=1e-10)
    assert g["dWc"][3][1] == pytest.approx(2.30456216369, abs=1e-10)
    assert g["dWo"][1][2] == pytest.approx(0.331311595289, abs=1e-11)
    for key, value in {"dbf": 0.18864637, "dbi": -0.40142491, "dbc": 0.25587763, "dbo": 0.13893342}.items():
        np.testing.assert_allclose(g[key][4], [value], atol=1e-8)
    assert all(g[f"dW{k}"].shape == (5, 8) and g[f"db{k}"].shape == (5, 1) for k in "fico")


def test_lstm_backward_runs_over_da_steps() -> None:
    np.random.seed(1)
    x, a0 = np.random.randn(3, 10, 7), np.random.randn(5, 10)
    shapes = {k: s for k, s in lstm_shapes(3, 5, 2).items() if k not in ("Wy", "by")}
    parameters = draw(shapes) | {"Wy": np.zeros((2, 5)), "by": np.zeros((2, 1))}
    _, _, _, caches = lstm_forward(x, a0, parameters)
    g = lstm_backward(np.random.randn(5, 10, 4), caches)  # the course's T=4 against 7 steps of x
    np.testing.assert_allclose(g["dx"][1][2], [0.00218254, 0.28205375, -0.48292508, -0.43281115], atol=1e-8)
    assert g["dx"].shape == (3, 10, 4)
    assert g["da0"][2][3] == pytest.approx(0.312770310257, abs=1e-12)
    assert g["dWf"][3][1] == pytest.approx(-0.0809802310938, abs=1e-12)
    assert g["dWi"][1][2] == pytest.approx(0.40512433093, abs=1e-11)
    assert g["dWc"][3][1] == pytest.approx(-0.0793746735512, abs=1e-12)
    assert g["dWo"][1][2] == pytest.approx(0.038948775763, abs=1e-12)
    for key, value in {"dbf": -0.15745657, "dbi": -0.50848333, "dbc": -0.42510818, "dbo": -0.17958196}.items():
        np.testing.assert_allclose(g[key][4], [value], atol=1e-8)


def test_gru_cell_is_the_seed_equations() -> None:
    rng = np.random.default_rng(3)
    p = rnn.random_parameters("gru", 3, 4, 2, rng)
    x, c_prev = rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    c_next, y, cache = gru_cell_forward(x, c_prev, p)
    sig = rnn.sigmoid
    gu = sig(p["Wu"][:, :4] @ c_prev + p["Wu"][:, 4:] @ x + p["bu"])
    gr = sig(p["Wr"][:, :4] @ c_prev + p["Wr"][:, 4:] @ x + p["br"])
    cct = np.tanh(p["Wc"][:, :4] @ (gr * c_prev) + p["Wc"][:, 4:] @ x + p["bc"])
    np.testing.assert_allclose(c_next, gu * cct + (1 - gu) * c_prev, atol=1e-14)
    np.testing.assert_allclose(y, softmax(p["Wy"] @ c_next + p["by"]), atol=1e-14)
    assert len(cache) == 7
    # update gate 0 keeps the memory cell
    p0 = dict(p, Wu=np.zeros_like(p["Wu"]), bu=np.full((4, 1), -50.0))
    np.testing.assert_allclose(gru_cell_forward(x, c_prev, p0)[0], c_prev, atol=1e-12)
    c, y_seq, caches = gru_forward(rng.standard_normal((3, 5, 6)), c_prev, p)
    assert c.shape == (4, 5, 6) and y_seq.shape == (2, 5, 6) and len(caches[0]) == 6
    g = gru_backward(np.ones((4, 5, 6)), caches)
    assert g["dx"].shape == (3, 5, 6) and g["dc0"].shape == (4, 5) and g["dWu"].shape == (4, 7)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("sequence", [False, True], ids=["cell", "sequence"])
def test_gradient_check_float64(kind: str, sequence: bool) -> None:
    differences = gradient_check(kind, sequence=sequence)
    assert len(differences) >= 5
    assert max(differences.values()) < 1e-7, differences


def test_relative_difference_detects_wrong_gradient() -> None:
    assert rnn.relative_difference(np.ones(3), np.ones(3)) == 0.0
    assert rnn.relative_difference(np.ones(3), 2 * np.ones(3)) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="expected kind"):
        rnn.random_parameters("transformer", 1, 1, 1)
