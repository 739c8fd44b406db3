"""C4W2 ResNet50: the course's block outputs, the model's summary facts, the pipeline in quick mode.

The full default run (minutes on a 2-core CPU) is not run here; its numbers are in the pipeline's
report (``tf-course run resnet50``).
"""

from __future__ import annotations

import collections
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras.initializers import constant

from tests.helpers import quick_run, whole_course_group
from tf_course.registry import BY_NAME
from tf_course.train.fit import recalibrate_batch_norm
from tf_course.vision.resnet50 import pipeline
from tf_course.vision.resnet50.model import STAGES, ResNet50, build_resnet50, convolutional_block, identity_block


@pytest.fixture(scope="module")
def X() -> np.ndarray:
    """The course's test input (3, 4, 4, 3): image 0 all -1, image 1 all 1, image 2 all 3."""
    return np.concatenate([np.full((1, 4, 4, 3), v) for v in (-1.0, 1.0, 3.0)]).astype(np.float32)


def ones_initializer(seed: int = 0) -> keras.initializers.Initializer:
    """The course's ``lambda seed=0: constant(value=1)``."""
    return constant(value=1)


@pytest.mark.parametrize("f, filters, training, resume", [
    # notebook, training=False: BN with fresh moving statistics (mean 0, var 1) only rescales by 1/sqrt(1.001)
    (2, [4, 4, 3], False, [[[0, 0, 0, 0], [0, 0, 0, 0]],
                           [[192.71236, 192.71236, 192.71236, 96.85619], [96.85619, 96.85619, 96.85619, 48.9281]],
                           [[578.1371, 578.1371, 578.1371, 290.56854], [290.56854, 290.56854, 290.56854, 146.78427]]]),
    # public test, training=True
    (3, [3, 3, 3], True, [[[0] * 4] * 2, [[0.37394285] * 4] * 2,
                          [[3.2379014, 4.1394243, 4.1394243, 3.2379014]] * 2]),
    # notebook variant, training=True
    (2, [3, 3, 3], True, [[[0] * 4] * 2, [[0.40739] * 4] * 2,
                          [[4.99991, 4.99991, 4.99991, 3.25948], [3.25948, 3.25948, 3.25948, 2.40739]]]),
])
def test_identity_block_course_values(X, f, filters, training, resume):
    A = identity_block(X, f=f, filters=filters, initializer=ones_initializer, training=training)
    assert isinstance(A, tf.Tensor) and tuple(A.shape) == (3, 4, 4, 3)
    out = A.numpy()
    np.testing.assert_allclose(out[:, (0, -1), :, :].mean(axis=3), resume, atol=1e-5)
    assert (out >= 0).all()
    if not training:  # the course's check that BN is there: 96.856... is not an integer
        assert out[1, -1, 0].mean() - np.floor(out[1, -1, 0].mean()) > 0.7


def test_convolutional_block_course_values(X):
    A = convolutional_block(X, f=2, filters=[2, 4, 6], training=False)
    assert tuple(A.shape) == (3, 2, 2, 6)  # 4x4 with stride 2
    np.testing.assert_allclose(A.numpy()[0], [  # outputs.convolutional_block_output1[0]
        [[0, 0.66683817, 0, 0, 0.88853896, 0.5274254], [0, 0.65053666, 0, 0, 0.89592844, 0.49965227]],
        [[0, 0.6312079, 0, 0, 0.8636247, 0.47643146], [0, 0.5688321, 0, 0, 0.85534114, 0.41709304]],
    ], atol=1e-6)
    B = convolutional_block(X, f=2, filters=[2, 4, 6], training=True)
    # outputs.convolutional_block_output2[1]: a constant image gives the same vector everywhere
    np.testing.assert_allclose(B.numpy()[1].reshape(4, 6),
                               [[0, 0.4073585, 0, 0.60906595, 0.61729676, 0.43824518]] * 4, atol=1e-6)


