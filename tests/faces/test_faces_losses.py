"""Triplet losses: the course's values, and the mining losses against a NumPy reference of Addons' definitions."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.faces.losses import (
    TripletBatchAllLoss,
    TripletHardLoss,
    TripletLoss,
    TripletSemiHardLoss,
    pairwise_distance,
    triplet_batch_all_loss,
    triplet_batch_stats,
    triplet_hard_loss,
    triplet_loss,
    triplet_semihard_loss,
)


def test_course_triplet_loss_value():
    tf.random.set_seed(1)
    y_pred = (tf.random.normal([3, 128], mean=6, stddev=0.1, seed=1),
              tf.random.normal([3, 128], mean=1, stddev=1, seed=1),
              tf.random.normal([3, 128], mean=3, stddev=4, seed=1))
    assert float(triplet_loss(None, y_pred)) == pytest.approx(527.2598, abs=1e-3)


@pytest.mark.parametrize(("y_pred", "alpha", "expected"), [
    (([1.0, 1.0], [1.0, 1.0], [1.0, 1.0]), 5, 5.0),
    (([1.0, 1.0], [1.0, 1.0], [0.0, 0.0]), 3, 1.0),
    (([1.0, 1.0], [0.0, 0.0], [1.0, 1.0]), 0, 2.0),
    (([0.0, 0.0], [0.0, 0.0], [0.0, 0.0]), -2, 0.0),
    (([[1.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 1.0]]), 3, 2.0),
])
def test_course_hand_cases(y_pred, alpha, expected):
    assert float(triplet_loss(None, y_pred, alpha)) == pytest.approx(expected)
    assert float(TripletLoss(alpha)(np.zeros(1), tf.constant(y_pred))) == pytest.approx(expected)


def test_triplet_loss_classes_serialize():
    for loss in (TripletLoss(0.3), TripletSemiHardLoss(0.4, "squared-L2"), TripletHardLoss(0.2, soft=True),
                 TripletBatchAllLoss(0.7, "angular")):
        clone = keras.losses.deserialize(keras.losses.serialize(loss))
        assert type(clone) is type(loss) and clone.get_config() == loss.get_config()
    with pytest.raises(ValueError, match="expected distance_metric"):
        TripletHardLoss(distance_metric="cosine")


# ---------------------------------------------------------------- NumPy reference of the Addons definitions

def _np_dist(e, metric):
    e = np.asarray(e, np.float64)
    if metric == "angular":
        u = e / np.linalg.norm(e, axis=1, keepdims=True)
        return np.clip(1.0 - u @ u.T, 0.0, 2.0)
    d2 = np.sum((e[:, None] - e[None]) ** 2, axis=-1)
    return d2 if metric == "squared-L2" else np.sqrt(d2)


def np_semihard(labels, e, margin, metric):
    d = _np_dist(e, metric)
    n = len(labels)
    losses = []
    for a in range(n):
        negs = [d[a, k] for k in range(n) if labels[k] != labels[a]]
        for p in range(n):
            if p == a or labels[p] != labels[a]:
                continue
            farther = [x for x in negs if x > d[a, p]]
            dn = min(farther) if farther else (max(negs) if negs else 0.0)
            losses.append(max(margin + d[a, p] - dn, 0.0))
    return np.mean(losses) if losses else 0.0


def np_hard(labels, e, margin, metric, soft=False):
    d = _np_dist(e, metric)
    n = len(labels)
    out = []
    for a in range(n):
        pos = [d[a, p] for p in range(n) if p != a and labels[p] == labels[a]]
        neg = [d[a, k] for k in range(n) if labels[k] != labels[a]]
        hp = max(pos) if pos else d[a].min()
        hn = min(neg) if neg else d[a].max()
        out.append(np.log1p(np.exp(hp - hn)) if soft else max(hp - hn + margin, 0.0))
    return np.mean(out)


def np_batch_all(labels, e, margin, metric):
    d = _np_dist(e, metric)
    n = len(labels)
    losses = [max(d[a, p] - d[a, k] + margin, 0.0) for a in range(n) for p in range(n) for k in range(n)
              if a != p and labels[a] == labels[p] and labels[a] != labels[k]]
    positive = [x for x in losses if x > 1e-16]
    return np.mean(positive) if positive else 0.0


def _batches():
    rng = np.random.default_rng(0)
    labels = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3])
    yield labels, rng.normal(size=(12, 8)).astype(np.float32)
    unit = rng.normal(size=(10, 16))
    unit = unit / np.linalg.norm(unit, axis=1, keepdims=True)
    yield np.array([0, 1, 0, 1, 2, 2, 3, 4, 4, 0]), unit.astype(np.float32)
    clustered = np.repeat(rng.normal(size=(3, 4)), 3, axis=0) * 3 + rng.normal(size=(9, 4)) * 0.2
    yield np.repeat([5, 7, 9], 3), clustered.astype(np.float32)


@pytest.mark.parametrize("metric", ["L2", "squared-L2", "angular"])
@pytest.mark.parametrize("margin", [1.0, 0.2])
def test_mining_losses_equal_numpy_reference(metric, margin):
    for labels, e in _batches():
        np.testing.assert_allclose(float(triplet_semihard_loss(labels, e, margin, metric)),
                                   np_semihard(labels, e, margin, metric), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(float(triplet_hard_loss(labels, e, margin, False, metric)),
                                   np_hard(labels, e, margin, metric), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(float(triplet_hard_loss(labels, e, margin, True, metric)),
                                   np_hard(labels, e, margin, metric, soft=True), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(float(triplet_batch_all_loss(labels, e, margin, metric)),
                                   np_batch_all(labels, e, margin, metric), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(float(TripletSemiHardLoss(margin, metric)(labels, e)),
                                   np_semihard(labels, e, margin, metric), rtol=1e-4, atol=1e-4)


def test_pairwise_distance_zero_diagonal_and_duplicates():
    e = np.array([[1.0, 2.0], [1.0, 2.0], [4.0, 6.0]], np.float32)
    d = pairwise_distance(e).numpy()
    np.testing.assert_allclose(d, [[0, 0, 5], [0, 0, 5], [5, 5, 0]], atol=1e-6)
    x = tf.Variable(e)
    with tf.GradientTape() as tape:
        loss = triplet_semihard_loss(np.array([0, 0, 1]), x)
    assert np.all(np.isfinite(tape.gradient(loss, x).numpy()))  # the 1e-16 guard: no NaN at d = 0


def test_collapse_metrics():
    labels = np.array([0, 0, 1, 1])
    collapsed = np.tile([[1.0, 0.0]], (4, 1)).astype(np.float32)
    stats = {k: float(v) for k, v in triplet_batch_stats(labels, collapsed, margin=0.5).items()}
    assert stats == pytest.approx({"d_ap": 0.0, "d_an": 0.0, "active_fraction": 1.0})
    separated = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], np.float32)
    stats = {k: float(v) for k, v in triplet_batch_stats(labels, separated, margin=0.5).items()}
    assert stats == pytest.approx({"d_ap": 0.0, "d_an": np.sqrt(2.0), "active_fraction": 0.0})
