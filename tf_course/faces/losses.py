"""Triplet losses: the course's ``triplet_loss`` and online mining over a labelled batch.

- :func:`triplet_loss` / :class:`TripletLoss`: the course's loss on explicit (anchor, positive,
  negative) encodings, ``sum_i max(||a_i - p_i||^2 - ||a_i - n_i||^2 + alpha, 0)``.
- Online mining on a batch of embeddings (batch, d) with integer labels (batch,), the definitions of
  TensorFlow Addons (end-of-life, no Keras 3 release), same defaults (``margin=1.0``,
  ``distance_metric="L2"``, i.e. non-squared Euclidean):

  * :func:`triplet_semihard_loss` / :class:`TripletSemiHardLoss` (Addons ``TripletSemiHardLoss``,
    FaceNet): for every positive pair (a, p), the closest negative farther than p
    (``d(a, n) > d(a, p)``), or, when there is none, the farthest negative; loss is the mean over
    positive pairs of ``max(margin + d(a, p) - d(a, n), 0)``.
  * :func:`triplet_hard_loss` / :class:`TripletHardLoss` (Addons ``TripletHardLoss``, batch-hard):
    per anchor the farthest positive and the closest negative; mean over anchors of
    ``max(d_ap - d_an + margin, 0)`` (``soft=True``: ``log1p(exp(d_ap - d_an))``).
  * :func:`triplet_batch_all_loss` / :class:`TripletBatchAllLoss` (batch-all, Hermans et al. 2017;
    not in Addons): every valid triplet (a, p, n distinct, a~p, a!~n); mean of
    ``max(d_ap - d_an + margin, 0)`` over the triplets where it is positive.

- :func:`triplet_batch_stats`: metrics that reveal a collapsing encoder: mean d(a, p), mean
  d(a, n) and the fraction of valid triplets that are still active (loss > 0).

Distances: :func:`pairwise_distance` is Addons' (clipped at 0, sqrt with a 1e-16 guard, exact zeros
on the diagonal); ``"angular"`` is ``1 - cos`` clipped to [0, 2]. Addons divides by the number of
positive pairs even when it is 0 (NaN); here such a batch gives 0.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

DISTANCE_METRICS = ("L2", "squared-L2", "angular")


def triplet_loss(y_true: Any, y_pred: Any, alpha: float = 0.2) -> tf.Tensor:
    """The course's triplet loss.

    Args:
        y_true: unused (Keras passes labels to every loss).
        y_pred: (anchor, positive, negative), each (batch, d); a list or a (3, batch, d) tensor.
        alpha: the margin.

    Returns:
        A scalar: ``sum_batch max(||a - p||^2 - ||a - n||^2 + alpha, 0)``.
    """
    anchor, positive, negative = y_pred[0], y_pred[1], y_pred[2]
    pos_dist = tf.reduce_sum(tf.square(tf.subtract(anchor, positive)), axis=-1)  # (batch,)
    neg_dist = tf.reduce_sum(tf.square(tf.subtract(anchor, negative)), axis=-1)  # (batch,)
    basic_loss = tf.add(tf.subtract(pos_dist, neg_dist), alpha)
    return tf.reduce_sum(tf.maximum(basic_loss, 0.0))


@keras.saving.register_keras_serializable(package="tf_course")
class TripletLoss(keras.losses.Loss):
    """:func:`triplet_loss` as a serializable Keras loss (y_pred: (3, batch, d) or a list of 3)."""

    def __init__(self, alpha: float = 0.2, name: str = "triplet_loss", **kwargs: Any) -> None:
        super().__init__(name=name, reduction=kwargs.pop("reduction", "sum"), **kwargs)
        self.alpha = float(alpha)

    def call(self, y_true: Any, y_pred: Any) -> tf.Tensor:
        return triplet_loss(y_true, y_pred, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


# ----------------------------------------------------------------------------- online mining


def pairwise_distance(embeddings: tf.Tensor, squared: bool = False) -> tf.Tensor:
    """(batch, d) -> (batch, batch) Euclidean (or squared) distances, Addons' ``pairwise_distance``."""
    e = tf.cast(embeddings, tf.float32)
    squares = tf.reduce_sum(tf.square(e), axis=1, keepdims=True)  # (batch, 1)
    d2 = squares + tf.transpose(squares) - 2.0 * tf.matmul(e, e, transpose_b=True)
    d2 = tf.maximum(d2, 0.0)
    error_mask = tf.less_equal(d2, 0.0)
    dist = d2 if squared else tf.sqrt(d2 + tf.cast(error_mask, tf.float32) * 1e-16)
    dist = dist * tf.cast(tf.logical_not(error_mask), tf.float32)
    n = tf.shape(e)[0]
    return dist * (tf.ones_like(dist) - tf.linalg.diag(tf.ones([n])))


