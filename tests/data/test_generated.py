"""The generated datasets reproduce the course's arrays (checked through course results)."""

from __future__ import annotations

import numpy as np
import pytest

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
    clf = LogisticRegressionCV(scoring="accuracy")  # the course-era default scoring
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
