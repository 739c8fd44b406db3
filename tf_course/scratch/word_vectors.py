"""C5W2 operations on word vectors and debiasing, in NumPy with the course's formulas (seed 5.2.4).

``word_to_vec_map`` is the course's ``{word: vector (n,)}`` dictionary (GloVe 50-d in the course).
The loops here are the course's (one word at a time); :mod:`tf_course.text.word_vectors.ops` has
the vectorised versions (a whole vocabulary and a batch of questions in one matrix product).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

WordToVec = Mapping[str, np.ndarray]


def cosine_similarity(u: np.ndarray, v: np.ndarray) -> float:
    """u.v / (||u|| ||v||); 0.0 when either norm is 0 (the newer course version).

    Args:
        u, v: vectors of the same shape (n,).
    """
    norm_u = np.sqrt(np.sum(np.multiply(u, u)))
    norm_v = np.sqrt(np.sum(np.multiply(v, v)))
    if norm_u == 0 or norm_v == 0:
        return 0.0
    return float(np.dot(u, v) / (norm_u * norm_v))


def complete_analogy(word_a: str, word_b: str, word_c: str, word_to_vec_map: WordToVec) -> str | None:
    """The word w maximising cos(e_b - e_a, e_w - e_c), the input words excluded (the course's loop).

    Words are lower-cased as in the course; the first word (in the map's order) wins a tie.
    """
    word_a, word_b, word_c = word_a.lower(), word_b.lower(), word_c.lower()
    e_a, e_b, e_c = word_to_vec_map[word_a], word_to_vec_map[word_b], word_to_vec_map[word_c]
    max_cosine_sim = -100.0
    best_word = None
    input_words = {word_a, word_b, word_c}
    for w in word_to_vec_map:
        if w in input_words:
            continue
        cosine_sim = cosine_similarity(e_b - e_a, word_to_vec_map[w] - e_c)
        if cosine_sim > max_cosine_sim:
            max_cosine_sim = cosine_sim
            best_word = w
    return best_word


def bias_component(e: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The projection of ``e`` on the bias axis ``g``: (e.g / ||g||^2) g, shape (n,)."""
    return (np.dot(e, g) / np.sum(np.multiply(g, g))) * g


def neutralize(word: str, g: np.ndarray, word_to_vec_map: WordToVec) -> np.ndarray:
    """e - (e.g / ||g||^2) g: the word's vector with its component along ``g`` removed, shape (n,)."""
    e = np.asarray(word_to_vec_map[word], dtype=np.float64)
    return e - bias_component(e, np.asarray(g, dtype=np.float64))


def equalize(pair: tuple[str, str], bias_axis: np.ndarray, word_to_vec_map: WordToVec) -> tuple[np.ndarray, np.ndarray]:
    """Bolukbasi et al.'s equalization, as the course writes it.

    ``pair`` (e.g. ("man", "woman")) ends up symmetric about the space orthogonal to ``bias_axis``:
    both get the same orthogonal part mu_orth and opposite bias parts, so their cosines with the
    axis are opposite and of equal magnitude.

    Returns:
        (e1, e2), each of shape (n,).
    """
    w1, w2 = pair
    e_w1 = np.asarray(word_to_vec_map[w1], dtype=np.float64)
    e_w2 = np.asarray(word_to_vec_map[w2], dtype=np.float64)
    bias_axis = np.asarray(bias_axis, dtype=np.float64)
    mu = (e_w1 + e_w2) / 2
    mu_b = bias_component(mu, bias_axis)
    mu_orth = mu - mu_b
    e_w1b = bias_component(e_w1, bias_axis)
    e_w2b = bias_component(e_w2, bias_axis)
    scale = np.sqrt(np.abs(1 - np.sum(mu_orth ** 2)))
    corrected_e_w1b = scale * (e_w1b - mu_b) / np.linalg.norm((e_w1 - mu_orth) - mu_b)
    corrected_e_w2b = scale * (e_w2b - mu_b) / np.linalg.norm((e_w2 - mu_orth) - mu_b)
    return corrected_e_w1b + mu_orth, corrected_e_w2b + mu_orth
