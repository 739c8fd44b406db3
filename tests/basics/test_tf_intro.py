"""C2W3 TensorFlow introduction: the course's TF2 unit values, parity of the course functions with
the Keras model, a short training run and the pipeline in quick mode."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.basics.mlp import set_course_parameters
from tf_course.basics.tf_intro.model import build_tf_intro_model, categorical_accuracy, train_tf_intro
from tf_course.basics.tf_intro.ops import (
    compute_cost,
    cost,
    forward_propagation,
    initialize_parameters,
    linear_function,
    one_hot_matrix,
    ones,
    sigmoid,
)
from tf_course.registry import BY_NAME


def test_linear_function_course_value():
    Y = linear_function()
    assert Y.dtype == tf.float64 and Y.shape == (4, 1)
    np.testing.assert_allclose(Y.numpy(), [[-2.15657382], [2.95891446], [-1.08926781], [-0.84538042]], atol=1e-8)


def test_sigmoid_course_values():
    for z, expected in [(0, 0.5), (-1, 0.26894143), (12, 0.9999939)]:
        result = sigmoid(z)
        assert result.dtype == tf.float32
        assert float(result) == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(sigmoid(np.array([-1.0, 0.0])).numpy(), [0.26894143, 0.5], rtol=1e-6)


def test_cost_course_values():
    # TF1 tutorial: sigmoid cross-entropy per element
    np.testing.assert_allclose(cost(np.array([0.2, 0.4, 0.7, 0.9]), np.array([0, 0, 1, 1])).numpy(),
                               [0.79813886, 0.91301525, 0.40318605, 0.34115386], rtol=1e-6)
    # 2021 v1 compute_cost (binary cross-entropy from logits, mean of 6 elements) = 0.8419183
    logits = np.array([[0.6, 0.4], [0.4, 0.6], [0.4, 0.6]])
    labels = np.array([[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]])
    assert float(tf.reduce_mean(cost(logits, labels))) == pytest.approx(0.8419183, abs=1e-7)


def test_one_hot_matrix_and_ones_course_values():
    np.testing.assert_array_equal(one_hot_matrix([1, 2, 3, 0, 2, 1], 4).numpy(),
                                  [[0, 0, 0, 1, 0, 0], [1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 0, 0]])
    np.testing.assert_array_equal(one_hot_matrix(1, 4).numpy(), [0, 1, 0, 0])  # scalar label -> (C,)
    np.testing.assert_array_equal(one_hot_matrix([3], 4).numpy(), [[0], [0], [0], [1]])  # (C, 1)
    result = ones([3])
    assert result.dtype == tf.float32
    np.testing.assert_array_equal(result.numpy(), [1, 1, 1])


def test_compute_cost_course_value():
    # 2021 notebook test: logits (6, 2), the first two SIGNS training labels (5 and 0);
    # per-example costs 0.2536103 and 0.5566767, mean 0.4051435
    logits = np.array([[2.4048107, 5.0334096], [-0.7921977, -4.1523376], [0.9447198, -0.46802214],
                       [1.158121, 3.9810789], [4.768706, 2.3220146], [6.1481323, 3.909829]])
    assert float(compute_cost(logits, one_hot_matrix([5, 0], 6))) == pytest.approx(0.4051435, abs=1e-6)


def test_initialize_parameters_course_checks():
    parameters = initialize_parameters()
    shapes = {"W1": (25, 12288), "b1": (25, 1), "W2": (12, 25), "b2": (12, 1), "W3": (6, 12), "b3": (6, 1)}
    assert {k: tuple(v.shape) for k, v in parameters.items()} == shapes
    for value in parameters.values():
        assert isinstance(value, tf.Variable)
        assert abs(float(tf.reduce_mean(value))) < 0.5 and 0 < float(tf.math.reduce_std(value)) < 1
    # Keras 3.15's GlorotNormal(seed=1) stream (measured here; TF 2.3's differs)
    np.testing.assert_allclose(parameters["W1"].numpy()[0, :3], [0.00183502, -0.00714326, 0.00914525], atol=1e-8)


def test_keras_model_summary():
    model = build_tf_intro_model()
    rows = [(layer.name, tuple(layer.output.shape), layer.count_params()) for layer in model.layers]
    assert rows == [("features", (None, 12288), 0), ("layer_1", (None, 25), 307225),
                    ("layer_2", (None, 12), 312), ("layer_3", (None, 6), 78)]
    assert [model.get_layer(f"layer_{l}").activation.__name__ for l in (1, 2, 3)] == ["relu", "relu", "softmax"]
    assert model.count_params() == BY_NAME["tf_intro"].reference["params"] == 307615


def test_course_functions_match_keras_model_values_and_gradients():
    layer_dims = [12, 25, 12, 6]
    parameters = initialize_parameters(layer_dims)
    model = set_course_parameters(build_tf_intro_model(n_x=12), {k: v.numpy() for k, v in parameters.items()})
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(12, 5)).astype(np.float32)  # (n_x, m), course layout
    Y = one_hot_matrix(rng.integers(0, 6, size=5), 6)  # (6, m)

    with tf.GradientTape() as tape:
        course_cost = compute_cost(forward_propagation(X, parameters), Y)
    course_grads = tape.gradient(course_cost, parameters)
    with tf.GradientTape() as tape:
        probabilities = model(X.T)  # (m, 6)
        keras_cost = tf.reduce_mean(keras.losses.categorical_crossentropy(tf.transpose(Y), probabilities))
    keras_grads = tape.gradient(keras_cost, model.trainable_variables)

    np.testing.assert_allclose(probabilities.numpy().T, tf.nn.softmax(forward_propagation(X, parameters), axis=0),
                               atol=1e-6)
    assert float(keras_cost) == pytest.approx(float(course_cost), abs=1e-6)
    for l in (1, 2, 3):
        kernel, bias = keras_grads[2 * (l - 1)], keras_grads[2 * (l - 1) + 1]
        np.testing.assert_allclose(kernel.numpy().T, course_grads[f"W{l}"].numpy(), atol=1e-5)
        np.testing.assert_allclose(bias.numpy(), course_grads[f"b{l}"].numpy()[:, 0], atol=1e-5)


def test_short_training_run_learns(signs):
    keras.utils.set_random_seed(0)
    images, labels = signs.train.x[:256], signs.train.y[:256]
    model, history = train_tf_intro(images, labels, num_epochs=40, verbose=False)
    losses = history.history["loss"]
    assert len(losses) == 40
    assert losses[0] == pytest.approx(np.log(6), abs=0.2)  # about chance at the start
    assert losses[-1] < 0.5 * losses[0]
    assert categorical_accuracy(model, images, labels) > 0.8


@pytest.fixture(scope="module")
def signs():
    from tf_course.data.datasets import load_signs_dataset

    return load_signs_dataset(None, seed=0)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    from tf_course.basics.tf_intro.pipeline import run
    from tf_course.pipeline import RunContext

    keras.utils.set_random_seed(0)
    return run(RunContext(data_dir=None, out_dir=tmp_path_factory.mktemp("tf_intro"), quick=True, verbose=False))


def test_pipeline_quick(quick_run, signs):
    from tf_course.basics.tf_intro.pipeline import COST_EVERY, QUICK_EPOCHS

    metrics = quick_run.metrics
    assert set(BY_NAME["tf_intro"].reference) <= set(metrics)
    assert quick_run.data_source == {"signs": "synthetic"}
    assert metrics["params"] == 307615
    assert len(metrics["costs"]) == QUICK_EPOCHS // COST_EVERY
    assert metrics["costs"][-1] < 0.7 * metrics["costs"][0]
    assert metrics["test_accuracy"] > 0.5  # chance is 1/6

    path = Path(quick_run.exports[0])
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["data_source"] == {"signs": "synthetic"}
    signature = manifest["signatures"]["serving_default"]
    assert signature["inputs"]["images"] == {"dtype": "uint8", "shape": [None, 64, 64, 3]}
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    probabilities = serve(images=tf.constant(signs.test.x))["probabilities"].numpy()
    assert probabilities.shape == (120, 6)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    # the served model is the evaluated one
    assert np.mean(probabilities.argmax(axis=1) == signs.test.y) == pytest.approx(metrics["test_accuracy"])
