"""C4W1 conv/pool layers in NumPy: the course's values (loop and vectorised), loops == vectorised, errors."""

from __future__ import annotations

import numpy as np
import pytest

from tf_course.scratch import conv as loops
from tf_course.scratch import conv_vectorized as vectorized

MODULES = pytest.mark.parametrize("impl", [loops, vectorized], ids=["loops", "vectorized"])


def _seeded(*shapes):
    """The course's draws: ``np.random.seed(1)`` then ``randn`` for each shape, in order."""
    np.random.seed(1)
    return [np.random.randn(*shape) for shape in shapes]


# ----------------------------------------------------------------------------- course values


def test_zero_pad_course_values():
    (x,) = _seeded((4, 3, 3, 2))
    np.testing.assert_allclose(x[1, 1], [[0.90085595, -0.68372786], [-0.12289023, -0.93576943],
                                         [-0.26788808, 0.53035547]], atol=1e-8)
    x_pad = loops.zero_pad(x, 2)
    assert x_pad.shape == (4, 7, 7, 2)
    assert not x_pad[1, 1].any()  # (7, 2) zeros
    np.testing.assert_array_equal(x_pad[:, 2:5, 2:5, :], x)
    x_pad = loops.zero_pad(x, 3)  # the v1 notebook's test
    assert x_pad.shape == (4, 9, 9, 2)
    assert not x_pad[0, 0:2, :, 0].any() and not x_pad[0, :, 7:9, 1].any()
    np.testing.assert_array_equal(x_pad[:, 3:6, 3:6, :], x)


def test_conv_single_step_course_value():
    a_slice_prev, W, b = _seeded((4, 4, 3), (4, 4, 3), (1, 1, 1))
    Z = loops.conv_single_step(a_slice_prev, W, b)  # b (1,1,1): float(b) would raise in NumPy >= 2.4
    assert Z == pytest.approx(-6.999089450680221, abs=1e-12)


@MODULES
def test_conv_forward_course_values(impl):
    A_prev, W, b = _seeded((2, 5, 7, 4), (3, 3, 4, 8), (1, 1, 1, 8))
    Z, cache = impl.conv_forward(A_prev, W, b, {"pad": 1, "stride": 2})
    assert Z.shape == (2, 3, 4, 8)
    assert np.mean(Z) == pytest.approx(0.5511276474566768, abs=1e-12)
    np.testing.assert_allclose(Z[0, 0, 0], [-2.65112363, -0.37849177, -1.97054929, -1.96235299, -1.72259872,
                                            0.4676693, -6.43434016, 1.10764994], atol=1e-7)
    np.testing.assert_allclose(Z[0, 2, 1], [-2.17796037, 8.07171329, -0.5772704, 3.36286738, 4.48113645,
                                            -2.89198428, 10.99288867, 3.03171932], atol=1e-7)
    np.testing.assert_allclose(cache[0][1][2][3], [-1.1191154, 1.9560789, -0.3264995, -1.34267579], atol=1e-7)
    assert cache[3] == {"pad": 1, "stride": 2} and cache[1] is W and cache[2] is b


@MODULES
def test_conv_forward_v2a_course_values(impl):
    A_prev, W, b = _seeded((10, 5, 7, 4), (3, 3, 4, 8), (1, 1, 1, 8))
    Z, _ = impl.conv_forward(A_prev, W, b, {"pad": 1, "stride": 2})
    assert Z.shape == (10, 3, 4, 8)
    assert np.mean(Z) == pytest.approx(0.6923608807576933, abs=1e-12)
    np.testing.assert_allclose(Z[3, 2, 1], [-1.28912231, 2.27650251, 6.61941931, 0.95527176, 8.25132576,
                                            2.31329639, 13.00689405, 2.34576051], atol=1e-7)


@MODULES
@pytest.mark.parametrize("pad, stride, shape", [(3, 1, (2, 9, 11, 8)), (0, 2, (2, 2, 3, 8))])
def test_conv_forward_course_shapes(impl, pad, stride, shape):
    A_prev, W, b = np.random.randn(2, 5, 7, 4), np.random.randn(3, 3, 4, 8), np.random.randn(1, 1, 1, 8)
    assert impl.conv_forward(A_prev, W, b, {"pad": pad, "stride": stride})[0].shape == shape


