"""The shared course tuple-cache helpers."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from tf_course.scratch import deep_nn, nn_utils


def _network() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 6))
    Y = (rng.random((1, 6)) > 0.5).astype(int)
    return X, Y, deep_nn.initialize_layers([2, 4, 3, 1], seed=0, weight_scale="he")


def test_tuple_cache_layout_and_round_trip() -> None:
    X, Y, parameters = _network()
    AL, cache = nn_utils.forward_propagation(X, parameters)
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = cache
    assert A3 is AL and W2 is parameters["W2"]
    assert_allclose(A1, np.maximum(0, Z1))
    assert_allclose(Z2, W2 @ A1 + b2)
    back_AL, caches, masks = nn_utils.layers_from_cache(X, cache)
    assert back_AL is AL and masks == [] and caches[0][0][0] is X
    assert nn_utils.cache_from_layers(back_AL, caches) == cache


def test_dropout_tuple_cache_round_trip() -> None:
    X, _, parameters = _network()
    np.random.seed(1)
    AL, caches, masks = deep_nn.forward_pass(X, parameters, keep_prob=0.6)
    cache = nn_utils.cache_from_layers(AL, caches, masks)
    assert len(cache) == 14 and cache[1] is masks[0] and cache[6] is masks[1]
    _, back, back_masks = nn_utils.layers_from_cache(X, cache, with_masks=True)
    assert all(a is b for a, b in zip(back_masks, masks, strict=True))
    with pytest.raises(ValueError, match="tuple of 14"):
        nn_utils.layers_from_cache(X, cache)


def test_backward_propagation_matches_generic_core() -> None:
    X, Y, parameters = _network()
    AL, cache = nn_utils.forward_propagation(X, parameters)
    grads = nn_utils.backward_propagation(X, Y, cache)
    _, caches, _ = deep_nn.forward_pass(X, parameters)
    expected = deep_nn.L_model_backward(AL, Y, caches)
    for key in ("dW1", "db1", "dW2", "db2", "dW3", "db3", "dA1", "dA2"):
        assert_allclose(grads[key], expected[key], rtol=1e-9, atol=1e-15, err_msg=key)


def test_compute_cost_uses_nansum() -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        assert nn_utils.compute_cost(np.array([[1.0, 0.5]]), np.array([[1, 1]])) == pytest.approx(
            np.log(2) / 2)
        assert nn_utils.compute_cost(np.array([[1.0]]), np.array([[0]])) == np.inf
