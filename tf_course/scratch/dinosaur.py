"""C5W1 Dinosaur Island: the course's character-level RNN language model in NumPy.

Vocabulary: ``'\\n' -> 0``, ``'a'..'z' -> 1..26`` (:func:`vocabulary`). A name is trained as
``X = [None] + indices`` (``None``: the zero input vector) and ``Y = indices + [newline]``.

The course's ``utils`` helpers are here too (:func:`rnn_step_forward`, :func:`rnn_forward`,
:func:`rnn_backward`, :func:`update_parameters`, :func:`smooth`, :func:`get_initial_loss`,
:func:`initialize_parameters`), with its parameter keys ``Wax (n_a, vocab)``, ``Waa (n_a, n_a)``,
``Wya (vocab, n_a)``, ``b (n_a, 1)``, ``by (vocab, 1)``. The course's seeding is kept:
:func:`initialize_parameters` seeds 1; :func:`sample` seeds ``counter + seed`` before each draw;
:func:`model` seeds 0 before shuffling the names, and samples ``dino_names`` names with seeds
``0, 1, ...`` at each report. This reproduces the course's losses and sampled names to iteration
14,000 (later ones depend on the floating-point platform).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from tf_course.scratch.rnn import softmax

Parameters = dict[str, np.ndarray]
NEWLINE = "\n"
MAX_SAMPLE_LENGTH = 50


def vocabulary(text: str | None = None) -> tuple[dict[str, int], dict[int, str]]:
    """``(char_to_ix, ix_to_char)`` of the sorted characters of ``text`` (default: newline and a-z)."""
    chars = sorted(set(text)) if text is not None else [NEWLINE] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    return {ch: i for i, ch in enumerate(chars)}, dict(enumerate(chars))


def initialize_parameters(n_a: int, n_x: int, n_y: int) -> Parameters:
    """The course's initialization: ``np.random.seed(1)``, then ``Wax, Waa, Wya = randn * 0.01``, zero biases."""
    np.random.seed(1)
    return {
        "Wax": np.random.randn(n_a, n_x) * 0.01,
        "Waa": np.random.randn(n_a, n_a) * 0.01,
        "Wya": np.random.randn(n_y, n_a) * 0.01,
        "b": np.zeros((n_a, 1)),
        "by": np.zeros((n_y, 1)),
    }


def clip(gradients: dict[str, np.ndarray], maxValue: float) -> dict[str, np.ndarray]:
    """Clip ``dWaa, dWax, dWya, db, dby`` to ``[-maxValue, maxValue]`` in place; returns ``gradients``."""
    for key in ("dWaa", "dWax", "dWya", "db", "dby"):
        np.clip(gradients[key], -maxValue, maxValue, out=gradients[key])
    return gradients


def sample(parameters: Mapping[str, np.ndarray], char_to_ix: Mapping[str, int], seed: int) -> list[int]:
    """Sample a name's character indices, as the course: seed ``counter + seed`` before each draw.

    Starts from ``x = 0`` and ``a = 0``; each step draws from ``softmax(Wya a + by)`` with
    ``np.random.choice``, then ``seed`` and ``counter`` both grow by 1. Stops at the newline or
    after 50 characters (then a newline is appended).
    """
    Waa, Wax, Wya, by, b = (parameters[k] for k in ("Waa", "Wax", "Wya", "by", "b"))
    vocab_size, n_a = by.shape[0], Waa.shape[1]
    x, a_prev = np.zeros((vocab_size, 1)), np.zeros((n_a, 1))
    indices: list[int] = []
    idx, counter, newline = -1, 0, char_to_ix[NEWLINE]
    while idx != newline and counter != MAX_SAMPLE_LENGTH:
        a = np.tanh(Wax @ x + Waa @ a_prev + b)
        y = softmax(Wya @ a + by)
        np.random.seed(counter + seed)
        idx = int(np.random.choice(range(vocab_size), p=y.ravel()))
        indices.append(idx)
        x = np.zeros((vocab_size, 1))
        x[idx] = 1
        a_prev = a
        seed += 1
        counter += 1
    if counter == MAX_SAMPLE_LENGTH:
        indices.append(newline)
    return indices


def get_sample(sample_ix: Sequence[int], ix_to_char: Mapping[int, str]) -> str:
    """The sampled text with its first letter capitalized (the course's ``get_sample``/``print_sample``)."""
    text = "".join(ix_to_char[i] for i in sample_ix)
    return text[:1].upper() + text[1:]


