"""Keras 3 twins of the course's fully connected networks (C1-C2).

The course writes a network as NumPy parameters ``W{l}`` (n[l], n[l-1]) and ``b{l}`` (n[l], 1)
acting on column examples X (n_x, m). The twin is a functional model of ``Dense`` layers named
``layer_{l}`` acting on row examples (m, n_x); ``set_course_parameters`` copies a course
parameter dict into it (kernel = W.T, bias = b[:, 0]) so both start from the same point.
"""

from __future__ import annotations

import json
import random
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.export import Signature, export_and_check
from tf_course.export.serving import flatten_uint8_images, probability_serving_fn
from tf_course.pipeline import PipelineOutput
from tf_course.train import History, Trainer

# Layers with at least this many inputs are CourseDense (the cat images' 12288 features), where the
# kernel-gradient layout is 2-3x faster. Narrow layers (the C1/C2 nets' 2-20 inputs) gain nothing from it
# and keep keras.layers.Dense and its exact round-off (with CourseDense, C2W1's x10-init Keras curve moves
# by 0.04 in its steep drop at iteration 7000: a chaotic stretch, not a better or worse result).
ROW_MAJOR_GRAD_MIN_FEATURES = 1024


@tf.custom_gradient
def matmul_row_major_grad(inputs: tf.Tensor, kernel: tf.Tensor) -> tuple[tf.Tensor, Callable]:
    """``inputs @ kernel`` ((m, n_in) @ (n_in, n_out)), the kernel's gradient taken as ``(dZ^T inputs)^T``.

    The same product as ``tf.matmul`` (forward and input gradient identical). TensorFlow's own
    gradient of the kernel is ``matmul(inputs, dZ, transpose_a=True)``: with many features and few
    units (the course's cat net, (209, 12288) examples into 20 units) Eigen runs that layout about 3x
    slower on CPU than ``matmul(dZ, inputs, transpose_a=True)`` followed by a (n_out, n_in) transpose
    (``benchmarks/deep_nn_loops.py``). The sums are over the same m products, in another order:
    float32 round-off differs in the last bits.
    """
    def grad(dz: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return tf.matmul(dz, kernel, transpose_b=True), tf.transpose(tf.matmul(dz, inputs, transpose_a=True))

    return tf.matmul(inputs, kernel), grad


@keras.saving.register_keras_serializable(package="tf_course")
class CourseDense(keras.layers.Dense):
    """``keras.layers.Dense`` (same weights, configuration and forward pass) whose kernel gradient is
    computed by :func:`matmul_row_major_grad`: inputs (batch, n_in) -> (batch, units)."""

    def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        x = matmul_row_major_grad(tf.convert_to_tensor(inputs), tf.convert_to_tensor(self.kernel))
        if self.bias is not None:
            x = keras.ops.add(x, self.bias)
        return x if self.activation is None else self.activation(x)


def build_mlp(
    layer_dims: Sequence[int],
    hidden_activation: str = "relu",
    output_activation: str = "sigmoid",
    l2: float = 0.0,
    dropout_rate: float = 0.0,
    name: str = "mlp",
) -> keras.Model:
    """LINEAR -> ACT x (L-1) -> LINEAR -> OUTPUT_ACT, input ``features`` (batch, layer_dims[0]).

    Args:
        layer_dims: [n_x, n_1, ..., n_L], the course's ``layers_dims``.
        hidden_activation: activation of layers 1..L-1 (``"relu"`` or ``"tanh"``).
        output_activation: activation of layer L.
        l2: Keras L2 factor on every kernel (adds ``l2 * sum(W**2)`` to the loss).
        dropout_rate: dropout after each hidden activation (``1 - keep_prob``).
        name: model name.

    Returns:
        A functional model with output (batch, n_L); Dense layers ``layer_1`` ... ``layer_L``
        (:class:`CourseDense` where a layer has at least :data:`ROW_MAJOR_GRAD_MIN_FEATURES` inputs).
    """
    features = keras.Input(shape=(layer_dims[0],), name="features")
    x = features
    L = len(layer_dims) - 1
    for l in range(1, L + 1):
        dense = CourseDense if layer_dims[l - 1] >= ROW_MAJOR_GRAD_MIN_FEATURES else keras.layers.Dense
        x = dense(
            layer_dims[l],
            activation=output_activation if l == L else hidden_activation,
            kernel_regularizer=keras.regularizers.L2(l2) if l2 else None,
            name=f"layer_{l}",
        )(x)
        if dropout_rate and l < L:
            x = keras.layers.Dropout(dropout_rate, name=f"dropout_{l}")(x)
    return keras.Model(features, x, name=name)


def set_course_parameters(model: keras.Model, parameters: Mapping[str, np.ndarray]) -> keras.Model:
    """Copy ``W{l}`` (n[l], n[l-1]) / ``b{l}`` (n[l], 1) into ``layer_{l}``; returns the model."""
    l = 1
    while f"W{l}" in parameters:
        layer = model.get_layer(f"layer_{l}")
        layer.set_weights([np.asarray(parameters[f"W{l}"]).T, np.asarray(parameters[f"b{l}"]).reshape(-1)])
        l += 1
    if l == 1:
        raise ValueError(f"expected course parameters W1, b1, ...; found keys {sorted(parameters)}")
    return model


def get_course_parameters(model: keras.Model) -> dict[str, np.ndarray]:
    """The model's weights in course layout: ``W{l}`` (n[l], n[l-1]) and ``b{l}`` (n[l], 1)."""
    params: dict[str, np.ndarray] = {}
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    for l, layer in enumerate(dense, 1):
        kernel, bias = layer.get_weights()
        params[f"W{l}"], params[f"b{l}"] = kernel.T, bias.reshape(-1, 1)
    return params


MAX_SHARED_TRAINERS = 8  # architectures whose compiled training loop is kept between calls
_SHARED_TRAINERS: OrderedDict[str, Trainer] = OrderedDict()


@contextmanager
def _same_random_state() -> Iterator[None]:
    """Run a block without advancing Python's and NumPy's global generators.

    Building a Keras layer draws its default initializer seed from Python's ``random``; a model
    built only to host a shared compiled loop must not shift the seeds of later models.
    """
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def _has_random_layers(model: keras.Model) -> bool:
    """Whether a layer draws random numbers while training (dropout, noise): its state is per model."""
    return any(getattr(layer, "seed_generator", None) is not None for layer in model.layers)


def shared_trainer(
    model: keras.Model,
    build_model: Callable[[], keras.Model],
    optimizer: Callable[[], keras.optimizers.Optimizer],
    data_key: str,
) -> Trainer:
    """A :class:`Trainer` for ``model``'s architecture whose compiled loop is reused across calls.

    Every :class:`Trainer` traces its own ``tf.function``; a pipeline training several runs of one
    architecture (three initializations, repeated benchmark runs) would trace the same loop again
    for each. Here one Trainer per (architecture, optimizer config, ``data_key``) is kept
    (at most :data:`MAX_SHARED_TRAINERS`), its model's weights set to ``model``'s, its epoch and
    optimizer step counters reset, so the numbers are those of a fresh Trainer. Copy the result
    back with ``model.set_weights(trainer.model.get_weights())``.

    Args:
        model: the freshly built model holding the run's initial weights (not trained in place).
        build_model: builds the same architecture (used once, when the Trainer is created).
        optimizer: returns a fresh optimizer; its config is part of the key.
        data_key: identifies the dataset's structure (shapes, batching).

    Returns:
        The shared Trainer, ready for ``fit``; a new unshared one when ``model`` has random layers
        (their generator state belongs to the model).
    """
    if _has_random_layers(model):
        return Trainer(lambda: model, keras.losses.binary_crossentropy, optimizer)
    with _same_random_state():
        config = {k: v for k, v in optimizer().get_config().items() if k != "name"}
    ignored = {"name", "kernel_initializer", "bias_initializer"}  # initial values are copied in
    layers = [(type(layer).__name__, layer.name, {k: v for k, v in layer.get_config().items() if k not in ignored})
              for layer in model.layers]
    key = json.dumps([layers, config, data_key], sort_keys=True, default=str)
    trainer = _SHARED_TRAINERS.pop(key, None)
    if trainer is None:
        with _same_random_state():
            trainer = Trainer(build_model, keras.losses.binary_crossentropy, optimizer)
    _SHARED_TRAINERS[key] = trainer
    while len(_SHARED_TRAINERS) > MAX_SHARED_TRAINERS:
        _SHARED_TRAINERS.popitem(last=False)
    trainer.model.set_weights(model.get_weights())
    trainer.epoch.assign(0)
    trainer.optimizer.iterations.assign(0)
    return trainer


def train_full_batch(
    build_model: Callable[[], keras.Model],
    X: np.ndarray,
    Y: np.ndarray,
    optimizer: Callable[[], keras.optimizers.Optimizer],
    num_iterations: int,
    batch_size: int | None = None,
    strategy: tf.distribute.Strategy | None = None,
    checkpoint_dir: str | Path | None = None,
    verbose: bool = True,
) -> tuple[keras.Model, History]:
    """Train a binary classifier on X (m, n_x), Y (m, 1) with binary cross-entropy.

    With ``batch_size`` None every epoch is one full-batch step, i.e. one course iteration, and
    ``history.history["loss"][i]`` is the course's "cost after iteration i". Full-batch runs use
    :meth:`Trainer.fit_full_batch <tf_course.train.Trainer.fit_full_batch>` (the batch passed to the
    compiled loop, all iterations in one call when ``verbose`` is False and there are no
    checkpoints). Without a strategy or checkpoints the compiled loop is shared by calls on the
    same architecture (:func:`shared_trainer`); the returned model is always a new one.
    """
    m = X.shape[0]
    x32, y32 = tf.constant(X, tf.float32), tf.constant(np.reshape(Y, (m, -1)), tf.float32)  # (m, n_x), (m, 1)
    every = max(1, num_iterations // 10)
    if batch_size is not None and batch_size < m:  # mini-batches: the dataset loop
        dataset = tf.data.Dataset.from_tensor_slices((x32, y32)).batch(batch_size).cache()
        trainer = Trainer(build_model, keras.losses.binary_crossentropy, optimizer, strategy=strategy)
        history = trainer.fit(dataset, num_iterations, checkpoint_dir=checkpoint_dir, checkpoint_every=every,
                              verbose=verbose)
        return trainer.model, history
    if strategy is not None or checkpoint_dir is not None:
        trainer = Trainer(build_model, keras.losses.binary_crossentropy, optimizer, strategy=strategy)
        history = trainer.fit_full_batch(x32, y32, num_iterations, checkpoint_dir=checkpoint_dir,
                                         checkpoint_every=every, verbose=verbose)
        return trainer.model, history
    model = build_model()
    trainer = shared_trainer(model, build_model, optimizer, f"full batch {x32.shape} {y32.shape}")
    history = trainer.fit_full_batch(x32, y32, num_iterations, verbose=verbose)
    if trainer.model is not model:
        model.set_weights(trainer.model.get_weights())
    return model, history


def keras_binary_accuracy(model: keras.Model, X: np.ndarray, Y: np.ndarray) -> float:
    """Accuracy of a one-unit sigmoid model on course-layout X (n_x, m), Y (1, m), threshold 0.5."""
    # A direct call, not ``predict``: predict's compiled step retraces for every new input length.
    probabilities = np.asarray(model(tf.constant(X.T, tf.float32), training=False)).reshape(1, -1)  # (1, m)
    return float(np.mean((probabilities > 0.5) == (np.asarray(Y).reshape(1, -1) > 0.5)))


def export_binary_classifier(
    name: str,
    model: keras.Model,
    out_dir: str | Path,
    sample: np.ndarray,
    metrics: dict[str, Any],
    data_source: dict[str, str],
    image_shape: tuple[int, int, int] | None = None,
    output_name: str = "probability",
) -> PipelineOutput:
    """Export a one-unit sigmoid model and check the export in a fresh process.

    Without ``image_shape`` the signature is ``features`` float32 (batch, n_x) ->
    ``output_name`` (batch,); with it, ``images`` uint8 (batch, *image_shape) scaled and
    flattened in the graph (:func:`flatten_uint8_images`). ``sample`` is a small batch of such
    inputs. Returns the pipeline's output with the export's path.
    """
    if image_shape is None:
        serve = probability_serving_fn(model, output_name)
        spec = tf.TensorSpec((None, model.input_shape[-1]), tf.float32, name="features")
    else:
        serve = probability_serving_fn(model, output_name, preprocess=flatten_uint8_images)
        spec = tf.TensorSpec((None, *image_shape), tf.uint8, name="images")
    signatures = {"serving_default": Signature(serve, [spec], {spec.name: sample})}
    result = export_and_check(name, signatures, [model], out_dir, metrics=metrics, data_source=data_source)
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(result.path)])
