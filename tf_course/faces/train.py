"""Triplet training of an encoder with ``model.fit``: P identities x K images per batch, online mining.

:class:`TripletTrainer` wraps an encoder (images -> unit embeddings) and overrides ``train_step``:
the batch's embeddings go through a mining loss (semi-hard by default, batch-hard or batch-all)
and the collapse metrics of :func:`tf_course.faces.losses.triplet_batch_stats` (``d_ap``, ``d_an``,
``active_fraction``) are tracked beside the loss, so a collapsing encoder (both distances to 0,
every triplet active) shows in the history.
"""

from __future__ import annotations

import time
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.faces.losses import (
    triplet_batch_all_loss,
    triplet_batch_stats,
    triplet_hard_loss,
    triplet_semihard_loss,
)
from tf_course.train import distribute

MINING = {"semi-hard": triplet_semihard_loss, "batch-hard": triplet_hard_loss, "batch-all": triplet_batch_all_loss}


class TripletTrainer(keras.Model):
    """``fit`` on (images (b, s, s, 3) float, labels (b,)) batches with an online-mining triplet loss."""

    def __init__(self, encoder: keras.Model, mining: str = "semi-hard", margin: float = 0.5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if mining not in MINING:
            raise ValueError(f"TripletTrainer: expected mining in {sorted(MINING)}, found {mining!r}")
        self.encoder = encoder
        self.mining = mining
        self.margin = float(margin)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in ("loss", "d_ap", "d_an", "active_fraction")}

    def call(self, inputs: Any, training: bool = False) -> Any:
        return self.encoder(inputs, training=training)

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return list(self.trackers.values())

    def train_step(self, data: Any) -> dict[str, Any]:
        images, labels = data
        with tf.GradientTape() as tape:
            embeddings = self.encoder(images, training=True)
            loss = MINING[self.mining](labels, embeddings, margin=self.margin)
        weights = self.encoder.trainable_weights
        self.optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
        stats = triplet_batch_stats(labels, embeddings, margin=self.margin)
        self.trackers["loss"].update_state(loss)
        for name, value in stats.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}


def pk_batches(labels: np.ndarray, p: int, k: int, steps: int, rng: np.random.Generator) -> np.ndarray:
    """(steps, p * k) image indices: each batch p distinct identities, k images each (with replacement
    when an identity has fewer than k)."""
    labels = np.asarray(labels)
    ids = np.unique(labels)
    if len(ids) < p:
        raise ValueError(f"pk_batches: expected at least p={p} identities, found {len(ids)}")
    by_id = [np.flatnonzero(labels == i) for i in ids]
    batches = np.empty((steps, p * k), dtype=np.int64)
    for s in range(steps):
        chosen = rng.choice(len(ids), p, replace=False)
        batches[s] = np.concatenate([rng.choice(by_id[c], k, replace=len(by_id[c]) < k) for c in chosen])
    return batches


def pk_dataset(images: np.ndarray, labels: np.ndarray, p: int, k: int, steps: int, seed: int) -> tf.data.Dataset:
    """A ``tf.data`` of ``steps`` P x K batches: (float32 images / 255, int32 labels)."""
    index = pk_batches(labels, p, k, steps, np.random.default_rng([int(seed), 31337]))
    images_t, labels_t = tf.constant(images), tf.constant(labels, tf.int32)

    def gather(i: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return tf.cast(tf.gather(images_t, i), tf.float32) / 255.0, tf.gather(labels_t, i)

    return tf.data.Dataset.from_tensor_slices(index).map(gather).prefetch(2)


class TimeBudget(keras.callbacks.Callback):
    """Stop training at the end of the epoch that passes ``seconds`` of training time."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = float(seconds)
        self.start = 0.0
        self.stopped_early = False

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if time.perf_counter() - self.start > self.seconds:
            self.model.stop_training = True
            self.stopped_early = True


def train_encoder(encoder: keras.Model, images: np.ndarray, labels: np.ndarray, *, epochs: int, steps: int,
                  p: int = 16, k: int = 4, mining: str = "semi-hard", margin: float = 0.5,
                  learning_rate: float = 1e-3, seconds: float | None = None, seed: int = 0,
                  verbose: int = 0) -> tuple[dict[str, list[float]], float]:
    """Train ``encoder`` in place with :class:`TripletTrainer`; returns (history, training seconds).

    Each epoch is ``steps`` fresh P x K batches; the learning rate decays by cosine to 5% over the
    ``epochs``; ``seconds`` stops early (at an epoch end) once exceeded.
    """
    distribute.notice_not_distributed("face_recognition training", "triplets are mined within each P x K batch; "
                                      "splitting the batches would change which triplets are mined")
    trainer = TripletTrainer(encoder, mining=mining, margin=margin)
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, epochs * steps, alpha=0.05)
    trainer.compile(optimizer=keras.optimizers.Adam(schedule))
    dataset = pk_dataset(images, labels, p, k, epochs * steps, seed)
    callbacks = [TimeBudget(seconds)] if seconds is not None else []
    start = time.perf_counter()
    history = trainer.fit(dataset, epochs=epochs, steps_per_epoch=steps, verbose=verbose, callbacks=callbacks,
                          shuffle=False)  # the P x K batches are drawn at random already
    return {key: [float(v) for v in values] for key, values in history.history.items()}, time.perf_counter() - start
