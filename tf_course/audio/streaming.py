"""The detector as graph functions of raw samples: whole clips, spectrograms and a streaming step.

Waveforms are float32 mono samples at 44.1 kHz in [-1, 1) (int16 / 32768); the spectrogram is the
course's, of the int16 values (so ``waveform * 32768``), computed in the graph
(:func:`tf_course.audio.spectrogram.tf_spectrogram`).

Streaming. Output step ``j`` sees spectrogram frames ``4j .. 4j+14`` (Conv1D kernel 15, stride 4),
i.e. samples ``320 j .. 320 j + 1319``: :data:`CONTEXT` = 1320 samples, one step per
:data:`STEP_SAMPLES` = 320 new samples. The state is

- ``buffer`` ``(batch, 1320)``: the samples not yet consumed by a step (the Conv1D's context),
  left-aligned, of which the first ``filled`` (a scalar, shared by the batch) are valid;
- ``h1``, ``h2`` ``(batch, units)``: the two GRUs' states.

A call appends the chunk (any length) to the buffer, emits every step whose 1320 samples are now
there, and keeps the rest (always fewer than 1320 samples). BatchNormalization and Dropout act
per step at inference, so the steps are the whole-clip model's steps: 125 chunks of 80 ms (3528
samples) give the 1375 probabilities of the 10 s clip, within float32 rounding.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from tf_course.audio.models import KERNEL, STRIDE
from tf_course.audio.spectrogram import HOP, NFFT, tf_spectrogram

INT16_SCALE = 32768.0
CONTEXT = (KERNEL - 1) * HOP + NFFT  # 1320 samples per output step
STEP_SAMPLES = STRIDE * HOP  # 320
CHUNK_80MS = 3528  # 80 ms at 44.1 kHz


def waveform_spectrogram(waveforms: tf.Tensor) -> tf.Tensor:
    """float32 waveforms ``(batch, n)`` in [-1, 1) -> the course's spectrograms ``(batch, frames, 101)``."""
    return tf_spectrogram(tf.convert_to_tensor(waveforms, tf.float32) * INT16_SCALE)


def _gru_units(model: keras.Model) -> list[int]:
    return [layer.units for layer in model.layers if isinstance(layer, keras.layers.GRU)]


def run_layers(model: keras.Model, x: tf.Tensor, states: list[tf.Tensor]) -> tuple[tf.Tensor, list[tf.Tensor]]:
    """The model's layers at inference on spectrogram frames ``x``, the GRUs starting from ``states``.

    Returns the per-step probabilities and the GRUs' last states. Valid for any number of frames
    >= 15 (``(frames - 15) // 4 + 1`` steps).
    """
    new_states = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer | keras.layers.Dropout):
            continue
        if isinstance(layer, keras.layers.GRU):
            x = layer(x, initial_state=[states[len(new_states)]], training=False)
            new_states.append(x[:, -1, :])
        elif isinstance(layer, keras.layers.TimeDistributed):
            # (models saved with the course's TimeDistributed head) Keras 3.15's TimeDistributed, traced
            # with an unknown number of steps, returns one step: its Dense acts on the last axis.
            x = layer.layer(x, training=False)
        else:
            x = layer(x, training=False)
    return x, new_states


def initial_state(model: keras.Model, batch: int = 1) -> dict[str, np.ndarray]:
    """The streaming state before the first chunk: empty buffer, zero GRU states."""
    units = _gru_units(model)
    return {"buffer": np.zeros((batch, CONTEXT), np.float32), "filled": np.zeros((), np.int32),
            **{f"h{i + 1}": np.zeros((batch, u), np.float32) for i, u in enumerate(units)}}


def make_stream_fn(model: keras.Model) -> Callable[..., dict[str, tf.Tensor]]:
    """``fn(chunk, buffer, filled, h1, h2) -> {"probabilities", "buffer", "filled", "h1", "h2"}`` (see module)."""
    units = _gru_units(model)
    if len(units) != 2:
        raise ValueError(f"streaming: expected a model with 2 GRU layers, found {len(units)}")

    def stream(chunk: tf.Tensor, buffer: tf.Tensor, filled: tf.Tensor, h1: tf.Tensor,
               h2: tf.Tensor) -> dict[str, tf.Tensor]:
        chunk = tf.convert_to_tensor(chunk, tf.float32)
        samples = tf.concat([buffer[:, :filled], chunk], axis=1)
        total = tf.shape(samples)[1]
        steps = tf.maximum(0, (total - CONTEXT) // STEP_SAMPLES + 1)
        batch = tf.shape(samples)[0]

        def emit():
            used = samples[:, :STEP_SAMPLES * (steps - 1) + CONTEXT]
            probs, (g1, g2) = run_layers(model, waveform_spectrogram(used), [h1, h2])
            return tf.cast(probs, tf.float32), g1, g2

        def nothing():
            return tf.zeros([batch, 0, 1], tf.float32), h1, h2

        probs, g1, g2 = tf.cond(steps > 0, emit, nothing)
        rest = samples[:, STEP_SAMPLES * steps:]
        left = total - STEP_SAMPLES * steps
        new_buffer = tf.pad(rest, [[0, 0], [0, CONTEXT - left]])
        new_buffer = tf.ensure_shape(new_buffer, [None, CONTEXT])
        return {"probabilities": probs, "buffer": new_buffer, "filled": tf.cast(left, tf.int32), "h1": g1, "h2": g2}

    return stream


def stream_specs(model: keras.Model) -> list[tf.TensorSpec]:
    """Input specs of the streaming signature: chunk, buffer, filled, h1, h2."""
    u1, u2 = _gru_units(model)
    return [tf.TensorSpec([None, None], tf.float32, name="chunk"),
            tf.TensorSpec([None, CONTEXT], tf.float32, name="buffer"),
            tf.TensorSpec([], tf.int32, name="filled"),
            tf.TensorSpec([None, u1], tf.float32, name="h1"),
            tf.TensorSpec([None, u2], tf.float32, name="h2")]


def make_serving_fn(model: keras.Model) -> Callable[[tf.Tensor], dict[str, tf.Tensor]]:
    """``fn(waveform (batch, n)) -> {"probabilities": (batch, steps, 1)}``: spectrogram in the graph, then the model."""

    def serve(waveform: tf.Tensor) -> dict[str, tf.Tensor]:
        return {"probabilities": tf.cast(model(waveform_spectrogram(waveform), training=False), tf.float32)}

    return serve


def make_spectrogram_fn() -> Callable[[tf.Tensor], dict[str, tf.Tensor]]:
    """``fn(waveform (batch, n)) -> {"spectrogram": (batch, frames, 101)}`` (the course's values, time-major)."""

    def spec(waveform: tf.Tensor) -> dict[str, tf.Tensor]:
        return {"spectrogram": waveform_spectrogram(waveform)}

    return spec


def stream_clip(stream_fn: Callable[..., dict[str, tf.Tensor]], model: keras.Model, waveform: np.ndarray,
                chunk: int = CHUNK_80MS) -> np.ndarray:
    """Feed ``waveform`` ``(batch, n)`` through ``stream_fn`` in chunks; the probabilities ``(batch, steps)``."""
    waveform = np.asarray(waveform, np.float32)
    state = initial_state(model, waveform.shape[0])
    out = []
    for start in range(0, waveform.shape[1], chunk):
        result = stream_fn(waveform[:, start:start + chunk], state["buffer"], state["filled"], state["h1"],
                           state["h2"])
        state = {k: result[k] for k in ("buffer", "filled", "h1", "h2")}
        out.append(np.asarray(result["probabilities"])[..., 0])
    return np.concatenate(out, axis=1)
