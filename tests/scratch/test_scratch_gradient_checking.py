"""C2W1 Gradient checking: the reference sheet's values."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from tf_course.scratch import gradient_checking as gc


def test_one_dimensional() -> None:
    assert gc.forward_propagation(2, 4) == 8
    assert gc.backward_propagation(2, 4) == 2
    assert_allclose(gc.gradient_check(2, 4), 2.919335883291695e-10, rtol=1e-6)


def test_one_dimensional_message(capsys: pytest.CaptureFixture[str]) -> None:
    gc.gradient_check(2, 4, print_msg=True)
    assert "The gradient is correct!" in capsys.readouterr().out


def _case() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    np.random.seed(1)
    x = np.random.randn(4, 3)
    y = np.array([1, 1, 0])
    parameters = {key: np.random.randn(*shape) for key, shape in gc.COURSE_SHAPES.items()}
    return x, y, parameters


def test_dictionary_vector_round_trip() -> None:
    _, _, parameters = _case()
    theta, keys = gc.dictionary_to_vector(parameters)
    assert theta.shape == (47, 1)
    assert keys[:20] == ["W1"] * 20 and keys[20:25] == ["b1"] * 5 and keys[-1] == "b3"
    assert_allclose(theta[:4, 0], parameters["W1"][0])  # row-major
    back = gc.vector_to_dictionary(theta)
    for key, value in parameters.items():
        np.testing.assert_array_equal(back[key], value)
    grads = {"d" + key: value for key, value in parameters.items()}
    grads["dZ1"] = np.ones((5, 3))  # ignored
    np.testing.assert_array_equal(gc.gradients_to_vector(grads), theta)
    with pytest.raises(ValueError, match="47"):
        gc.vector_to_dictionary(theta[:-1])


@pytest.mark.parametrize(
    ("buggy", "expected"), [(True, 0.2850931567761624), (False, 1.1890913023330276e-07)]
)
def test_gradient_check_n(buggy: bool, expected: float) -> None:
    x, y, parameters = _case()
    cost, cache = gc.forward_propagation_n(x, y, parameters)
    assert np.isfinite(cost) and len(cache) == 12
    gradients = gc.backward_propagation_n(x, y, cache, buggy=buggy)
    difference = gc.gradient_check_n(parameters, gradients, x, y)
    # The fixed-backprop difference (~1e-7) is finite-difference rounding noise, which moves
    # by 4e-5 (relative) between BLAS kernels; the buggy one is exact to 1e-10.
    assert_allclose(difference, expected, rtol=1e-3 if not buggy else 1e-10)
    assert (difference > 2e-7) is buggy


def test_gradient_check_n_other_shapes() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 6))
    y = (rng.random((1, 6)) > 0.5).astype(int)
    parameters = {"W1": rng.normal(size=(4, 2)), "b1": rng.normal(size=(4, 1)),
                  "W2": rng.normal(size=(1, 4)), "b2": rng.normal(size=(1, 1))}
    _, cache = gc.forward_propagation_n(x, y, parameters)
    # epsilon 1e-5 keeps the finite-difference rounding noise well below the threshold
    good = gc.gradient_check_n(parameters, gc.backward_propagation_n(x, y, cache), x, y, 1e-5)
    assert good < 1e-8
    bad = gc.backward_propagation_n(x, y, cache, buggy=True)
    assert gc.gradient_check_n(parameters, bad, x, y, 1e-5) > 1e-2
