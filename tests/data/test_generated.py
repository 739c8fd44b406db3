"""The generated datasets reproduce the course's arrays (checked through course results)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from tests.helpers import run_without_sklearn
from tf_course.data.generated import load_circles, load_moons, load_planar_dataset


def test_planar_layout():
    X, Y = load_planar_dataset()
    assert X.shape == (2, 400) and Y.shape == (1, 400) and Y.dtype == np.uint8
    assert int(Y.sum()) == 200 and Y[0, :200].sum() == 0  # first 200 red, next 200 blue
    X2, _ = load_planar_dataset()
    np.testing.assert_array_equal(X, X2)


def test_planar_logistic_regression_gets_course_47_percent():
    # course 1.2.6: sklearn LogisticRegressionCV on the flower -> "Accuracy of logistic regression: 47 %"
    from sklearn.linear_model import LogisticRegressionCV

    X, Y = load_planar_dataset()
    # the course-era default scoring; scikit-learn >= 1.9 warns unless the l2-only grid and the new
    # fitted attributes are asked for explicitly (same fit: the penalty stays l2)
    supported = inspect.signature(LogisticRegressionCV).parameters
    explicit = {"l1_ratios": (0.0,), "use_legacy_attributes": False}
    clf = LogisticRegressionCV(scoring="accuracy", **{k: v for k, v in explicit.items() if k in supported})
    clf.fit(X.T, Y.ravel())
    assert round(float(np.mean(clf.predict(X.T) == Y.ravel())), 2) == 0.47


def test_circles_and_moons_layout():
    train_X, train_Y, test_X, test_Y = load_circles()
    assert train_X.shape == (2, 300) and train_Y.shape == (1, 300)
    assert test_X.shape == (2, 100) and test_Y.shape == (1, 100)
    assert int(train_Y.sum()) == 150 and int(test_Y.sum()) == 50
    X, Y = load_moons()
    assert X.shape == (2, 300) and Y.shape == (1, 300) and int(Y.sum()) == 150


def test_circles_are_the_course_arrays():
    # C2W1 initialization: He-initialised [2, 10, 5, 1] net, cost after iteration 0 = 0.8830537463419761
    # (course_reference, re-run in NumPy): one forward pass over exactly the course's 300 points.
    from tf_course.scratch import initialization

    train_X, train_Y, _, _ = load_circles()
    _, costs = initialization.model(train_X, train_Y, num_iterations=1, print_cost=False, initialization="he")
    assert costs[0] == pytest.approx(0.8830537463419761, rel=1e-12)


def test_moons_are_the_course_arrays():
    # C2W2: plain GD, epoch-0 cost (summed mini-batch cost / m) printed by the course as 0.702405
    from tf_course.scratch import optimization

    X, Y = load_moons()
    _, costs = optimization.model(X, Y, [2, 5, 2, 1], "gd", num_epochs=1, print_cost=False)
    assert round(costs[0], 6) == 0.702405


# scikit-learn is a test-only dependency: the NumPy generators must equal it bit for bit and leave the
# global generator where scikit-learn leaves it (the course's later draws depend on it).
@pytest.mark.parametrize("name", ["make_circles", "make_moons"])
@pytest.mark.parametrize("n_samples, noise, seed", [(300, 0.05, 1), (100, 0.05, 2), (300, 0.2, 3),
                                                    (101, None, 0), (7, 0.3, 11), (1, 0.1, 5)])
def test_numpy_generators_equal_scikit_learn(name, n_samples, noise, seed):
    import sklearn.datasets

    from tf_course.data import generated

    np.random.seed(seed)
    X, y = getattr(generated, name)(n_samples, noise=noise)
    state = np.random.get_state()
    np.random.seed(seed)
    X_ref, y_ref = getattr(sklearn.datasets, name)(n_samples, noise=noise)
    state_ref = np.random.get_state()
    assert X.shape == (n_samples, 2) and X.dtype == X_ref.dtype == np.float64
    assert y.dtype == y_ref.dtype and X.tobytes() == X_ref.tobytes() and y.tobytes() == y_ref.tobytes()
    np.testing.assert_array_equal(state[1], state_ref[1])
    assert state[2:] == state_ref[2:]


def test_circles_and_moons_equal_the_course_calls_to_scikit_learn():
    from sklearn.datasets import make_circles, make_moons

    np.random.seed(1)
    train = make_circles(n_samples=300, noise=0.05)
    np.random.seed(2)
    test = make_circles(n_samples=100, noise=0.05)
    expected = (train[0].T, train[1].reshape(1, -1), test[0].T, test[1].reshape(1, -1))
    for got, want in zip(load_circles(), expected):
        assert got.shape == want.shape and got.dtype == want.dtype and got.tobytes() == want.tobytes()
    np.random.seed(3)
    X, y = make_moons(n_samples=300, noise=0.2)
    for got, want in zip(load_moons(), (X.T, y.reshape(1, -1))):
        assert got.shape == want.shape and got.dtype == want.dtype and got.tobytes() == want.tobytes()


def test_generators_reject_bad_arguments():
    from tf_course.data.generated import make_circles, make_moons

    with pytest.raises(ValueError, match="expected n_samples >= 1 and 0 <= factor < 1, found 10 and 1.5"):
        make_circles(10, factor=1.5)
    with pytest.raises(ValueError, match="expected n_samples >= 1, found 0"):
        make_moons(0)


def test_generated_data_needs_no_scikit_learn():
    stdout = run_without_sklearn(
        "from tf_course.data.generated import load_circles, load_moons\n"
        "print(load_circles()[1].sum(), load_moons()[1].sum(), 'sklearn' in sys.modules)\n"
    )
    assert stdout.split() == ["150", "150", "False"]