@MODULES
def test_pool_forward_course_values_stride_1(impl):
    (A_prev,) = _seeded((2, 5, 5, 3))
    A, cache = impl.pool_forward(A_prev, {"stride": 1, "f": 3}, mode="max")
    assert A.shape == (2, 3, 3, 3) and cache[0] is A_prev
    np.testing.assert_allclose(A[0, 0], [[1.74481176, 0.90159072, 1.65980218], [1.74481176, 1.46210794, 1.65980218],
                                         [1.74481176, 1.6924546, 1.65980218]], atol=1e-8)
    np.testing.assert_allclose(A[1, 1], [[1.96710175, 0.84616065, 1.27375593], [1.96710175, 0.84616065, 1.23616403],
                                         [1.62765075, 1.12141771, 1.2245077]], atol=1e-8)
    assert np.mean(A) == pytest.approx(1.367090136768317, abs=1e-12)

    A, _ = impl.pool_forward(A_prev, {"stride": 1, "f": 3}, mode="average")
    np.testing.assert_allclose(A[0, 0], [[-3.01046719e-02, -3.24021315e-03, -3.36298859e-01],
                                         [1.43310483e-01, 1.93146751e-01, -4.44905196e-01],
                                         [1.28934436e-01, 2.22428468e-01, 1.25067597e-01]], atol=1e-8)
    np.testing.assert_allclose(A[1, 1], [[0.44497696, -0.00261695, -0.31040307], [0.50811474, -0.23493734, -0.23961183],
                                         [0.11872677, 0.17255229, -0.22112197]], atol=1e-8)
    assert np.mean(A) == pytest.approx(0.051780371316447214, abs=1e-12)


@MODULES
def test_pool_forward_course_values_stride_2(impl):
    (A_prev,) = _seeded((2, 5, 5, 3))
    A, _ = impl.pool_forward(A_prev, {"stride": 2, "f": 3}, mode="max")
    assert A.shape == (2, 2, 2, 3)
    np.testing.assert_allclose(A[0], [[[1.74481176, 0.90159072, 1.65980218], [1.74481176, 1.6924546, 1.65980218]],
                                      [[1.13162939, 1.51981682, 2.18557541], [1.13162939, 1.6924546, 2.18557541]]],
                               atol=1e-8)
    A, _ = impl.pool_forward(A_prev, {"stride": 2, "f": 3}, mode="average")
    np.testing.assert_allclose(A[1], [[[-0.17313416, 0.32377198, -0.34317572], [0.02030094, 0.14141479, -0.01231585]],
                                      [[0.42944926, 0.08446996, -0.27290905], [0.15077452, 0.28911175, 0.00123239]]],
                               atol=1e-8)


@MODULES
def test_pool_forward_course_shape(impl):
    A_prev = np.random.randn(2, 5, 7, 3)
    assert impl.pool_forward(A_prev, {"f": 2, "stride": 2}, mode="average")[0].shape == (2, 2, 3, 3)


@MODULES
def test_conv_backward_course_values(impl):
    A_prev, W, b = _seeded((10, 4, 4, 3), (2, 2, 3, 8), (1, 1, 1, 8))
    Z, cache = impl.conv_forward(A_prev, W, b, {"pad": 2, "stride": 2})
    assert Z.shape == (10, 4, 4, 8)
    dA, dW, db = impl.conv_backward(Z, cache)
    assert (dA.shape, dW.shape, db.shape) == ((10, 4, 4, 3), (2, 2, 3, 8), (1, 1, 1, 8))
    assert np.mean(dA) == pytest.approx(1.4524377775388075, abs=1e-12)
    assert np.mean(dW) == pytest.approx(1.7269914583139097, abs=1e-12)
    assert np.mean(db) == pytest.approx(7.839232564616838, abs=1e-12)


def test_create_mask_from_window_course_values():
    (x,) = _seeded((2, 3))
    np.testing.assert_array_equal(loops.create_mask_from_window(x), [[True, False, False], [False, False, False]])
    x = np.array([[-1, 2, 3], [2, -3, 2], [1, 5, -2]])
    expected = np.zeros((3, 3), bool)
    expected[2, 1] = True
    np.testing.assert_array_equal(loops.create_mask_from_window(x), expected)


def test_distribute_value_course_values():
    np.testing.assert_array_equal(loops.distribute_value(2, (2, 2)), [[0.5, 0.5], [0.5, 0.5]])
    a = loops.distribute_value(100, (10, 10))
    assert a.shape == (10, 10) and a.sum() == pytest.approx(100) and np.all(a == 1.0)


