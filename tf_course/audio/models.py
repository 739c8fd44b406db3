"""The course's trigger-word model and a compact one of the same family (Conv1D -> 2 x GRU -> per-step sigmoid).

Both map spectrograms ``(batch, 5511, 101)`` (the course's PSD values, time-major) to per-step
probabilities ``(batch, 1375, 1)``: a Conv1D with kernel 15 and stride 4 (``valid``) turns 5511
frames into 1375 steps; two unidirectional GRUs let the detector answer as soon as it has heard
the word (and stream, :mod:`tf_course.audio.streaming`).

- :func:`build_course_model` (``--model course``): the course's layers, 523,329 parameters.
  Dropout: the course writes ``Dropout(0.8)``. In Keras (2 and 3) that argument is the *rate*,
  the fraction dropped, so the course's trained model dropped 80% (kept 20%); the notebook's
  comment comes from a TF1 version where ``0.8`` was ``keep_prob``. This project uses Keras'
  meaning, ``rate=0.8`` (keep 0.2), because that is what the course's Keras code, its
  ``model.json`` and its published accuracy used; ``dropout=0.2`` gives the TF1 meaning.
- :func:`build_compact_model` (the default): the same layers, narrower (Conv1D 64, GRU 48),
  dropout 0.1, preceded by a log compression (:class:`LogPower`) and a BatchNormalization of the
  101 frequencies (the raw PSD spans ten orders of magnitude); about 50k parameters. Same input
  and output shapes, so every helper and export treats both alike.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import layers, ops

from tf_course.audio.spectrogram import N_FREQ
from tf_course.audio.synthesis import TX

COURSE_PARAMS = 523_329
KERNEL = 15
STRIDE = 4


@keras.saving.register_keras_serializable(package="tf_course")
class LogPower(layers.Layer):
    """``log10(x + floor)``: PSD values (any shape, >= 0) -> decibel-like values / 10. No weights."""

    def __init__(self, floor: float = 1e-2, **kwargs):
        super().__init__(**kwargs)
        self.floor = float(floor)

    def call(self, inputs: Any) -> Any:
        return ops.log(inputs + self.floor) / ops.log(10.0)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "floor": self.floor}


def _family(inputs: keras.KerasTensor, filters: int, units: int, dropout: float) -> keras.KerasTensor:
    x = layers.Conv1D(filters, KERNEL, strides=STRIDE, name="conv")(inputs)
    x = layers.BatchNormalization(name="conv_bn")(x)
    x = layers.Activation("relu", name="conv_relu")(x)
    x = layers.Dropout(dropout, name="conv_dropout")(x)
    x = layers.GRU(units, return_sequences=True, name="gru_1")(x)
    x = layers.Dropout(dropout, name="gru_1_dropout")(x)
    x = layers.BatchNormalization(name="gru_1_bn")(x)
    x = layers.GRU(units, return_sequences=True, name="gru_2")(x)
    x = layers.Dropout(dropout, name="gru_2_dropout")(x)
    x = layers.BatchNormalization(name="gru_2_bn")(x)
    x = layers.Dropout(dropout, name="head_dropout")(x)
    # The course's TimeDistributed(Dense(1, sigmoid)): Keras 3.15's TimeDistributed unrolls a Python loop
    # over a static time axis (1375 Dense calls in the graph: minutes of tracing) and, for an unknown one,
    # returns a single step when traced. Dense acts on the last axis of (batch, steps, units), so it is
    # the same layer, the same 129 parameters, per step.
    return layers.Dense(1, activation="sigmoid", name="head")(x)


def build_course_model(input_shape: tuple[int, int] = (TX, N_FREQ), dropout: float = 0.8) -> keras.Model:
    """The course's ``modelf``: (batch, 5511, 101) -> (batch, 1375, 1); 523,329 parameters (904 non-trainable).

    ``dropout``: Keras' rate (fraction dropped), 0.8 as the course's Keras code (see the module docstring).
    """
    inputs = keras.Input(shape=input_shape, name="spectrogram")
    return keras.Model(inputs, _family(inputs, 196, 128, dropout), name="trigger_word_course")


def build_compact_model(input_shape: tuple[int, int] = (TX, N_FREQ), filters: int = 64, units: int = 48,
                        dropout: float = 0.1) -> keras.Model:
    """The compact default: log compression, BN, then the course's layers with ``filters`` / ``units``."""
    inputs = keras.Input(shape=input_shape, name="spectrogram")
    x = LogPower(name="log_power")(inputs)
    x = layers.BatchNormalization(name="input_bn")(x)
    return keras.Model(inputs, _family(x, filters, units, dropout), name="trigger_word_compact")


def build_model(kind: str = "compact", **kwargs) -> keras.Model:
    """``"compact"`` (default) or ``"course"``; ValueError otherwise."""
    if kind == "course":
        return build_course_model(**kwargs)
    if kind == "compact":
        return build_compact_model(**kwargs)
    raise ValueError(f"trigger-word model: expected 'compact' or 'course', found {kind!r}")
