"""Generic Keras 2 HDF5 weights (data/keras2_h5.py): tiny Dense/Conv/BatchNorm/Embedding/LSTM/GRU files written here."""

from __future__ import annotations

import json

import h5py
import keras
import numpy as np
import pytest
from keras import layers

from tf_course.data.keras2_h5 import (
    config_epsilons,
    config_input_shape,
    config_layers,
    load_weights_by_name,
    read_keras2_h5,
    short_weight_name,
    write_keras2_h5,
)
from tf_course.data.validate import DataError


def sequence_model(seed: int | None = 0, names: dict[str, str] | None = None) -> keras.Model:
    """(b, 6) token ids -> Embedding -> LSTM -> GRU -> Bidirectional(LSTM) -> Dense softmax (b, 3)."""
    n = {"embedding": "embedding_1", "lstm": "lstm_1", "gru": "gru_1", "bi": "bidirectional_1", "dense": "dense_1",
         **(names or {})}
    tokens = keras.Input((6,), dtype="int32", name="input_1")
    x = layers.Embedding(11, 4, name=n["embedding"])(tokens)
    x = layers.LSTM(5, return_sequences=True, name=n["lstm"])(x)
    x = layers.GRU(3, return_sequences=True, name=n["gru"])(x)
    x = layers.Bidirectional(layers.LSTM(2), name=n["bi"])(x)
    model = keras.Model(tokens, layers.Dense(3, activation="softmax", name=n["dense"])(x), name="seq")
    if seed is not None:
        _randomise(model, seed)
    return model


def image_model(seed: int | None = 0) -> keras.Model:
    """(b, 8, 8, 3) -> Conv2D -> BatchNormalization -> Dense (b, 8, 8, 2)."""
    images = keras.Input((8, 8, 3), name="input_1")
    x = layers.Conv2D(4, 3, padding="same", name="conv2d_1")(images)
    x = layers.BatchNormalization(epsilon=1e-3, name="batch_normalization_1")(x)
    model = keras.Model(images, layers.Dense(2, name="dense_1")(x), name="img")
    if seed is not None:
        _randomise(model, seed)
    return model