@MODULES
def test_pool_backward_course_values(impl):
    (A_prev,) = _seeded((5, 5, 3, 2))
    A, cache = impl.pool_forward(A_prev, {"stride": 1, "f": 2})
    assert A.shape == (5, 4, 2, 2)
    dA = np.random.randn(5, 4, 2, 2)  # continues the seed-1 stream, as in the course
    assert np.mean(dA) == pytest.approx(0.14571390272918056, abs=1e-12)
    dA_prev = impl.pool_backward(dA, cache, mode="max")
    assert dA_prev.shape == (5, 5, 3, 2)
    np.testing.assert_allclose(dA_prev[1, 1], [[0.0, 0.0], [5.05844394, -1.68282702], [0.0, 0.0]], atol=1e-8)
    dA_prev = impl.pool_backward(dA, cache, mode="average")
    np.testing.assert_allclose(dA_prev[1, 1], [[0.08485462, 0.2787552], [1.26461098, -0.25749373],
                                               [1.17975636, -0.53624893]], atol=1e-8)


# ----------------------------------------------------------------------------- loops == vectorised

CONFIGS = [  # (A_prev shape, f, n_C, pad, stride)
    ((3, 7, 6, 2), 3, 4, 0, 1),
    ((2, 8, 9, 3), 3, 5, 1, 2),
    ((2, 6, 6, 1), 2, 3, 2, 3),  # stride > f: some inputs are never read
    ((1, 5, 7, 4), 5, 2, 2, 1),
    ((4, 4, 4, 3), 1, 6, 0, 1),
]


@pytest.mark.parametrize("shape, f, n_C, pad, stride", CONFIGS)
def test_vectorized_conv_equals_loops(shape, f, n_C, pad, stride):
    rng = np.random.default_rng(sum(shape) + f + pad + stride)
    A_prev, W, b = rng.normal(size=shape), rng.normal(size=(f, f, shape[3], n_C)), rng.normal(size=(1, 1, 1, n_C))
    hparameters = {"pad": pad, "stride": stride}
    Z, cache = loops.conv_forward(A_prev, W, b, hparameters)
    Z_fast, cache_fast = vectorized.conv_forward(A_prev, W, b, hparameters)
    np.testing.assert_allclose(Z_fast, Z, rtol=0, atol=1e-10)
    dZ = rng.normal(size=Z.shape)
    for slow, fast in zip(loops.conv_backward(dZ, cache), vectorized.conv_backward(dZ, cache_fast)):
        assert fast.shape == slow.shape
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-10)


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("shape, f, stride", [((3, 7, 6, 2), 3, 1), ((2, 8, 9, 3), 2, 2), ((2, 9, 7, 2), 3, 2),
                                              ((1, 6, 6, 1), 2, 3)])
def test_vectorized_pool_equals_loops(mode, shape, f, stride):
    rng = np.random.default_rng(sum(shape) + f + stride)
    A_prev = rng.normal(size=shape)
    hparameters = {"f": f, "stride": stride}
    A, cache = loops.pool_forward(A_prev, hparameters, mode)
    A_fast, cache_fast = vectorized.pool_forward(A_prev, hparameters, mode)
    np.testing.assert_allclose(A_fast, A, rtol=0, atol=1e-10)
    dA = rng.normal(size=A.shape)
    np.testing.assert_allclose(vectorized.pool_backward(dA, cache_fast, mode), loops.pool_backward(dA, cache, mode),
                               rtol=0, atol=1e-10)


def test_max_pool_backward_ties_follow_the_course_mask():
    # every entry of the single 2x2 window is the maximum 1: the course's mask marks all four
    A_prev = np.ones((1, 2, 2, 1))
    cache = (A_prev, {"f": 2, "stride": 2})
    dA = np.full((1, 1, 1, 1), 3.0)
    np.testing.assert_array_equal(loops.pool_backward(dA, cache, "max"), np.full((1, 2, 2, 1), 3.0))
    np.testing.assert_array_equal(vectorized.pool_backward(dA, cache, "max"), np.full((1, 2, 2, 1), 3.0))