def test_block_layer_names():
    inputs = keras.Input((8, 8, 16))
    X = convolutional_block(inputs, 3, [4, 4, 16], s=1, stage=3, block="a")
    X = identity_block(X, 3, [4, 4, 16], stage=3, block="b")
    names = {layer.name for layer in keras.Model(inputs, X).layers}
    assert {"res3a_branch2a", "res3a_branch2b", "res3a_branch2c", "res3a_branch1", "bn3a_branch2a",
            "bn3a_branch1", "res3b_branch2c", "bn3b_branch2c", "res3a_add", "res3b_relu"} <= names



def test_course_positional_call_sets_training_not_stage(X):
    # The course calls identity_block(X, f, filters, training, initializer) positionally; stage and block are
    # keyword-only here, so `identity_block(X, 2, F, False, init)` means training=False as in the course.
    positional = identity_block(X, 2, [4, 4, 3], False, ones_initializer)
    keyword = identity_block(X, f=2, filters=[4, 4, 3], training=False, initializer=ones_initializer)
    np.testing.assert_array_equal(positional.numpy(), keyword.numpy())
    with pytest.raises(TypeError):
        identity_block(X, 2, [4, 4, 3], False, ones_initializer, 3)  # a 6th positional (stage) is refused


def _course_summary_order() -> list[str]:
    """The layer order of the course's ``ResNet50_summary``: in a convolutional block the main path's
    third convolution comes before the shortcut's, then their BatchNorms (``Add()([X, X_shortcut])``)."""
    names = ["images", "conv1_pad", "conv1", "bn_conv1", "conv1_relu", "pool1"]
    for stage, _, _, n_identity in STAGES:
        for block in "abcdef"[:n_identity + 1]:
            res, bn = f"res{stage}{block}_branch", f"bn{stage}{block}_branch"
            names += [res + "2a", bn + "2a", res + "2a_relu", res + "2b", bn + "2b", res + "2b_relu"]
            names += [res + "2c", res + "1", bn + "2c", bn + "1"] if block == "a" else [res + "2c", bn + "2c"]
            names += [f"res{stage}{block}_add", f"res{stage}{block}_relu"]
    return names + ["avg_pool", "flatten", "fc6"]

@pytest.fixture(scope="module")
def resnet() -> keras.Model:
    return build_resnet50((64, 64, 3), classes=6)


def test_resnet50_counts(resnet):
    reference = BY_NAME["resnet50"].reference
    assert resnet.count_params() == 23_600_006 == reference["params"]
    assert sum(int(np.prod(w.shape)) for w in resnet.trainable_weights) == 23_546_886
    assert sum(int(np.prod(w.shape)) for w in resnet.non_trainable_weights) == 53_120
    assert len(resnet.layers) == 177 == reference["layers"]
    assert collections.Counter(type(layer).__name__ for layer in resnet.layers) == {
        "Conv2D": 53, "BatchNormalization": 53, "Activation": 49, "Add": 16, "InputLayer": 1, "ZeroPadding2D": 1,
        "MaxPooling2D": 1, "AveragePooling2D": 1, "Flatten": 1, "Dense": 1}
    assert ResNet50 is build_resnet50 and resnet.name == "ResNet50"


def test_resnet50_layer_order_is_the_courses(resnet):
    names = [layer.name for layer in resnet.layers]
    assert names == _course_summary_order()
    assert names[44] == "res3a_branch2c"  # the course summary's layer 44 (res3a_branch1 before the fix)
    # each Add takes the main path first, the shortcut second, as the course's Add()([X, X_shortcut])
    add = resnet.get_layer("res3a_add")
    assert [t._keras_history[0].name for t in add._inbound_nodes[0].input_tensors] == ["bn3a_branch2c",
                                                                                      "bn3a_branch1"]


