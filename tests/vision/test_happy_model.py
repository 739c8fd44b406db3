"""C4W2 Keras tutorial: HappyModel's course summary, the shared image serving function, the pipeline."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.export.serving import class_probabilities, image_classifier_serving_fn
from tf_course.pipeline import RunContext
from tf_course.registry import BY_NAME
from tf_course.vision.happy_model import pipeline
from tf_course.vision.happy_model.model import HappyModel, build_happy_model

# The course's summary table (4.2.5 and the 2024 notebook): type, output shape, parameters;
# conv0: 7*7*3*32 + 32 = 4736; bn0: 4*32 = 128 (64 trainable); fc: 32*32*32 + 1 = 32769.
SUMMARY = [
    ("InputLayer", (None, 64, 64, 3), 0),
    ("ZeroPadding2D", (None, 70, 70, 3), 0),
    ("Conv2D", (None, 64, 64, 32), 4736),
    ("BatchNormalization", (None, 64, 64, 32), 128),
    ("Activation", (None, 64, 64, 32), 0),
    ("MaxPooling2D", (None, 32, 32, 32), 0),
    ("Flatten", (None, 32768), 0),
    ("Dense", (None, 1), 32769),
]


@pytest.fixture(scope="module")
def model() -> keras.Model:
    return build_happy_model((64, 64, 3))


def _count(weights) -> int:
    return sum(int(np.prod(w.shape)) for w in weights)


def test_summary_rows_and_parameter_counts(model):
    rows = [(type(layer).__name__, tuple(layer.output.shape), layer.count_params()) for layer in model.layers]
    assert rows == SUMMARY
    assert model.count_params() == 37633 == BY_NAME["happy_model"].reference["params"]
    assert _count(model.trainable_weights) == 37569
    assert _count(model.non_trainable_weights) == 64
    assert HappyModel is build_happy_model and model.name == "HappyModel"


def test_course_layer_names_and_settings(model):
    names = [layer.name for layer in model.layers]
    assert names[2:4] == ["conv0", "bn0"] and names[5] == "max_pool" and names[7] == "fc"
    pad, conv, bn, pool, fc = (model.get_layer(n) for n in ("zero_padding", "conv0", "bn0", "max_pool", "fc"))
    assert pad.padding == ((3, 3), (3, 3))
    assert (conv.filters, conv.kernel_size, conv.strides, conv.padding) == (32, (7, 7), (1, 1), "valid")
    assert conv.activation.__name__ == "linear"
    assert type(conv.kernel_initializer).__name__ == "GlorotUniform"
    assert bn.axis in (3, -1) and bn.epsilon == pytest.approx(1e-3)
    assert (pool.pool_size, pool.strides, pool.padding) == ((2, 2), (2, 2), "valid")
    assert fc.activation.__name__ == "sigmoid"


def test_summary_prints_the_course_totals(model):
    lines: list[str] = []
    model.summary(print_fn=lambda line, **_: lines.append(line))
    text = "\n".join(lines)
    for expected in ("conv0", "bn0", "max_pool", "fc", "37,633", "37,569"):
        assert expected in text


def test_plot_model_when_pydot_is_available(model, tmp_path):
    pytest.importorskip("pydot")
    try:
        keras.utils.plot_model(model, to_file=str(tmp_path / "HappyModel.png"), show_shapes=True)
    except ImportError as exc:  # pydot without the graphviz binaries
        pytest.skip(str(exc))
    assert (tmp_path / "HappyModel.png").stat().st_size > 0


def test_serving_scales_in_the_graph_and_returns_both_class_probabilities(model):
    images = np.random.default_rng(0).integers(0, 256, size=(3, 64, 64, 3), dtype=np.uint8)
    out = image_classifier_serving_fn(model)(tf.constant(images))
    p = model(images.astype(np.float32) / 255.0, training=False).numpy()  # (3, 1)
    np.testing.assert_allclose(out["probabilities"].numpy(), np.hstack([1 - p, p]), atol=1e-6)
    # a softmax output passes through unchanged; columns are P(class k)
    softmax = tf.constant([[0.2, 0.3, 0.5]])
    np.testing.assert_array_equal(class_probabilities(softmax).numpy(), softmax.numpy())
    np.testing.assert_allclose(class_probabilities(tf.constant([[0.25]])).numpy(), [[0.75, 0.25]])


def _check_run(output, out_dir, quick: bool):
    reference = BY_NAME["happy_model"].reference
    assert set(reference) <= set(output.metrics)
    assert output.metrics["params"] == 37633
    assert output.metrics["epochs"] == (pipeline.QUICK_EPOCHS if quick else pipeline.EPOCHS)
    assert output.data_source == {"happy": "synthetic"}
    (export,) = output.exports
    assert export.startswith(str(out_dir / "happy_model"))
    serve = tf.saved_model.load(export).signatures["serving_default"]
    probabilities = serve(images=tf.zeros((2, 64, 64, 3), tf.uint8))["probabilities"].numpy()
    assert probabilities.shape == (2, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)


def test_pipeline_quick(tmp_path):
    output = pipeline.run(RunContext(data_dir=None, out_dir=tmp_path, quick=True, verbose=False))
    _check_run(output, tmp_path, quick=True)


@pytest.mark.slow
def test_pipeline_default_reaches_090_on_the_stand_in(tmp_path):
    """The default run (course settings: 10 epochs, batch 16) on the synthetic smiley faces.

    Measured 0.933 test accuracy with seed 0 (the course's 0.94 is on the Happy House photos).
    """
    keras.utils.set_random_seed(0)
    output = pipeline.run(RunContext(data_dir=None, out_dir=tmp_path, quick=False, verbose=False))
    _check_run(output, tmp_path, quick=False)
    assert output.metrics["test_accuracy"] >= 0.90
    assert output.metrics["train_accuracy"] >= 0.95
    assert output.metrics["epoch_losses"][-1] < output.metrics["epoch_losses"][0]