def test_conv_backward_without_padding_keeps_the_input_shape():
    # the course's da_prev_pad[pad:-pad] is empty for pad 0; here dA_prev keeps A_prev's shape
    A_prev, W, b = np.ones((1, 3, 3, 1)), np.ones((2, 2, 1, 1)), np.zeros((1, 1, 1, 1))
    Z, cache = loops.conv_forward(A_prev, W, b, {"pad": 0, "stride": 1})
    dA_prev, dW, db = loops.conv_backward(np.ones_like(Z), cache)
    # each input pixel is covered by (number of 2x2 windows containing it): corners 1, edges 2, centre 4
    np.testing.assert_array_equal(dA_prev[0, :, :, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    np.testing.assert_array_equal(dW[:, :, 0, 0], np.full((2, 2), 4.0))  # 4 windows, all ones
    assert db.item() == 4.0


# ----------------------------------------------------------------------------- bad input


@MODULES
def test_conv_forward_channel_mismatch_names_shapes(impl):
    A_prev, W, b = np.zeros((2, 5, 5, 3)), np.zeros((3, 3, 4, 8)), np.zeros((1, 1, 1, 8))
    with pytest.raises(ValueError, match=r"expected W of shape \(f, f, 3, n_C\).*found shape \(3, 3, 4, 8\)"):
        impl.conv_forward(A_prev, W, b, {"pad": 1, "stride": 1})


@MODULES
@pytest.mark.parametrize("A_shape, W_shape, b_shape, hparameters, message", [
    ((5, 5, 3), (3, 3, 3, 8), (1, 1, 1, 8), {"pad": 0, "stride": 1}, r"A_prev of shape .*found shape \(5, 5, 3\)"),
    ((1, 5, 5, 3), (3, 2, 3, 8), (1, 1, 1, 8), {"pad": 0, "stride": 1}, r"found shape \(3, 2, 3, 8\)"),
    ((1, 5, 5, 3), (3, 3, 3, 8), (8,), {"pad": 0, "stride": 1}, r"b of shape \(1, 1, 1, 8\); found shape \(8,\)"),
    ((1, 5, 5, 3), (3, 3, 3, 8), (1, 1, 1, 8), {"pad": 0}, r"needs 'stride'"),
    ((1, 5, 5, 3), (3, 3, 3, 8), (1, 1, 1, 8), {"pad": 0, "stride": 0}, r"'stride'.*>= 1; found 0"),
    ((1, 2, 5, 3), (3, 3, 3, 8), (1, 1, 1, 8), {"pad": 0, "stride": 1}, r"does not fit n_H_prev = 2"),
])
def test_conv_forward_bad_input(impl, A_shape, W_shape, b_shape, hparameters, message):
    with pytest.raises(ValueError, match=message):
        impl.conv_forward(np.zeros(A_shape), np.zeros(W_shape), np.zeros(b_shape), hparameters)


@MODULES
def test_backward_and_pool_bad_input(impl):
    A_prev, W, b = np.zeros((2, 5, 5, 3)), np.zeros((3, 3, 3, 4)), np.zeros((1, 1, 1, 4))
    _, cache = impl.conv_forward(A_prev, W, b, {"pad": 1, "stride": 1})
    with pytest.raises(ValueError, match=r"conv_backward: expected dZ .*\(2, 5, 5, 4\); found shape \(2, 5, 5, 3\)"):
        impl.conv_backward(np.zeros((2, 5, 5, 3)), cache)
    with pytest.raises(ValueError, match=r"mode must be one of \('max', 'average'\); found 'mean'"):
        impl.pool_forward(A_prev, {"f": 2, "stride": 2}, mode="mean")
    with pytest.raises(ValueError, match=r"needs 'f'"):
        impl.pool_forward(A_prev, {"stride": 2})
    _, pool_cache = impl.pool_forward(A_prev, {"f": 2, "stride": 2})
    with pytest.raises(ValueError, match=r"pool_backward: expected dA .*\(2, 2, 2, 3\); found shape \(2, 3, 3, 3\)"):
        impl.pool_backward(np.zeros((2, 3, 3, 3)), pool_cache)


def test_conv_single_step_shape_mismatch():
    with pytest.raises(ValueError, match=r"expected a_slice_prev of W's shape \(3, 3, 2\); found shape \(3, 3, 3\)"):
        loops.conv_single_step(np.zeros((3, 3, 3)), np.zeros((3, 3, 2)), np.zeros((1, 1, 1)))