def rnn_step_forward(parameters: Mapping[str, np.ndarray], a_prev: np.ndarray, x: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """``a_next = tanh(Wax x + Waa a_prev + b)``, ``p_t = softmax(Wya a_next + by)``; all column vectors."""
    a_next = np.tanh(parameters["Wax"] @ x + parameters["Waa"] @ a_prev + parameters["b"])
    return a_next, softmax(parameters["Wya"] @ a_next + parameters["by"])


def rnn_forward(X: Sequence[int | None], Y: Sequence[int], a0: np.ndarray, parameters: Mapping[str, np.ndarray],
                vocab_size: int = 27) -> tuple[float, tuple[dict, dict, dict]]:
    """The course's ``utils.rnn_forward``: cross-entropy ``loss`` of ``Y`` and cache ``(y_hat, a, x)``.

    ``a``, ``x`` and ``y_hat`` are dicts keyed by the step (``a[-1] = a0``).
    """
    x: dict[int, np.ndarray] = {}
    a: dict[int, np.ndarray] = {-1: np.copy(a0)}
    y_hat: dict[int, np.ndarray] = {}
    loss = 0.0
    for t in range(len(X)):
        x[t] = np.zeros((vocab_size, 1))
        if X[t] is not None:
            x[t][X[t]] = 1
        a[t], y_hat[t] = rnn_step_forward(parameters, a[t - 1], x[t])
        loss -= np.log(y_hat[t][Y[t], 0])
    return float(loss), (y_hat, a, x)


def rnn_step_backward(dy: np.ndarray, gradients: dict[str, np.ndarray], parameters: Mapping[str, np.ndarray],
                      x: np.ndarray, a: np.ndarray, a_prev: np.ndarray) -> dict[str, np.ndarray]:
    """Accumulate one step's gradients into ``gradients`` (and set its ``da_next``)."""
    gradients["dWya"] += dy @ a.T
    gradients["dby"] += dy
    da = parameters["Wya"].T @ dy + gradients["da_next"]
    daraw = (1 - a * a) * da
    gradients["db"] += daraw
    gradients["dWax"] += daraw @ x.T
    gradients["dWaa"] += daraw @ a_prev.T
    gradients["da_next"] = parameters["Waa"].T @ daraw
    return gradients


def rnn_backward(X: Sequence[int | None], Y: Sequence[int], parameters: Mapping[str, np.ndarray],
                 cache: tuple[dict, dict, dict]) -> tuple[dict[str, np.ndarray], dict]:
    """The course's ``utils.rnn_backward``: ``(gradients, a)``, gradients ``dWax, dWaa, dWya, db, dby, da_next``."""
    y_hat, a, x = cache
    gradients = {f"d{k}": np.zeros_like(parameters[k]) for k in ("Wax", "Waa", "Wya", "b", "by")}
    gradients["da_next"] = np.zeros_like(a[0])
    for t in reversed(range(len(X))):
        dy = np.copy(y_hat[t])
        dy[Y[t]] -= 1
        gradients = rnn_step_backward(dy, gradients, parameters, x[t], a[t], a[t - 1])
    return gradients, a


def update_parameters(parameters: Parameters, gradients: Mapping[str, np.ndarray], lr: float) -> Parameters:
    """Gradient-descent step in place (``W += -lr * dW``); returns ``parameters``."""
    for key in ("Wax", "Waa", "Wya", "b", "by"):
        parameters[key] += -lr * gradients["d" + key]
    return parameters


def optimize(X: Sequence[int | None], Y: Sequence[int], a_prev: np.ndarray, parameters: Parameters,
             learning_rate: float = 0.01) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """One training step: forward, backward, ``clip(5)``, update (in place).

    Returns:
        ``(loss, gradients, a[len(X) - 1])``, the last hidden state ``(n_a, 1)``.
    """
    vocab_size = parameters["by"].shape[0]
    loss, cache = rnn_forward(X, Y, a_prev, parameters, vocab_size)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    gradients = clip(gradients, 5)
    parameters = update_parameters(parameters, gradients, learning_rate)
    return loss, gradients, a[len(X) - 1]


def smooth(loss: float, cur_loss: float) -> float:
    """The course's exponential smoothing ``0.999 * loss + 0.001 * cur_loss``."""
    return loss * 0.999 + cur_loss * 0.001


def get_initial_loss(vocab_size: int, seq_length: int) -> float:
    """``-log(1 / vocab_size) * seq_length``, the smoothed loss's starting value."""
    return float(-np.log(1.0 / vocab_size) * seq_length)


def name_examples(data_x: Iterable[str]) -> list[str]:
    """Stripped, lower-cased names, as the course's model reads them."""
    return [x.strip().lower() for x in data_x]


@dataclass
class ModelRun:
    """What :func:`model` records: ``losses`` and ``samples`` at each report iteration."""

    iterations: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    samples: list[list[str]] = field(default_factory=list)


def model(data_x: Sequence[str], ix_to_char: Mapping[int, str], char_to_ix: Mapping[str, int],
          num_iterations: int = 35000, n_a: int = 50, dino_names: int = 7, vocab_size: int = 27,
          verbose: bool = False, report_every: int = 2000, record: ModelRun | None = None,
          shuffle: bool = True, progress: Callable[[int, float], None] | None = None,
          ) -> tuple[Parameters, str]:
    """The course's ``model``: train on one name per iteration (SGD, lr 0.01), carrying ``a_prev``.

    Initialization is :func:`initialize_parameters` (seed 1); the names are stripped and shuffled
    after ``np.random.seed(0)``. The smoothed loss starts at ``get_initial_loss(vocab_size,
    dino_names)``. Every ``report_every`` iterations (2000, the course's v3a) ``dino_names`` names
    are sampled with seeds ``0, 1, ...``; with ``verbose`` they are printed as the course does.

    Args:
        record: filled with the reported iterations, smoothed losses and sampled names.
        shuffle: shuffle the names as the course (False: keep their order).
        progress: called as ``progress(j, smoothed_loss)`` after each iteration.

    Returns:
        ``(parameters, last_dino_name)``, the last name sampled (with its newline).
    """
    parameters = initialize_parameters(n_a, vocab_size, vocab_size)
    loss = get_initial_loss(vocab_size, dino_names)
    examples = [x.strip() for x in data_x]
    if not examples:
        raise ValueError("model: expected at least one name, found none")
    np.random.seed(0)
    if shuffle:
        np.random.shuffle(examples)
    a_prev = np.zeros((n_a, 1))
    newline = char_to_ix[NEWLINE]
    last_dino_name = "abc"
    for j in range(num_iterations):
        single_example = examples[j % len(examples)]
        X: list[int | None] = [None] + [char_to_ix[c] for c in single_example]
        Y = X[1:] + [newline]
        curr_loss, _, a_prev = optimize(X, Y, a_prev, parameters, learning_rate=0.01)
        loss = smooth(loss, curr_loss)
        if progress is not None:
            progress(j, loss)
        if j % report_every == 0:
            if verbose:
                print(f"Iteration: {j}, Loss: {loss:f}\n")
            names = []
            for seed in range(dino_names):
                last_dino_name = get_sample(sample(parameters, char_to_ix, seed), ix_to_char)
                names.append(last_dino_name.replace(NEWLINE, ""))
                if verbose:
                    print(names[-1])
            if verbose:
                print("\n")
            if record is not None:
                record.iterations.append(j)
                record.losses.append(loss)
                record.samples.append(names)
    return parameters, last_dino_name


def name_loss(parameters: Mapping[str, np.ndarray], name: str, char_to_ix: Mapping[str, int]) -> tuple[float, int]:
    """``(cross-entropy in nats, number of predicted characters)`` of ``name`` + newline, from ``a0 = 0``."""
    X: list[int | None] = [None] + [char_to_ix[c] for c in name]
    Y = X[1:] + [char_to_ix[NEWLINE]]
    n_a = parameters["Waa"].shape[0]
    loss, _ = rnn_forward(X, Y, np.zeros((n_a, 1)), parameters, parameters["by"].shape[0])
    return loss, len(Y)


def perplexity(parameters: Mapping[str, np.ndarray], names: Iterable[str], char_to_ix: Mapping[str, int]) -> float:
    """Per-character perplexity ``exp(total loss / characters)`` of ``names`` (each ending with its newline)."""
    total, count = 0.0, 0
    for name in names:
        loss, n = name_loss(parameters, name, char_to_ix)
        total, count = total + loss, count + n
    if count == 0:
        raise ValueError("perplexity: expected at least one name, found none")
    return float(np.exp(total / count))