def angular_distance(embeddings: tf.Tensor) -> tf.Tensor:
    """(batch, d) -> (batch, batch) ``1 - cos`` in [0, 2], Addons' ``angular_distance``."""
    e = tf.math.l2_normalize(tf.cast(embeddings, tf.float32), axis=1)
    return tf.clip_by_value(1.0 - tf.matmul(e, e, transpose_b=True), 0.0, 2.0)


def distance_matrix(embeddings: tf.Tensor, distance_metric: str = "L2") -> tf.Tensor:
    """(batch, d) -> (batch, batch) distances by name (see :data:`DISTANCE_METRICS`)."""
    if distance_metric == "L2":
        return pairwise_distance(embeddings, squared=False)
    if distance_metric == "squared-L2":
        return pairwise_distance(embeddings, squared=True)
    if distance_metric == "angular":
        return angular_distance(embeddings)
    raise ValueError(f"expected distance_metric in {DISTANCE_METRICS}, found {distance_metric!r}")


def _masked_maximum(data: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
    """Row-wise max of ``data`` over ``mask`` (batch, 1); the row minimum where the mask is empty."""
    minimums = tf.reduce_min(data, axis=1, keepdims=True)
    return tf.reduce_max((data - minimums) * mask, axis=1, keepdims=True) + minimums


def _masked_minimum(data: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
    """Row-wise min of ``data`` over ``mask`` (batch, 1); the row maximum where the mask is empty."""
    maximums = tf.reduce_max(data, axis=1, keepdims=True)
    return tf.reduce_min((data - maximums) * mask, axis=1, keepdims=True) + maximums


def _labels_and_distances(y_true: Any, y_pred: Any, distance_metric: str) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Labels (batch,) and embeddings (batch, d) -> (adjacency bool, pdist, batch size)."""
    labels = tf.reshape(tf.convert_to_tensor(y_true), [-1, 1])
    pdist = distance_matrix(y_pred, distance_metric)
    adjacency = tf.equal(labels, tf.transpose(labels))  # (batch, batch), True on the diagonal
    return adjacency, pdist, tf.shape(pdist)[0]


def triplet_semihard_loss(y_true: Any, y_pred: Any, margin: float = 1.0, distance_metric: str = "L2") -> tf.Tensor:
    """Semi-hard mining (Addons ``triplet_semihard_loss``); labels (batch,), embeddings (batch, d) -> scalar."""
    adjacency, pdist, n = _labels_and_distances(y_true, y_pred, distance_metric)
    adjacency_not = tf.logical_not(adjacency)
    # farther[a, p, k]: k is a negative of a with d(a, k) > d(a, p)
    farther = tf.logical_and(adjacency_not[:, None, :], pdist[:, None, :] > pdist[:, :, None])
    farther_f = tf.cast(farther, tf.float32)
    has_farther = tf.reduce_any(farther, axis=2)  # (a, p)
    row_max = tf.reduce_max(pdist, axis=1, keepdims=True)[:, :, None]  # (a, 1, 1)
    outside = tf.reduce_min((pdist[:, None, :] - row_max) * farther_f, axis=2) + row_max[:, :, 0]  # (a, p)
    inside = tf.tile(_masked_maximum(pdist, tf.cast(adjacency_not, tf.float32)), [1, n])  # (a, p)
    negatives = tf.where(has_farther, outside, inside)
    loss_mat = margin + pdist - negatives
    mask_positives = tf.cast(adjacency, tf.float32) - tf.linalg.diag(tf.ones([n]))
    num_positives = tf.reduce_sum(mask_positives)
    return tf.math.divide_no_nan(tf.reduce_sum(tf.maximum(loss_mat * mask_positives, 0.0)), num_positives)


def triplet_hard_loss(y_true: Any, y_pred: Any, margin: float = 1.0, soft: bool = False,
                      distance_metric: str = "L2") -> tf.Tensor:
    """Batch-hard mining (Addons ``triplet_hard_loss``); labels (batch,), embeddings (batch, d) -> scalar."""
    adjacency, pdist, n = _labels_and_distances(y_true, y_pred, distance_metric)
    mask_positives = tf.cast(adjacency, tf.float32) - tf.linalg.diag(tf.ones([n]))
    hard_positives = _masked_maximum(pdist, mask_positives)
    hard_negatives = _masked_minimum(pdist, tf.cast(tf.logical_not(adjacency), tf.float32))
    if soft:
        loss = tf.math.log1p(tf.exp(hard_positives - hard_negatives))
    else:
        loss = tf.maximum(hard_positives - hard_negatives + margin, 0.0)
    return tf.reduce_mean(loss)


def _valid_triplets(adjacency: tf.Tensor, n: tf.Tensor) -> tf.Tensor:
    """(a, p, n) float mask of valid triplets: a != p, labels a == p, labels a != n."""
    not_eye = tf.logical_not(tf.cast(tf.eye(n), tf.bool))
    positive = tf.logical_and(adjacency, not_eye)  # (a, p)
    return tf.cast(tf.logical_and(positive[:, :, None], tf.logical_not(adjacency)[:, None, :]), tf.float32)


def triplet_batch_all_loss(y_true: Any, y_pred: Any, margin: float = 1.0, distance_metric: str = "L2") -> tf.Tensor:
    """Batch-all: mean of the positive losses ``max(d_ap - d_an + margin, 0)`` over all valid triplets."""
    adjacency, pdist, n = _labels_and_distances(y_true, y_pred, distance_metric)
    losses = tf.maximum((pdist[:, :, None] - pdist[:, None, :] + margin) * _valid_triplets(adjacency, n), 0.0)
    active = tf.reduce_sum(tf.cast(losses > 1e-16, tf.float32))
    return tf.math.divide_no_nan(tf.reduce_sum(losses), active)


def triplet_batch_stats(y_true: Any, y_pred: Any, margin: float = 1.0,
                        distance_metric: str = "L2") -> dict[str, tf.Tensor]:
    """Collapse metrics of a labelled batch: ``{"d_ap", "d_an", "active_fraction"}`` (scalars).

    ``d_ap``/``d_an``: mean distance over positive pairs (a != p) / negative pairs; a collapsed
    encoder has both near 0. ``active_fraction``: share of valid triplets with
    ``d_ap - d_an + margin > 0`` (1.0 at collapse, falls as the encoder separates identities).
    """
    adjacency, pdist, n = _labels_and_distances(y_true, y_pred, distance_metric)
    pos = tf.cast(adjacency, tf.float32) - tf.linalg.diag(tf.ones([n]))
    neg = 1.0 - tf.cast(adjacency, tf.float32)
    valid = _valid_triplets(adjacency, n)
    active = tf.cast(pdist[:, :, None] - pdist[:, None, :] + margin > 0.0, tf.float32) * valid
    return {
        "d_ap": tf.math.divide_no_nan(tf.reduce_sum(pdist * pos), tf.reduce_sum(pos)),
        "d_an": tf.math.divide_no_nan(tf.reduce_sum(pdist * neg), tf.reduce_sum(neg)),
        "active_fraction": tf.math.divide_no_nan(tf.reduce_sum(active), tf.reduce_sum(valid)),
    }


class _MiningLoss(keras.losses.Loss):
    """Base of the serializable mining losses: labels (batch,) and embeddings (batch, d) -> scalar."""

    def __init__(self, margin: float = 1.0, distance_metric: str = "L2", name: str | None = None,
                 **kwargs: Any) -> None:
        if distance_metric not in DISTANCE_METRICS:
            raise ValueError(f"{type(self).__name__}: expected distance_metric in {DISTANCE_METRICS}, "
                             f"found {distance_metric!r}")
        super().__init__(name=name, reduction=kwargs.pop("reduction", "sum_over_batch_size"), **kwargs)
        self.margin = float(margin)
        self.distance_metric = distance_metric

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "margin": self.margin, "distance_metric": self.distance_metric}


@keras.saving.register_keras_serializable(package="tf_course")
class TripletSemiHardLoss(_MiningLoss):
    """:func:`triplet_semihard_loss` (Addons ``TripletSemiHardLoss``)."""

    def __init__(self, margin: float = 1.0, distance_metric: str = "L2", name: str = "triplet_semihard_loss",
                 **kwargs: Any) -> None:
        super().__init__(margin, distance_metric, name, **kwargs)

    def call(self, y_true: Any, y_pred: Any) -> tf.Tensor:
        return triplet_semihard_loss(y_true, y_pred, self.margin, self.distance_metric)


@keras.saving.register_keras_serializable(package="tf_course")
class TripletHardLoss(_MiningLoss):
    """:func:`triplet_hard_loss` (Addons ``TripletHardLoss``)."""

    def __init__(self, margin: float = 1.0, soft: bool = False, distance_metric: str = "L2",
                 name: str = "triplet_hard_loss", **kwargs: Any) -> None:
        super().__init__(margin, distance_metric, name, **kwargs)
        self.soft = bool(soft)

    def call(self, y_true: Any, y_pred: Any) -> tf.Tensor:
        return triplet_hard_loss(y_true, y_pred, self.margin, self.soft, self.distance_metric)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "soft": self.soft}


@keras.saving.register_keras_serializable(package="tf_course")
class TripletBatchAllLoss(_MiningLoss):
    """:func:`triplet_batch_all_loss`."""

    def __init__(self, margin: float = 1.0, distance_metric: str = "L2", name: str = "triplet_batch_all_loss",
                 **kwargs: Any) -> None:
        super().__init__(margin, distance_metric, name, **kwargs)

    def call(self, y_true: Any, y_pred: Any) -> tf.Tensor:
        return triplet_batch_all_loss(y_true, y_pred, self.margin, self.distance_metric)
