"""The course's date translator: a Bidirectional LSTM encoder, ``Ty`` attention steps, a post-attention LSTM.

``one_step_attention`` and ``modelf`` of C5W3 in Keras 3. The course keeps its attention layers in
module globals so that all ``Ty`` steps share them; here :class:`SharedLayers` holds them (one set
per model), with the course's variable names as layer names:

- ``repeator`` RepeatVector(Tx): s_prev (m, n_s) -> (m, Tx, n_s)
- ``concatenator`` Concatenate(-1): [a (m, Tx, 2 n_a), s_prev repeated] -> (m, Tx, 2 n_a + n_s)
- ``densor1`` Dense(10, tanh) -> (m, Tx, 10), ``densor2`` Dense(1, relu) -> energies (m, Tx, 1)
- ``attention_weights`` Activation(softmax over axis 1, time) -> alphas (m, Tx, 1)
- ``dotor`` Dot(axes=1): alphas . a -> context (m, 1, 2 n_a)
- ``post_activation_LSTM_cell`` LSTM(n_s, return_state=True), ``output_layer`` Dense(11, softmax).

With the course's sizes (Tx 30, Ty 10, n_a 32, n_s 64, 37 and 11 symbols) the model has 52,960
parameters, all trainable. Its inputs are ``[X one-hot (m, Tx, 37), s0 (m, n_s), c0 (m, n_s)]``,
its outputs a list of ``Ty`` softmaxes (m, 11). It has no feedback of the previous output: the
``Ty`` distributions depend on the input only (decoding.py uses that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
from keras import layers, ops

TX, TY, N_A, N_S = 30, 10, 32, 64
HUMAN_VOCAB_SIZE, MACHINE_VOCAB_SIZE = 37, 11
LEARNING_RATE, DECAY = 0.005, 0.01


@keras.saving.register_keras_serializable(package="tf_course")
def softmax_over_time(x: Any) -> Any:
    """Softmax over axis 1 (the input's time steps): energies (m, Tx, 1) -> attention weights (m, Tx, 1)."""
    return ops.softmax(x, axis=1)


@dataclass
class SharedLayers:
    """The attention and decoder layers every one of the ``Ty`` steps reuses (the course's globals)."""

    repeator: layers.RepeatVector
    concatenator: layers.Concatenate
    densor1: layers.Dense
    densor2: layers.Dense
    activator: layers.Activation
    dotor: layers.Dot
    post_activation_LSTM_cell: layers.LSTM
    output_layer: layers.Dense

    @classmethod
    def create(cls, Tx: int = TX, n_s: int = N_S, machine_vocab_size: int = MACHINE_VOCAB_SIZE) -> SharedLayers:
        """New, unbuilt layers, named as the course names its variables."""
        return cls(
            repeator=layers.RepeatVector(Tx, name="repeator"),
            concatenator=layers.Concatenate(axis=-1, name="concatenator"),
            densor1=layers.Dense(10, activation="tanh", name="densor1"),
            densor2=layers.Dense(1, activation="relu", name="densor2"),
            activator=layers.Activation(softmax_over_time, name="attention_weights"),
            dotor=layers.Dot(axes=1, name="dotor"),
            post_activation_LSTM_cell=layers.LSTM(n_s, return_state=True, unroll=True,
                                                 name="post_activation_LSTM_cell"),
            output_layer=layers.Dense(machine_vocab_size, activation="softmax", name="output_layer"),
        )

    @classmethod
    def from_model(cls, model: keras.Model) -> SharedLayers:
        """The shared layers of a model made by :func:`modelf` (found by name)."""
        names = {"activator": "attention_weights"}
        return cls(**{field: model.get_layer(names.get(field, field)) for field in cls.__dataclass_fields__})


_DEFAULT_SHARED: SharedLayers | None = None


def _attend(a: Any, s_prev: Any, shared: SharedLayers) -> tuple[Any, Any]:
    """(context (m, 1, 2 n_a), alphas (m, Tx, 1)) of one attention step."""
    s_prev = shared.repeator(s_prev)  # (m, n_s) -> (m, Tx, n_s)
    concat = shared.concatenator([a, s_prev])  # (m, Tx, 2 n_a + n_s)
    e = shared.densor1(concat)  # (m, Tx, 10)
    energies = shared.densor2(e)  # (m, Tx, 1)
    alphas = shared.activator(energies)  # (m, Tx, 1), sums to 1 over Tx
    return shared.dotor([alphas, a]), alphas  # context (m, 1, 2 n_a)


def one_step_attention(a: Any, s_prev: Any, shared: SharedLayers | None = None) -> Any:
    """One attention step: the context vector for the next output.

    Args:
        a: the encoder's hidden states, (m, Tx, 2 n_a).
        s_prev: the post-attention LSTM's previous hidden state, (m, n_s).
        shared: the layers to use; None: one module-wide set (the course's globals, Tx 30, n_s 64).

    Returns:
        context, (m, 1, 2 n_a): the attention-weighted sum of ``a`` over time.
    """
    global _DEFAULT_SHARED
    if shared is None:
        if _DEFAULT_SHARED is None:
            _DEFAULT_SHARED = SharedLayers.create()
        shared = _DEFAULT_SHARED
    return _attend(a, s_prev, shared)[0]


def _decode(X: Any, s0: Any, c0: Any, encoder: layers.Layer, shared: SharedLayers, Ty: int) -> tuple[list, list]:
    """The forward pass: (outputs, alphas), ``Ty`` softmaxes (m, 11) and ``Ty`` attention maps (m, Tx, 1)."""
    a = encoder(X)  # (m, Tx, 2 n_a)
    s, c = s0, c0
    outputs, alphas = [], []
    for _ in range(Ty):
        context, alpha = _attend(a, s, shared)  # (m, 1, 2 n_a), (m, Tx, 1)
        _, s, c = shared.post_activation_LSTM_cell(context, initial_state=[s, c])  # s, c: (m, n_s)
        outputs.append(shared.output_layer(s))  # (m, machine_vocab_size)
        alphas.append(alpha)
    return outputs, alphas


def modelf(
    Tx: int = TX, Ty: int = TY, n_a: int = N_A, n_s: int = N_S,
    human_vocab_size: int = HUMAN_VOCAB_SIZE, machine_vocab_size: int = MACHINE_VOCAB_SIZE,
) -> keras.Model:
    """The course's model: inputs ``[X (m, Tx, human_vocab_size), s0 (m, n_s), c0 (m, n_s)]``, ``Ty`` outputs (m, 11).

    Both LSTMs are unrolled (``unroll=True``): the same maths and weights, about 20 % less CPU time per step.
    """
    X = keras.Input(shape=(Tx, human_vocab_size), name="X")
    s0 = keras.Input(shape=(n_s,), name="s0")
    c0 = keras.Input(shape=(n_s,), name="c0")
    encoder = layers.Bidirectional(layers.LSTM(n_a, return_sequences=True, unroll=True, name="encoder_lstm"),
                                   name="bidirectional")
    shared = SharedLayers.create(Tx, n_s, machine_vocab_size)
    outputs, _ = _decode(X, s0, c0, encoder, shared, Ty)
    return keras.Model(inputs=[X, s0, c0], outputs=outputs, name="nmt_attention")


def compile_course(
    model: keras.Model, learning_rate: float = LEARNING_RATE, decay: float = DECAY, decay_steps: int = 1,
    metrics: bool = True, run_eagerly: bool = False,
) -> keras.Model:
    """Compile as the course: Adam(lr 0.005, beta_1 0.9, beta_2 0.999, decay 0.01), cross-entropy, accuracy.

    Keras 2's ``decay`` scaled the rate by ``1 / (1 + decay * iterations)`` at every step; Keras 3
    has no ``decay`` argument, the same rate is ``InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)``.
    The loss is summed over the ``Ty`` outputs; accuracy is reported per output. ``decay_steps``
    > 1 counts the decay in units of that many steps (e.g. per epoch) instead of per step;
    ``metrics=False`` leaves out the 10 accuracy metrics (a smaller ``train_step`` to trace);
    ``run_eagerly`` trains without tracing (for a few steps: tracing the unrolled model costs more).
    """
    schedule = keras.optimizers.schedules.InverseTimeDecay(learning_rate, decay_steps=decay_steps, decay_rate=decay)
    optimizer = keras.optimizers.Adam(learning_rate=schedule, beta_1=0.9, beta_2=0.999)
    model.compile(optimizer=optimizer, loss=["categorical_crossentropy"] * len(model.outputs),
                  metrics=[["accuracy"]] * len(model.outputs) if metrics else None, run_eagerly=run_eagerly)
    return model


def forward(model: keras.Model, X: Any, s0: Any = None, c0: Any = None) -> tuple[Any, Any]:
    """The model's output distributions and its attention weights, for a model made by :func:`modelf`.

    Args:
        model: the course model (its layers are called directly, so its weights are used).
        X: one-hot inputs (m, Tx, human_vocab_size).
        s0, c0: initial decoder states (m, n_s); None: zeros, as the course trains.

    Returns:
        ``(probabilities (m, Ty, machine_vocab_size), alphas (m, Ty, Tx))``; the probabilities
        equal ``model([X, s0, c0])`` stacked on axis 1.
    """
    n_s = model.get_layer("s0").output.shape[-1]
    if s0 is None:
        s0 = ops.zeros((ops.shape(X)[0], n_s), dtype=X.dtype)  # (m, n_s)
    if c0 is None:
        c0 = ops.zeros((ops.shape(X)[0], n_s), dtype=X.dtype)
    outputs, alphas = _decode(X, s0, c0, model.get_layer("bidirectional"), SharedLayers.from_model(model),
                              len(model.outputs))
    probabilities = ops.stack(outputs, axis=1)  # Ty x (m, V) -> (m, Ty, V)
    alphas = ops.stack([ops.squeeze(alpha, -1) for alpha in alphas], axis=1)  # Ty x (m, Tx, 1) -> (m, Ty, Tx)
    return probabilities, alphas
