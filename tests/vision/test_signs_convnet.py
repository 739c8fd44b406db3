"""C4W1 SIGNS ConvNet: the course's summary table, parity with the NumPy conv/pool layers (values
and gradients), a short training run, the course test file through the serving function, and
the pipeline in quick mode."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import quick_run, whole_course_group
from tf_course.registry import BY_NAME
from tf_course.scratch import conv_vectorized as conv
from tf_course.vision.signs_convnet.model import build_signs_convnet, evaluate_accuracy, train_signs_convnet

# The 2021 notebook's expected summary (test_utils.summary): class, output shape, params, extras.
COURSE_SUMMARY = [
    ["InputLayer", (None, 64, 64, 3), 0],
    ["Conv2D", (None, 64, 64, 8), 392, "same", "linear", "GlorotUniform"],
    ["ReLU", (None, 64, 64, 8), 0],
    ["MaxPooling2D", (None, 8, 8, 8), 0, (8, 8), (8, 8), "same"],
    ["Conv2D", (None, 8, 8, 16), 528, "same", "linear", "GlorotUniform"],
    ["ReLU", (None, 8, 8, 16), 0],
    ["MaxPooling2D", (None, 2, 2, 16), 0, (4, 4), (4, 4), "same"],
    ["Flatten", (None, 64), 0],
    ["Dense", (None, 6), 390, "softmax"],
]


def summary(model: keras.Model) -> list[list]:
    """The course comparator's per-layer lists, with Keras 3's ``layer.output.shape``."""
    rows = []
    for layer in model.layers:
        row = [type(layer).__name__, tuple(layer.output.shape), layer.count_params()]
        if isinstance(layer, keras.layers.Conv2D):
            row += [layer.padding, layer.activation.__name__, type(layer.kernel_initializer).__name__]
        elif isinstance(layer, keras.layers.MaxPooling2D):
            row += [tuple(layer.pool_size), tuple(layer.strides), layer.padding]
        elif isinstance(layer, keras.layers.Dense):
            row += [layer.activation.__name__]
        rows.append(row)
    return rows


def test_summary_matches_course():
    model = build_signs_convnet()
    assert summary(model) == COURSE_SUMMARY
    assert [layer.name for layer in model.layers] == ["images", "Z1", "A1", "P1", "Z2", "A2", "P2", "F", "outputs"]
    assert model.count_params() == BY_NAME["signs_convnet"].reference["params"] == 1310


def numpy_forward_backward(model: keras.Model, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, float, list]:
    """The model's forward pass and cost gradients with the NumPy course layers (float64).

    TF's 'same' padding is asymmetric for even kernels: 4x4 pads (1 before, 2 after), 2x2 pads
    (0, 1); the 8x8 and 4x4 pools divide 64 and 8 exactly, so 'same' adds no padding there.
    """
    W1, b1, W2, b2, Wd, bd = [w.astype(np.float64) for w in model.get_weights()]
    m = X.shape[0]
    Z1, c1 = conv.conv_forward(np.pad(X, ((0, 0), (1, 2), (1, 2), (0, 0))), W1, b1.reshape(1, 1, 1, -1),
                               {"stride": 1, "pad": 0})  # (m, 64, 64, 8)
    P1, p1 = conv.pool_forward(np.maximum(Z1, 0), {"f": 8, "stride": 8})  # (m, 8, 8, 8)
    Z2, c2 = conv.conv_forward(np.pad(P1, ((0, 0), (0, 1), (0, 1), (0, 0))), W2, b2.reshape(1, 1, 1, -1),
                               {"stride": 1, "pad": 0})  # (m, 8, 8, 16)
    P2, p2 = conv.pool_forward(np.maximum(Z2, 0), {"f": 4, "stride": 4})  # (m, 2, 2, 16)
    F = P2.reshape(m, -1)  # (m, 64), row-major like keras Flatten
    logits = F @ Wd + bd  # (m, 6)
    probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    cost = -np.mean(np.log(probabilities[np.arange(m), Y]))

    dlogits = probabilities.copy()
    dlogits[np.arange(m), Y] -= 1
    dlogits /= m  # (m, 6)
    dWd, dbd = F.T @ dlogits, dlogits.sum(axis=0)
    dP2 = (dlogits @ Wd.T).reshape(P2.shape)
    dZ2 = conv.pool_backward(dP2, p2, "max") * (Z2 > 0)
    dP1_pad, dW2, db2 = conv.conv_backward(dZ2, c2)
    dZ1 = conv.pool_backward(dP1_pad[:, :8, :8, :], p1, "max") * (Z1 > 0)
    _, dW1, db1 = conv.conv_backward(dZ1, c1)
    return probabilities, cost, [dW1, db1.reshape(-1), dW2, db2.reshape(-1), dWd, dbd]


def test_keras_model_matches_numpy_layers_values_and_gradients():
    keras.utils.set_random_seed(3)
    model = build_signs_convnet()
    # nonzero biases, so that a bias mix-up would show
    model.set_weights([w + 0.05 * np.random.default_rng(i).standard_normal(w.shape).astype(np.float32)
                       for i, w in enumerate(model.get_weights())])
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(3, 64, 64, 3))
    Y = np.array([0, 4, 5])
    probabilities, cost, grads = numpy_forward_backward(model, X, Y)
    with tf.GradientTape() as tape:
        outputs = model(tf.constant(X, tf.float32))
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(tf.constant(Y), outputs))
    tf_grads = tape.gradient(loss, model.trainable_variables)
    np.testing.assert_allclose(outputs.numpy(), probabilities, atol=1e-5)
    assert float(loss) == pytest.approx(cost, abs=1e-5)
    for tf_grad, grad in zip(tf_grads, grads):
        assert tf_grad.shape == grad.shape
        np.testing.assert_allclose(tf_grad.numpy(), grad, atol=1e-5)


@pytest.fixture(scope="module")
def signs():
    from tf_course.data.datasets import load_signs_dataset

    return load_signs_dataset(None, seed=0)


def test_short_training_run_learns(signs):
    keras.utils.set_random_seed(0)
    images, labels = signs.train.x[:256], signs.train.y[:256]
    model, history = train_signs_convnet(images, labels, learning_rate=0.009, epochs=12, verbose=False)
    losses = history.history["loss"]
    assert losses[0] == pytest.approx(np.log(6), abs=0.2)  # about chance in the first epoch
    assert losses[-1] < 0.5 * losses[0]
    assert evaluate_accuracy(model, images, labels) > 0.7


@pytest.mark.course_data
def test_course_test_file_goes_through_the_serving_function(course_dir, course_file):
    from tf_course.vision.signs_convnet.pipeline import serve_course_test_file

    course_file("datasets/test_signs.h5")  # skips when absent
    keras.utils.set_random_seed(0)
    # an untrained model: this checks shapes, dtypes and normalisation, not accuracy
    assert serve_course_test_file(build_signs_convnet(), course_dir) == 120


def test_course_test_file_absent_serves_nothing(tmp_path):
    from tf_course.vision.signs_convnet.pipeline import serve_course_test_file

    assert serve_course_test_file(build_signs_convnet(), tmp_path) == 0
    assert serve_course_test_file(build_signs_convnet(), None) == 0


@whole_course_group("signs_convnet")  # the whole-course module's first quick run, made once per CI run
def test_pipeline_quick(tmp_path_factory, signs):
    from tf_course.vision.signs_convnet.pipeline import QUICK_EPOCHS

    entry = quick_run("signs_convnet", 1, tmp_path_factory)  # tf-course run signs_convnet --quick --seed 0
    metrics = entry["metrics"]
    assert set(BY_NAME["signs_convnet"].reference) <= set(metrics)
    assert {"costs", "keras_fit_train_accuracy", "keras_fit_test_accuracy", "keras_fit_costs"} <= set(metrics)
    assert entry["data_source"] == {"signs": "synthetic"}
    assert metrics["params"] == 1310
    assert metrics["course_test_signs_served"] == 0
    assert len(metrics["costs"]) == len(metrics["keras_fit_val_accuracy"]) == QUICK_EPOCHS
    assert metrics["costs"][-1] < metrics["costs"][0]

    path = Path(entry["exports"][0])
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["data_source"] == {"signs": "synthetic"}
    signature = manifest["signatures"]["serving_default"]
    assert signature["inputs"]["images"] == {"dtype": "uint8", "shape": [None, 64, 64, 3]}
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    probabilities = serve(images=tf.constant(signs.test.x))["probabilities"].numpy()
    assert probabilities.shape == (120, 6)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    # the served model is the evaluated one (normalisation inside the graph)
    assert np.mean(probabilities.argmax(axis=1) == signs.test.y) == pytest.approx(metrics["test_accuracy"])
