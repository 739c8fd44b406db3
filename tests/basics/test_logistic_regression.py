"""C1W2 logistic regression: course unit values (NumPy) and parity with the Keras twin."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.basics.logistic_regression.model import build_logistic_regression, train_logistic_regression
from tf_course.scratch.logistic_regression import (
    initialize_with_zeros,
    model,
    optimize,
    predict,
    propagate,
    sigmoid,
)

V6A = dict(w=np.array([[1.0], [2.0]]), b=2.0, X=np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]]), Y=np.array([[1, 0, 1]]))
V3 = dict(w=np.array([[1.0], [2.0]]), b=2.0, X=np.array([[1.0, 2.0], [3.0, 4.0]]), Y=np.array([[1, 0]]))
NEWEST = dict(w=np.array([[1.0], [2.0]]), b=1.5, X=np.array([[1.0, -2.0, -1.0], [3.0, 0.5, -3.2]]),
              Y=np.array([[1, 1, 0]]))


def test_sigmoid_and_zeros():
    np.testing.assert_allclose(sigmoid(np.array([0, 2])), [0.5, 0.88079708], rtol=1e-7)
    w, b = initialize_with_zeros(2)
    assert w.shape == (2, 1) and not w.any() and b == 0


@pytest.mark.parametrize("case, dw, db, cost", [
    (V6A, [[0.99845601], [2.39507239]], 0.00145557813678, 5.801545319394553),
    (V3, [[0.99993216], [1.99980262]], 0.499935230625, 6.000064773192205),
    (NEWEST, [[0.25071532], [-0.06604096]], -0.1250040450043965, 0.15900537707692405),
])
def test_propagate_course_values(case, dw, db, cost):
    grads, c = propagate(**case)
    np.testing.assert_allclose(grads["dw"], dw, rtol=1e-7)
    assert grads["db"] == pytest.approx(db, rel=1e-9, abs=1e-12)
    assert c == pytest.approx(cost, rel=1e-12)


@pytest.mark.parametrize("case, w, b, dw, db", [
    (V6A, [[0.19033591], [0.12259159]], 1.9253598300845747, [[0.67752042], [1.41625495]], 0.219194504541),
    (V3, [[0.1124579], [0.23106775]], 1.55930492484, [[0.90158428], [1.76250842]], 0.430462071679),
    (NEWEST, [[0.80956046], [2.0508202]], 1.5948713189708588, [[0.17860505], [-0.04840656]], -0.08888460336847771),
])
def test_optimize_course_values(case, w, b, dw, db):
    params, grads, costs = optimize(**case, num_iterations=100, learning_rate=0.009)
    np.testing.assert_allclose(params["w"], w, rtol=1e-6)
    assert params["b"] == pytest.approx(b, rel=1e-10)
    np.testing.assert_allclose(grads["dw"], dw, rtol=1e-6)
    assert grads["db"] == pytest.approx(db, rel=1e-9)
    assert len(costs) == 1
    if case is NEWEST:
        assert costs[0] == pytest.approx(0.15900537707692405, rel=1e-12)


def test_predict_course_value():
    w = np.array([[0.1124579], [0.23106775]])
    X = np.array([[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]])
    np.testing.assert_array_equal(predict(w, -0.3, X), [[1.0, 1.0, 0.0]])


def _toy(seed=0, n=6, m=20):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m))
    Y = (X[0:1] - 0.5 * X[1:2] + 0.3 * rng.normal(size=(1, m)) > 0).astype(float)
    return X, Y


def test_keras_forward_and_gradients_match_numpy():
    X, Y = _toy()
    rng = np.random.default_rng(1)
    w, b = rng.normal(size=(6, 1)) * 0.3, 0.2
    twin = build_logistic_regression(6)
    twin.get_layer("layer_1").set_weights([w.astype("float32"), np.array([b], "float32")])
    x = tf.constant(X.T, tf.float32)
    with tf.GradientTape() as tape:
        a = twin(x)  # (m, 1)
        cost = tf.reduce_mean(keras.losses.binary_crossentropy(tf.constant(Y.T, tf.float32), a))
    dw_tf, db_tf = tape.gradient(cost, twin.trainable_variables)
    grads, cost_np = propagate(w, b, X, Y)
    np.testing.assert_allclose(a.numpy().T, sigmoid(w.T @ X + b), atol=1e-6)
    assert float(cost) == pytest.approx(cost_np, abs=1e-5)
    np.testing.assert_allclose(dw_tf.numpy(), grads["dw"], atol=1e-5)
    assert float(db_tf.numpy()[0]) == pytest.approx(grads["db"], abs=1e-5)


def test_keras_training_matches_numpy_training():
    X, Y = _toy(m=40)
    d = model(X, Y, X, Y, num_iterations=300, learning_rate=0.1)
    twin, history = train_logistic_regression(X.T, Y.T, num_iterations=300, learning_rate=0.1, verbose=False)
    np.testing.assert_allclose(history.history["loss"][::100], d["costs"], atol=1e-5)
    w, b = twin.get_layer("layer_1").get_weights()
    np.testing.assert_allclose(w, d["w"], atol=1e-4)
    assert float(b[0]) == pytest.approx(d["b"], abs=1e-4)


@pytest.mark.course_data
def test_course_numbers_on_cat_files(course_dir):
    from tf_course.data.course_h5 import flatten_images
    from tf_course.data.datasets import load_cat_dataset
    from tf_course.registry import BY_NAME
    from tf_course.scratch.metrics import accuracy

    data = load_cat_dataset(course_dir)
    X_train, X_test = flatten_images(data.train.x), flatten_images(data.test.x)
    Y_train, Y_test = data.train.y.reshape(1, -1), data.test.y.reshape(1, -1)
    d = model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.005)
    ref = BY_NAME["logistic_regression"].reference
    np.testing.assert_allclose(d["costs"], ref["scratch_costs"], atol=5e-7)  # printed with %f
    assert accuracy(d["Y_prediction_train"], Y_train) == pytest.approx(0.9904306220095694, abs=1e-12)
    assert accuracy(d["Y_prediction_test"], Y_test) == pytest.approx(0.70, abs=1e-12)
