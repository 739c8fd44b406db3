"""Vectorised word-vector operations in TensorFlow: a whole vocabulary and a batch of questions at once.

The NumPy course versions (:mod:`tf_course.scratch.word_vectors`) loop over the vocabulary in
Python, one question at a time. Here a batch of Q questions against a vocabulary matrix E (V, n)
is one matrix product (V, n) x (n, 2Q) (questions are processed in chunks of ``batch_size`` to
bound memory: V x 2 x batch_size floats), then a masked ``argmax`` / ``top_k``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf


def _as_tensor(x: np.ndarray | tf.Tensor, dtype: tf.DType | str) -> tf.Tensor:
    return tf.convert_to_tensor(x, dtype=dtype)


def normalize_rows(matrix: np.ndarray | tf.Tensor, dtype: tf.DType | str = tf.float32) -> tf.Tensor:
    """Each row divided by its L2 norm (zero rows stay zero); shape (V, n)."""
    m = _as_tensor(matrix, dtype)
    norms = tf.norm(m, axis=-1, keepdims=True)
    return tf.math.divide_no_nan(m, norms)


def cosine_similarity_matrix(queries: np.ndarray | tf.Tensor, matrix: np.ndarray | tf.Tensor,
                             dtype: tf.DType | str = tf.float32) -> tf.Tensor:
    """Cosine of every query (Q, n) with every row of ``matrix`` (V, n): (Q, V); 0 for zero vectors."""
    return tf.matmul(normalize_rows(queries, dtype), normalize_rows(matrix, dtype), transpose_b=True)


def nearest_neighbours(
    matrix: np.ndarray | tf.Tensor, query_rows: Sequence[int] | np.ndarray, k: int = 5,
    exclude_self: bool = True, dtype: tf.DType | str = tf.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``matrix`` most cosine-similar to each query row.

    Args:
        matrix: the vocabulary's vectors (V, n).
        query_rows: row indices of the query words (Q,).
        exclude_self: leave each query word out of its own neighbours.

    Returns:
        (indices (Q, k) int, cosines (Q, k)), best first.
    """
    normed = normalize_rows(matrix, dtype)
    rows = tf.constant(np.asarray(query_rows, dtype=np.int64))
    sims = tf.matmul(tf.gather(normed, rows), normed, transpose_b=True)  # (Q, V)
    if exclude_self:
        mask = tf.one_hot(rows, tf.shape(normed)[0], on_value=True, off_value=False, dtype=tf.bool)
        sims = tf.where(mask, tf.constant(-np.inf, sims.dtype), sims)
    values, indices = tf.math.top_k(sims, k=k)
    return indices.numpy(), values.numpy()


def _exclusion_mask(abc: tf.Tensor, vocab: tf.Tensor) -> tf.Tensor:
    """(Q, V) True where a vocabulary row is one of the question's input words (Q, 3)."""
    return tf.reduce_any(tf.one_hot(abc, vocab, on_value=True, off_value=False, dtype=tf.bool), axis=1)


@tf.function(reduce_retracing=True)
def _course_scores(matrix: tf.Tensor, sq_norms: tf.Tensor, abc: tf.Tensor) -> tf.Tensor:
    """cos(e_b - e_a, e_w - e_c) for every word w and question (a, b, c): (Q, V), inputs masked -inf."""
    e_a, e_b, e_c = (tf.gather(matrix, abc[:, i]) for i in range(3))
    d = e_b - e_a  # (Q, n)
    products = tf.matmul(tf.concat([d, e_c], axis=0), matrix, transpose_b=True)  # (2Q, V): the one product
    q = tf.shape(abc)[0]
    e_w_dot_d, e_w_dot_c = products[:q], products[q:]
    numerator = e_w_dot_d - tf.reduce_sum(e_c * d, axis=1, keepdims=True)  # (e_w - e_c).d
    dist2 = sq_norms[None, :] - 2.0 * e_w_dot_c + tf.reduce_sum(e_c * e_c, axis=1, keepdims=True)  # ||e_w - e_c||^2
    denominator = tf.sqrt(tf.maximum(dist2, 0.0)) * tf.norm(d, axis=1, keepdims=True)
    scores = tf.math.divide_no_nan(numerator, denominator)  # the course's cosine is 0 for a zero vector
    mask = _exclusion_mask(abc, tf.shape(matrix)[0])
    return tf.where(mask, tf.constant(-np.inf, scores.dtype), scores)


