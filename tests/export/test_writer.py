"""export.writer: endpoints traced once, every variable stored once, lookup tables kept, signatures named."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.export.writer import tracked_resources, write_saved_model


def _model() -> keras.Model:
    """Dense + BatchNorm (trainable and non-trainable variables): (batch, 4) -> (batch, 3)."""
    inputs = keras.Input((4,))
    x = keras.layers.Dense(5, kernel_initializer=keras.initializers.GlorotUniform(seed=1))(inputs)
    x = keras.layers.BatchNormalization()(x)
    outputs = keras.layers.Dense(3, activation="softmax",
                                 kernel_initializer=keras.initializers.GlorotUniform(seed=2))(x)
    return keras.Model(inputs, outputs)


X = np.array([[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, -3.0, 0.25]], np.float32)
SPEC = [tf.TensorSpec((None, 4), tf.float32, name="features")]


def test_every_variable_once_one_trace_and_named_signature(tmp_path):
    model = _model()
    traces = []

    def serve(features):
        traces.append(1)  # Python runs only while tracing
        return {"probabilities": model(features, training=False)}

    write_saved_model(tmp_path / "m", {"serving_default": (serve, SPEC)}, [model])
    assert len(traces) == 1  # Keras' ExportArchive traces twice (once more inside tf.saved_model.save)

    stored = tf.train.load_checkpoint(str(tmp_path / "m" / "variables" / "variables")).get_variable_to_shape_map()
    values = sum(int(np.prod(shape)) for key, shape in stored.items() if key != "_CHECKPOINTABLE_OBJECT_GRAPH")
    assert values == model.count_params() == 4 * 5 + 5 + 4 * 5 + 5 * 3 + 3  # not twice (keras-team/keras#23553)

    loaded = tf.saved_model.load(str(tmp_path / "m"))
    signature = loaded.signatures["serving_default"]
    assert list(signature.structured_input_signature[1]) == ["features"]
    assert list(signature.structured_outputs) == ["probabilities"]
    expected = model(X, training=False).numpy()
    np.testing.assert_allclose(signature(features=tf.constant(X))["probabilities"].numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(loaded.serving_default(tf.constant(X))["probabilities"].numpy(), expected, atol=1e-6)


def test_two_endpoints_share_their_variables(tmp_path):
    model = _model()
    endpoints = {
        "serving_default": (lambda features: {"probabilities": model(features, training=False)}, SPEC),
        "serve_argmax": (lambda features: {"classes": tf.argmax(model(features, training=False), -1)}, SPEC),
    }
    write_saved_model(tmp_path / "m", endpoints, [model])
    stored = tf.train.load_checkpoint(str(tmp_path / "m" / "variables" / "variables")).get_variable_to_shape_map()
    stored.pop("_CHECKPOINTABLE_OBJECT_GRAPH")
    assert sum(int(np.prod(shape)) for shape in stored.values()) == model.count_params()
    loaded = tf.saved_model.load(str(tmp_path / "m"))
    classes = loaded.signatures["serve_argmax"](features=tf.constant(X))["classes"].numpy()
    np.testing.assert_array_equal(classes, np.argmax(model(X, training=False).numpy(), -1))


def test_lookup_table_of_a_tracked_layer_is_saved(tmp_path):
    lookup = keras.layers.StringLookup(vocabulary=["cat", "dog"], num_oov_indices=1, oov_token="[UNK]")
    assert len(tracked_resources([lookup])) == 1
    endpoint = (lambda words: {"ids": lookup(words)}, [tf.TensorSpec((None,), tf.string, name="words")])

    write_saved_model(tmp_path / "m", {"serving_default": endpoint}, [lookup])
    loaded = tf.saved_model.load(str(tmp_path / "m"))
    ids = loaded.signatures["serving_default"](words=tf.constant(["dog", "emu", "cat"]))["ids"].numpy()
    np.testing.assert_array_equal(ids, [2, 0, 1])

    with pytest.raises((AssertionError, ValueError), match="untracked"):  # the table must be reachable
        write_saved_model(tmp_path / "untracked", {"serving_default": endpoint}, [])