def test_resnet50_stage_shapes_and_parameters(resnet):
    shapes = {name: tuple(resnet.get_layer(name).output.shape) for name in
              ("pool1", "res2c_relu", "res3d_relu", "res4f_relu", "res5c_relu", "avg_pool", "fc6")}
    assert shapes == {"pool1": (None, 15, 15, 64), "res2c_relu": (None, 15, 15, 256),
                      "res3d_relu": (None, 8, 8, 512), "res4f_relu": (None, 4, 4, 1024),
                      "res5c_relu": (None, 2, 2, 2048), "avg_pool": (None, 1, 1, 2048), "fc6": (None, 6)}
    params = {name: resnet.get_layer(name).count_params() for name in
              ("conv1", "bn_conv1", "res2a_branch2a", "res2a_branch2b", "res2a_branch2c", "res2a_branch1", "fc6")}
    # 7*7*3*64+64; 4*64; 64*64+64; 3*3*64*64+64; 64*256+256; 64*256+256; 2048*6+6
    assert params == {"conv1": 9472, "bn_conv1": 256, "res2a_branch2a": 4160, "res2a_branch2b": 36928,
                      "res2a_branch2c": 16640, "res2a_branch1": 16640, "fc6": 12294}


def test_resnet50_course_names_and_initializers(resnet):
    names = [layer.name for layer in resnet.layers]
    blocks = [f"{stage}{block}" for stage, n in ((2, 3), (3, 4), (4, 6), (5, 3)) for block in "abcdef"[:n]]
    for block in blocks:
        for branch in ("2a", "2b", "2c"):
            assert f"res{block}_branch{branch}" in names and f"bn{block}_branch{branch}" in names
    shortcuts = sorted(n for n in names if n.endswith("_branch1"))
    assert shortcuts == ["bn2a_branch1", "bn3a_branch1", "bn4a_branch1", "bn5a_branch1",
                         "res2a_branch1", "res3a_branch1", "res4a_branch1", "res5a_branch1"]
    initializers = {layer.name: type(layer.kernel_initializer).__name__
                    for layer in resnet.layers if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))}
    for name, initializer in initializers.items():
        in_identity_block = name.startswith("res") and name[4] != "a"
        assert initializer == ("RandomUniform" if in_identity_block else "GlorotUniform"), name
    assert resnet.get_layer("res2a_branch1").strides == (1, 1) and resnet.get_layer("res3a_branch1").strides == (2, 2)


def test_recalibrate_batch_norm_sets_the_training_set_statistics():
    inputs = keras.Input((5, 5, 3))
    conv = keras.layers.Conv2D(4, 3, name="conv")
    norm = keras.layers.BatchNormalization(name="bn")
    model = keras.Model(inputs, norm(conv(inputs)))
    images = np.random.default_rng(0).integers(0, 256, size=(10, 5, 5, 3), dtype=np.uint8)
    assert recalibrate_batch_norm(model, images, batch_size=4) == 1
    z = conv(images.astype(np.float32) / 255.0).numpy()  # (10, 3, 3, 4), the BN input
    batches = [z[:4], z[4:8], z[8:]]  # sizes 4, 4, 2: statistics weighted by examples
    np.testing.assert_allclose(norm.moving_mean.numpy(), z.mean(axis=(0, 1, 2)), atol=1e-5)
    variance = sum(len(b) * b.var(axis=(0, 1, 2)) for b in batches) / 10
    np.testing.assert_allclose(norm.moving_variance.numpy(), variance, rtol=1e-4)
    assert norm.momentum == 0.99


@whole_course_group("resnet50")  # the whole-course module's first quick run, made once per CI run
def test_pipeline_quick(tmp_path_factory):
    entry = quick_run("resnet50", 1, tmp_path_factory)  # tf-course run resnet50 --quick --seed 0
    metrics = entry["metrics"]
    assert set(BY_NAME["resnet50"].reference) <= set(metrics)
    assert metrics["params"] == 23_600_006 and metrics["layers"] == 177
    assert metrics["train_examples"] == pipeline.QUICK_TRAIN_EXAMPLES
    assert metrics["images_per_second"] > 0
    assert 0 <= metrics["test_accuracy_before_recalibration"] <= 1
    assert entry["data_source"] == {"signs": "synthetic"}
    (export,) = entry["exports"]
    assert export.startswith(str(Path(entry["out"]) / "quick" / "resnet50"))
    serve = tf.saved_model.load(export).signatures["serving_default"]
    probabilities = serve(images=tf.zeros((2, 64, 64, 3), tf.uint8))["probabilities"].numpy()
    assert probabilities.shape == (2, 6)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