@tf.function(reduce_retracing=True)
def _cos_add_scores(normed: tf.Tensor, abc: tf.Tensor) -> tf.Tensor:
    """3CosAdd (gensim's most_similar): cos(w, b^ + c^ - a^) for every word w: (Q, V), inputs masked -inf."""
    e_a, e_b, e_c = (tf.gather(normed, abc[:, i]) for i in range(3))
    target = tf.math.l2_normalize(e_b + e_c - e_a, axis=1)
    scores = tf.matmul(target, normed, transpose_b=True)
    mask = _exclusion_mask(abc, tf.shape(normed)[0])
    return tf.where(mask, tf.constant(-np.inf, scores.dtype), scores)


def analogy_scores(
    matrix: np.ndarray | tf.Tensor, questions: np.ndarray, method: str = "course",
    dtype: tf.DType | str = tf.float32,
) -> tf.Tensor:
    """Scores (Q, V) of every vocabulary word as the answer of each question (rows a, b, c) (Q, 3).

    ``method``: ``"course"`` = cos(e_b - e_a, e_w - e_c) (``complete_analogy``); ``"3cosadd"`` =
    cos(e_w, ^e_b + ^e_c - ^e_a) on unit vectors (word2vec / gensim). Input words score -inf.
    """
    abc = tf.constant(np.asarray(questions, dtype=np.int32).reshape(-1, 3))
    if method == "course":
        m = _as_tensor(matrix, dtype)
        return _course_scores(m, tf.reduce_sum(m * m, axis=1), abc)
    if method == "3cosadd":
        return _cos_add_scores(normalize_rows(matrix, dtype), abc)
    raise ValueError(f"analogy method: expected 'course' or '3cosadd', found {method!r}")


def complete_analogies(
    matrix: np.ndarray | tf.Tensor, questions: np.ndarray, method: str = "course", k: int = 1,
    batch_size: int = 256, dtype: tf.DType | str = tf.float32,
) -> np.ndarray:
    """The best ``k`` answers (row indices) of each analogy question a:b :: c:?, best first.

    Args:
        matrix: the vocabulary's vectors (V, n), rows in vocabulary order (ties go to the first row,
            as in the course's loop).
        questions: row indices (Q, 3) of a, b, c.
        method: see :func:`analogy_scores`.
        k: answers per question.
        batch_size: questions per matrix product (memory V x 2 x batch_size floats).

    Returns:
        int array (Q, k); (Q,) when ``k == 1``.
    """
    questions = np.asarray(questions, dtype=np.int64).reshape(-1, 3)
    m = _as_tensor(matrix, dtype)
    normed = normalize_rows(m, dtype) if method == "3cosadd" else None
    sq_norms = tf.reduce_sum(m * m, axis=1)
    out = []
    for start in range(0, len(questions), batch_size):
        abc = tf.constant(questions[start:start + batch_size].astype(np.int32))
        if method == "course":
            scores = _course_scores(m, sq_norms, abc)
        elif method == "3cosadd":
            scores = _cos_add_scores(normed, abc)
        else:
            raise ValueError(f"analogy method: expected 'course' or '3cosadd', found {method!r}")
        best = tf.argmax(scores, axis=1)[:, None] if k == 1 else tf.math.top_k(scores, k=k).indices
        out.append(best.numpy())
    result = np.concatenate(out, axis=0) if out else np.zeros((0, k), np.int64)
    return result[:, 0] if k == 1 else result


def complete_analogy_words(
    words: Sequence[str], matrix: np.ndarray, triples: Sequence[tuple[str, str, str]], method: str = "course",
    dtype: tf.DType | str = tf.float32,
) -> list[str]:
    """:func:`complete_analogies` on words: the answer word of each (a, b, c) (lower-cased, as the course)."""
    row = {w: i for i, w in enumerate(words)}
    questions = np.array([[row[w.lower()] for w in triple] for triple in triples], dtype=np.int64).reshape(-1, 3)
    return [words[i] for i in complete_analogies(matrix, questions, method, dtype=dtype)]


def bias_cosines(matrix: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """Cosine of every row (V, n) with the bias axis (n,): (V,), float64 (0 for a zero row)."""
    m = np.asarray(matrix, dtype=np.float64)
    g = np.asarray(axis, dtype=np.float64)
    norms = np.linalg.norm(m, axis=1) * np.linalg.norm(g)
    return np.divide(m @ g, norms, out=np.zeros(len(m)), where=norms > 0)


def neutralize_rows(matrix: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """The course's ``neutralize`` for every row at once: E - (E g / ||g||^2) g^T, float64 (V, n)."""
    m = np.asarray(matrix, dtype=np.float64)
    g = np.asarray(axis, dtype=np.float64)
    return m - np.outer(m @ g / (g @ g), g)