def _randomise(model: keras.Model, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for v in model.weights:  # positive variances; weights of order 1 so every layer changes the output
        values = np.abs(rng.normal(size=v.shape)) + 0.5 if "variance" in v.path else 0.5 * rng.normal(size=v.shape)
        v.assign(values.astype(np.float32))


TOKENS = np.random.default_rng(1).integers(0, 11, size=(4, 6)).astype(np.int32)
IMAGES = np.random.default_rng(2).random((2, 8, 8, 3)).astype(np.float32)


def _same(model: keras.Model, reference: keras.Model, x: np.ndarray) -> None:
    expected = reference(x).numpy()
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("full_model", [True, False])
def test_round_trip_sequence_model(tmp_path, full_model):
    source = sequence_model(seed=0)
    path = write_keras2_h5(source, tmp_path / "model.h5", full_model=full_model)
    target = sequence_model(seed=5)
    assert np.abs(target(TOKENS).numpy() - source(TOKENS).numpy()).max() > 1e-3  # different before loading
    file, matched_by = load_weights_by_name(target, path)
    assert matched_by == "name" and file.keras_version == "2.1.5"
    _same(target, source, TOKENS)
    assert [layer.name for layer in file.layers] == ["embedding_1", "lstm_1", "gru_1", "bidirectional_1", "dense_1"]
    # the GRU reads the LSTM's 5 units; reset_after=True: two biases (2, 3 x 3)
    assert file.layer("gru_1").describe() == "kernel (5, 9), recurrent_kernel (3, 9), bias (2, 9)"
    bi = [short for short, _ in file.layer("bidirectional_1").weights]
    assert bi == ["kernel", "recurrent_kernel", "bias"] * 2  # forward then backward, names repeat
    assert (file.model_config is not None) == full_model


def test_round_trip_conv_batch_norm_dense_and_config(tmp_path):
    source = image_model(seed=0)
    path = write_keras2_h5(source, tmp_path / "img.h5")
    target = image_model(seed=9)
    file, _ = load_weights_by_name(target, path)
    _same(target, source, IMAGES)
    assert config_input_shape(file.model_config) == (8, 8, 3)
    assert config_epsilons(file.model_config) == {"batch_normalization_1": 1e-3}
    dense = [layer for layer in config_layers(file.model_config) if layer["class_name"] == "Dense"]
    assert dense[0]["config"] == {"name": "dense_1", "units": 2, "use_bias": True}


def test_keras2_weight_names_as_keras_2_wrote_them(tmp_path):
    # Keras 2.x names weights after its own layer instances: 'lstm_1/kernel:0',
    # 'bidirectional_1/forward_lstm_2/kernel:0'; only the last part and the order matter.
    source = sequence_model(seed=3)
    path = tmp_path / "keras2.h5"
    with h5py.File(path, "w") as handle:
        handle.attrs["layer_names"] = np.array([layer.name.encode() for layer in source.layers])
        for layer in source.layers:
            group = handle.create_group(layer.name)
            names = []
            for i, v in enumerate(layer.weights):
                short = v.path.rsplit("/", 1)[-1]
                inner = (f"{'forward' if i < 3 else 'backward'}_lstm_2/" if layer.name == "bidirectional_1" else "")
                names.append(f"{layer.name}/{inner}{short}:0")
                group.create_dataset(names[-1], data=v.numpy())
            group.attrs["weight_names"] = np.array([n.encode() for n in names], dtype="S")
    target = sequence_model(seed=4)
    file, _ = load_weights_by_name(target, path)
    assert file.model_config is None and file.keras_version is None
    _same(target, source, TOKENS)


def test_wrong_shape_names_layer_weight_and_shapes_and_assigns_nothing(tmp_path):
    source = sequence_model(seed=0, names={"lstm": "lstm_1"})
    path = write_keras2_h5(source, tmp_path / "model.h5")
    with h5py.File(path, "a") as handle:  # an LSTM of 6 units: kernel (4, 24) instead of (4, 20)
        del handle["model_weights/lstm_1/lstm_1/kernel:0"]
        handle["model_weights/lstm_1/lstm_1/kernel:0"] = np.zeros((4, 24), np.float32)
    target = sequence_model(seed=7)
    before = [v.numpy().copy() for v in target.weights]
    with pytest.raises(DataError, match=r"model.h5: layer 'lstm_1' weight 'kernel': expected shape \(4, 20\), "
                                        r"found \(4, 24\)"):
        load_weights_by_name(target, path)
    for old, v in zip(before, target.weights):  # the embedding, checked first, was not assigned either
        np.testing.assert_array_equal(old, v.numpy())


def test_wrong_weight_count(tmp_path):
    source = image_model(seed=0)
    path = write_keras2_h5(source, tmp_path / "img.h5")
    with h5py.File(path, "a") as handle:
        group = handle["model_weights/dense_1"]
        group.attrs["weight_names"] = np.array([b"dense_1/kernel:0"], dtype="S")  # the bias left out
    with pytest.raises(DataError, match=r"layer 'dense_1': expected 2 weights \(kernel \(4, 2\), bias \(2,\)\), "
                                        r"found 1 \(kernel \(4, 2\)\)"):
        load_weights_by_name(image_model(seed=1), path)


def test_missing_and_unexpected_layers_by_name(tmp_path):
    path = write_keras2_h5(sequence_model(seed=0, names={"dense": "dense_7"}), tmp_path / "model.h5")
    message = (r"expected the 5 layers with weights of this model by name, found 5; "
               r"missing layers: \['dense_1'\]; unexpected layers: \['dense_7'\]")
    with pytest.raises(DataError, match=message):
        load_weights_by_name(sequence_model(seed=1), path)


def test_other_numbers_pair_by_order_when_asked(tmp_path):
    # the same model built second in a Keras 2 session: every name numbered on
    renamed = {"embedding": "embedding_2", "lstm": "lstm_3", "gru": "gru_2", "bi": "bidirectional_2",
               "dense": "dense_4"}
    source = sequence_model(seed=0, names=renamed)
    path = write_keras2_h5(source, tmp_path / "second.h5")
    target = sequence_model(seed=2)
    _, matched_by = load_weights_by_name(target, path, by_order=True)
    assert matched_by == "order"
    _same(target, source, TOKENS)


def test_not_hdf5_truncated_missing_and_not_keras(tmp_path):
    text = tmp_path / "model.h5"
    text.write_text("not HDF5\n")
    with pytest.raises(DataError, match="model.h5: expected a Keras 2 HDF5 file, could not open it as HDF5"):
        read_keras2_h5(text)
    whole = write_keras2_h5(image_model(seed=0), tmp_path / "whole.h5")
    (tmp_path / "cut.h5").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(DataError, match="cut.h5: .*truncated"):
        read_keras2_h5(tmp_path / "cut.h5")
    with pytest.raises(FileNotFoundError, match="Keras 2 HDF5 weight file: expected a file at .*absent.h5"):
        read_keras2_h5(tmp_path / "absent.h5")
    with h5py.File(tmp_path / "data.h5", "w") as handle:
        handle["train_set_x"] = np.zeros((2, 4), np.uint8)
    with pytest.raises(DataError, match=r"group 'model_weights'.*found keys \['train_set_x'\]"):
        read_keras2_h5(tmp_path / "data.h5")
    file = read_keras2_h5(whole)
    with pytest.raises(DataError, match=r"expected a layer 'lstm_1' with weights, found \['conv2d_1', "):
        file.layer("lstm_1")


def test_config_helpers_on_keras_2_configs():
    sequential = {"class_name": "Sequential", "config": [  # Keras 2.1 Sequential: the config is the layer list
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 3}},
        {"class_name": "BatchNormalization", "config": {"name": "bn", "epsilon": 1e-5}}]}
    assert [layer["config"]["name"] for layer in config_layers(sequential)] == ["dense_1", "bn"]
    assert config_epsilons(sequential) == {"bn": 1e-5}
    functional = json.loads('{"class_name": "Model", "config": {"layers": [{"class_name": "InputLayer", "name": '
                            '"input_1", "config": {"batch_input_shape": [null, 30, 5]}}]}}')
    assert config_input_shape(functional) == (30, 5)
    assert config_input_shape(None) is None and config_layers({"config": "odd"}) == []
    assert short_weight_name("bidirectional_1/forward_lstm_1/recurrent_kernel:0") == "recurrent_kernel"
