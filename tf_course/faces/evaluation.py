"""LFW-style verification evaluation: identity-disjoint folds of matched and mismatched pairs.

As LFW's "View 2": ten folds, each with ``n_match`` pairs of two images of one person and
``n_mismatch`` pairs of two people; the threshold is chosen on nine folds (the one of highest
accuracy there) and applied to the tenth. Folds draw from disjoint sets of identities, none of them
seen in training. Pure NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Pairs:
    """Pairs of image indices with their fold and whether they show one person."""

    first: np.ndarray
    second: np.ndarray
    same: np.ndarray  # bool
    fold: np.ndarray  # int


def make_pairs(labels: np.ndarray, n_folds: int = 10, n_match: int = 300, n_mismatch: int = 300,
               seed: int = 0) -> Pairs:
    """Draw LFW-style pairs from images with identity ``labels`` (n,).

    Identities are split into ``n_folds`` disjoint groups; fold k's pairs use only group k's images.
    Each identity needs at least two images.
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng([int(seed), 5150])
    ids = rng.permutation(np.unique(labels))
    if len(ids) < 2 * n_folds:
        raise ValueError(f"make_pairs: expected at least {2 * n_folds} identities for {n_folds} folds, "
                         f"found {len(ids)}")
    by_id = {i: np.flatnonzero(labels == i) for i in ids}
    if min(len(v) for v in by_id.values()) < 2:
        raise ValueError("make_pairs: expected at least 2 images per identity, found fewer")
    first, second, same, fold = [], [], [], []
    for k, group in enumerate(np.array_split(ids, n_folds)):
        for _ in range(n_match):
            a, b = rng.choice(by_id[rng.choice(group)], 2, replace=False)
            first.append(a), second.append(b), same.append(True), fold.append(k)
        for _ in range(n_mismatch):
            p, q = rng.choice(group, 2, replace=False)
            first.append(rng.choice(by_id[p])), second.append(rng.choice(by_id[q])), same.append(False), fold.append(k)
    return Pairs(np.array(first), np.array(second), np.array(same), np.array(fold))


def pair_distances(embeddings: np.ndarray, pairs: Pairs) -> np.ndarray:
    """L2 distance of every pair (n_pairs,)."""
    e = np.asarray(embeddings, dtype=np.float64)
    return np.linalg.norm(e[pairs.first] - e[pairs.second], axis=1)


def best_threshold(distances: np.ndarray, same: np.ndarray) -> float:
    """The threshold t of highest accuracy for ``same = distance < t`` (midpoints between sorted distances)."""
    d = np.sort(np.unique(distances))
    candidates = np.concatenate([[d[0] - 1e-6], (d[:-1] + d[1:]) / 2, [d[-1] + 1e-6]])
    order = np.argsort(distances)
    # accuracy at each candidate via cumulative counts: accepted = distances < t
    sorted_d, sorted_same = distances[order], same[order].astype(np.int64)
    accepted = np.searchsorted(sorted_d, candidates, side="left")
    tp = np.concatenate([[0], np.cumsum(sorted_same)])[accepted]
    fp = accepted - tp
    tn = (len(same) - same.sum()) - fp
    accuracy = (tp + tn) / len(same)
    return float(candidates[int(np.argmax(accuracy))])


def roc_auc(distances: np.ndarray, same: np.ndarray) -> float:
    """Area under the ROC curve of the score ``-distance`` (Mann-Whitney, ties count half)."""
    scores = -np.asarray(distances, dtype=np.float64)
    same = np.asarray(same, dtype=bool)
    n_pos, n_neg = int(same.sum()), int((~same).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"roc_auc: expected matched and mismatched pairs, found {n_pos} and {n_neg}")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    # average ranks for ties
    _, start, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    avg = start + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[same].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def roc_curve(distances: np.ndarray, same: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(far, tar, thresholds): accept ``distance < t`` for every distinct t, increasing."""
    d = np.asarray(distances, dtype=np.float64)
    same = np.asarray(same, dtype=bool)
    thresholds = np.concatenate([[-np.inf], np.sort(np.unique(d)), [np.inf]])
    far = np.array([np.mean(d[~same] < t) for t in thresholds])
    tar = np.array([np.mean(d[same] < t) for t in thresholds])
    return far, tar, thresholds


def tar_at_far(distances: np.ndarray, same: np.ndarray, far: float = 1e-3) -> tuple[float, float]:
    """(TAR, threshold) at the largest threshold whose false accept rate is at most ``far``."""
    d = np.asarray(distances, dtype=np.float64)
    same = np.asarray(same, dtype=bool)
    impostors = np.sort(d[~same])
    allowed = int(np.floor(far * len(impostors)))  # accepted impostors allowed (accept: d < t)
    threshold = float(impostors[allowed]) if allowed < len(impostors) else float(np.inf)
    return float(np.mean(d[same] < threshold)), threshold


@dataclass
class VerificationReport:
    """The LFW-style figures of one evaluation."""

    accuracy_mean: float
    accuracy_std: float
    fold_accuracies: list[float]
    fold_thresholds: list[float]
    threshold: float  # chosen on all folds (the verifier's)
    roc_auc: float
    tar_at_far_1e_3: float
    far_1e_3_threshold: float
    n_pairs: int
    curve: dict[str, list[float]] = field(default_factory=dict)

    def metrics(self) -> dict[str, float | int | list[float]]:
        """The pipeline's metrics keys."""
        return {"verification_accuracy": self.accuracy_mean, "verification_accuracy_std": self.accuracy_std,
                "roc_auc": self.roc_auc, "tar_at_far_1e-3": self.tar_at_far_1e_3, "threshold": self.threshold,
                "fold_thresholds": self.fold_thresholds, "eval_pairs": self.n_pairs}


def evaluate_verification(embeddings: np.ndarray, pairs: Pairs) -> VerificationReport:
    """Ten-fold (``pairs.fold``) verification: threshold on the other folds, accuracy on each."""
    d = pair_distances(embeddings, pairs)
    folds = np.unique(pairs.fold)
    accs, thresholds = [], []
    for k in folds:
        test = pairs.fold == k
        t = best_threshold(d[~test], pairs.same[~test])
        thresholds.append(t)
        accs.append(float(np.mean((d[test] < t) == pairs.same[test])))
    tar, far_t = tar_at_far(d, pairs.same, 1e-3)
    far, tar_curve, _ = roc_curve(d, pairs.same)
    keep = np.unique(np.linspace(0, len(far) - 1, min(len(far), 200)).astype(int))
    return VerificationReport(
        accuracy_mean=float(np.mean(accs)), accuracy_std=float(np.std(accs)), fold_accuracies=accs,
        fold_thresholds=[float(t) for t in thresholds], threshold=best_threshold(d, pairs.same),
        roc_auc=roc_auc(d, pairs.same), tar_at_far_1e_3=tar, far_1e_3_threshold=far_t, n_pairs=len(d),
        curve={"far": far[keep].tolist(), "tar": tar_curve[keep].tolist()})
