"""C5W1 Building an RNN step by step: RNN, LSTM and GRU cells in NumPy, forward and backward.

The course's conventions (``rnn_utils``):

- inputs ``x`` have shape ``(n_x, m, T_x)``, hidden states ``(n_a, m)`` per step, so a sequence
  of states is ``(n_a, m, T_x)``; weights multiply from the left (``W @ a``), biases are ``(n, 1)``;
- :func:`softmax` works over axis 0 (the classes) and subtracts the *global* max (as the course's);
- caches: RNN cell ``(a_next, a_prev, xt, parameters)``; LSTM cell ``(a_next, c_next, a_prev,
  c_prev, ft, it, cct, ot, xt, parameters)``; a sequence's cache is ``(list_of_cell_caches, x)``.

Parameters (dicts, course key names):

- RNN: ``Wax (n_a, n_x)``, ``Waa (n_a, n_a)``, ``Wya (n_y, n_a)``, ``ba (n_a, 1)``, ``by (n_y, 1)``;
- LSTM: ``Wf, Wi, Wc, Wo (n_a, n_a + n_x)`` acting on ``concat = [a_prev; xt]``, ``bf, bi, bc, bo
  (n_a, 1)``, ``Wy (n_y, n_a)``, ``by (n_y, 1)``;
- GRU (seed 5.1.4, not a graded function of the course): ``Wu, Wr, Wc (n_a, n_a + n_x)``, ``bu, br,
  bc (n_a, 1)``, ``Wy, by``; with ``c = a``::

      Γu = σ(Wu [c_prev; x] + bu)           Γr = σ(Wr [c_prev; x] + br)
      c̃ = tanh(Wc [Γr * c_prev; x] + bc)    c = Γu * c̃ + (1 - Γu) * c_prev

  The reset gate multiplies ``c_prev`` *before* the matrix product: Keras' ``GRU(reset_after=False)``
  computes this cell (with its update gate ``z = 1 - Γu``); ``reset_after=True`` (Keras' default)
  applies the reset after the product, another function. GRU cache: ``(c_next, c_prev, xt, gu, gr,
  cct, parameters)``.

The backward passes take the gradient of a loss with respect to the hidden states (``da``), as the
course's do; they do not include the softmax output layer (its weights get no gradient).
:func:`gradient_check` compares each of them with central differences in float64.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

Parameters = dict[str, np.ndarray]
Gradients = dict[str, np.ndarray]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Elementwise ``1 / (1 + exp(-x))``."""
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over axis 0 (classes), subtracting the global max of ``x`` as the course's ``rnn_utils``."""
    e_x = np.exp(x - np.max(x))
    return e_x / e_x.sum(axis=0)


def _check_shape(name: str, array: np.ndarray, shape: tuple[int, ...]) -> None:
    if np.shape(array) != shape:
        raise ValueError(f"{name}: expected shape {shape}, found {np.shape(array)}")


# ----------------------------------------------------------------------------------------------- RNN


def rnn_cell_forward(xt: np.ndarray, a_prev: np.ndarray, parameters: Mapping[str, np.ndarray]
                     ) -> tuple[np.ndarray, np.ndarray, tuple]:
    """One RNN step: ``a_next = tanh(Waa a_prev + Wax xt + ba)``, ``yt_pred = softmax(Wya a_next + by)``.

    Args:
        xt: input ``(n_x, m)``; a_prev: hidden state ``(n_a, m)``; parameters: ``Wax, Waa, Wya, ba, by``.

    Returns:
        ``(a_next (n_a, m), yt_pred (n_y, m), cache)``, cache ``(a_next, a_prev, xt, parameters)``.
    """
    Wax, Waa, Wya, ba, by = (parameters[k] for k in ("Wax", "Waa", "Wya", "ba", "by"))
    _check_shape("rnn_cell_forward: a_prev", a_prev, (Waa.shape[1], np.shape(xt)[1]))
    a_next = np.tanh(Waa @ a_prev + Wax @ xt + ba)
    yt_pred = softmax(Wya @ a_next + by)
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_forward(x: np.ndarray, a0: np.ndarray, parameters: Mapping[str, np.ndarray]
                ) -> tuple[np.ndarray, np.ndarray, tuple[list, np.ndarray]]:
    """The RNN over a sequence ``x (n_x, m, T_x)`` from ``a0 (n_a, m)``.

    Returns:
        ``(a (n_a, m, T_x), y_pred (n_y, m, T_x), (caches, x))``.
    """
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a, y_pred, caches = np.zeros((n_a, m, T_x)), np.zeros((n_y, m, T_x)), []
    a_next = a0
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t], y_pred[:, :, t] = a_next, yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)


def rnn_cell_backward(da_next: np.ndarray, cache: tuple) -> Gradients:
    """Backward of one RNN step given ``da_next = dL/da_next (n_a, m)``.

    Returns:
        ``{"dxt" (n_x, m), "da_prev" (n_a, m), "dWax", "dWaa", "dba" (n_a, 1)}``.
    """
    a_next, a_prev, xt, parameters = cache
    dtanh = (1 - a_next**2) * da_next
    return {
        "dxt": parameters["Wax"].T @ dtanh,
        "da_prev": parameters["Waa"].T @ dtanh,
        "dWax": dtanh @ xt.T,
        "dWaa": dtanh @ a_prev.T,
        "dba": np.sum(dtanh, axis=1, keepdims=True),
    }


def rnn_backward(da: np.ndarray, caches: tuple[list, np.ndarray]) -> Gradients:
    """Backward of :func:`rnn_forward` given ``da = dL/da (n_a, m, T_x)`` (the upstream gradient of every state).

    Returns:
        ``{"dx" (n_x, m, T_x), "da0" (n_a, m), "dWax", "dWaa", "dba"}``.
    """
    cell_caches, x = caches
    _, _, x1, parameters = cell_caches[0]
    n_a, m, T_x = da.shape
    n_x = x1.shape[0]
    dx = np.zeros((n_x, m, T_x))
    dWax, dWaa, dba = (np.zeros_like(parameters[k]) for k in ("Wax", "Waa", "ba"))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        g = rnn_cell_backward(da[:, :, t] + da_prevt, cell_caches[t])
        dx[:, :, t] = g["dxt"]
        da_prevt = g["da_prev"]
        dWax += g["dWax"]
        dWaa += g["dWaa"]
        dba += g["dba"]
    return {"dx": dx, "da0": da_prevt, "dWax": dWax, "dWaa": dWaa, "dba": dba}


# ---------------------------------------------------------------------------------------------- LSTM


def lstm_cell_forward(xt: np.ndarray, a_prev: np.ndarray, c_prev: np.ndarray,
                      parameters: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple]:
    """One LSTM step on ``concat = [a_prev; xt]``::

        ft = σ(Wf concat + bf)   it = σ(Wi concat + bi)   cct = tanh(Wc concat + bc)
        c_next = ft * c_prev + it * cct   ot = σ(Wo concat + bo)   a_next = ot * tanh(c_next)
        yt_pred = softmax(Wy a_next + by)

    Returns:
        ``(a_next, c_next (n_a, m), yt_pred (n_y, m), cache)`` with the course's 10-part cache.
    """
    Wf, bf, Wi, bi, Wc, bc, Wo, bo, Wy, by = (parameters[k] for k in
                                              ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by"))
    n_a = Wy.shape[1]
    _check_shape("lstm_cell_forward: a_prev", a_prev, (n_a, np.shape(xt)[1]))
    _check_shape("lstm_cell_forward: Wf", Wf, (n_a, n_a + np.shape(xt)[0]))
    concat = np.concatenate([a_prev, xt], axis=0)
    ft = sigmoid(Wf @ concat + bf)
    it = sigmoid(Wi @ concat + bi)
    cct = np.tanh(Wc @ concat + bc)
    c_next = ft * c_prev + it * cct
    ot = sigmoid(Wo @ concat + bo)
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(Wy @ a_next + by)
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_forward(x: np.ndarray, a0: np.ndarray, parameters: Mapping[str, np.ndarray]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[list, np.ndarray]]:
    """The LSTM over ``x (n_x, m, T_x)`` from ``a0`` and ``c0 = 0``.

    Returns:
        ``(a (n_a, m, T_x), y (n_y, m, T_x), c (n_a, m, T_x), (caches, x))``.
    """
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a, c, y = np.zeros((n_a, m, T_x)), np.zeros((n_a, m, T_x)), np.zeros((n_y, m, T_x))
    a_next, c_next, caches = a0, np.zeros((n_a, m)), []
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t], c[:, :, t], y[:, :, t] = a_next, c_next, yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_cell_backward(da_next: np.ndarray, dc_next: np.ndarray, cache: tuple) -> Gradients:
    """Backward of one LSTM step given ``dL/da_next`` and ``dL/dc_next`` (both ``(n_a, m)``).

    Returns:
        ``{"dxt", "da_prev", "dc_prev", "dWf", "dWi", "dWc", "dWo" (n_a, n_a + n_x), "dbf", "dbi",
        "dbc", "dbo" (n_a, 1)}``.
    """
    a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters = cache
    n_a = a_next.shape[0]
    tanh_c = np.tanh(c_next)
    dc = dc_next + ot * (1 - tanh_c**2) * da_next  # total gradient reaching c_next
    dot = da_next * tanh_c * ot * (1 - ot)
    dcct = dc * it * (1 - cct**2)
    dit = dc * cct * it * (1 - it)
    dft = dc * c_prev * ft * (1 - ft)
    concat_t = np.concatenate([a_prev, xt], axis=0).T
    grads = {"dWf": dft @ concat_t, "dWi": dit @ concat_t, "dWc": dcct @ concat_t, "dWo": dot @ concat_t,
             "dbf": dft.sum(axis=1, keepdims=True), "dbi": dit.sum(axis=1, keepdims=True),
             "dbc": dcct.sum(axis=1, keepdims=True), "dbo": dot.sum(axis=1, keepdims=True)}
    dconcat = sum(parameters[w].T @ d for w, d in (("Wf", dft), ("Wi", dit), ("Wc", dcct), ("Wo", dot)))
    grads["da_prev"] = dconcat[:n_a]
    grads["dc_prev"] = dc * ft
    grads["dxt"] = dconcat[n_a:]
    return grads


def lstm_backward(da: np.ndarray, caches: tuple[list, np.ndarray]) -> Gradients:
    """Backward of :func:`lstm_forward` given ``da (n_a, m, T)``; runs over ``da``'s ``T`` steps.

    As the course's: the loop covers ``T = da.shape[2]`` steps (the course's own test passes a
    ``da`` shorter than the sequence: then steps ``T-1 .. 0`` are back-propagated and ``dx`` has
    ``T`` steps).

    Returns:
        ``{"dx" (n_x, m, T), "da0" (n_a, m), "dWf", "dWi", "dWc", "dWo", "dbf", "dbi", "dbc", "dbo"}``.
    """
    cell_caches, x = caches
    xt1 = cell_caches[0][8]
    n_a, m, T_x = da.shape
    n_x = xt1.shape[0]
    dx = np.zeros((n_x, m, T_x))
    grads = {f"d{k}": np.zeros((n_a, n_a + n_x)) for k in ("Wf", "Wi", "Wc", "Wo")}
    grads |= {f"d{k}": np.zeros((n_a, 1)) for k in ("bf", "bi", "bc", "bo")}
    da_prevt, dc_prevt = np.zeros((n_a, m)), np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        g = lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, cell_caches[t])
        da_prevt, dc_prevt = g["da_prev"], g["dc_prev"]
        dx[:, :, t] = g["dxt"]
        for k in grads:
            grads[k] += g[k]
    return {"dx": dx, "da0": da_prevt, **grads}


# ----------------------------------------------------------------------------------------------- GRU


def gru_cell_forward(xt: np.ndarray, c_prev: np.ndarray, parameters: Mapping[str, np.ndarray]
                     ) -> tuple[np.ndarray, np.ndarray, tuple]:
    """One GRU step (the seed's equations, see the module docstring); ``a = c``.

    Args:
        xt: ``(n_x, m)``; c_prev: ``(n_a, m)``; parameters: ``Wu, bu, Wr, br, Wc, bc, Wy, by``.

    Returns:
        ``(c_next (n_a, m), yt_pred (n_y, m), cache)``, cache ``(c_next, c_prev, xt, gu, gr, cct, parameters)``.
    """
    Wu, bu, Wr, br, Wc, bc, Wy, by = (parameters[k] for k in ("Wu", "bu", "Wr", "br", "Wc", "bc", "Wy", "by"))
    n_a = Wy.shape[1]
    _check_shape("gru_cell_forward: c_prev", c_prev, (n_a, np.shape(xt)[1]))
    _check_shape("gru_cell_forward: Wu", Wu, (n_a, n_a + np.shape(xt)[0]))
    concat = np.concatenate([c_prev, xt], axis=0)
    gu = sigmoid(Wu @ concat + bu)
    gr = sigmoid(Wr @ concat + br)
    cct = np.tanh(Wc @ np.concatenate([gr * c_prev, xt], axis=0) + bc)
    c_next = gu * cct + (1 - gu) * c_prev
    yt_pred = softmax(Wy @ c_next + by)
    return c_next, yt_pred, (c_next, c_prev, xt, gu, gr, cct, parameters)


def gru_forward(x: np.ndarray, c0: np.ndarray, parameters: Mapping[str, np.ndarray]
                ) -> tuple[np.ndarray, np.ndarray, tuple[list, np.ndarray]]:
    """The GRU over ``x (n_x, m, T_x)`` from ``c0 (n_a, m)``.

    Returns:
        ``(c (n_a, m, T_x), y_pred (n_y, m, T_x), (caches, x))``.
    """
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    c, y_pred, caches = np.zeros((n_a, m, T_x)), np.zeros((n_y, m, T_x)), []
    c_next = c0
    for t in range(T_x):
        c_next, yt, cache = gru_cell_forward(x[:, :, t], c_next, parameters)
        c[:, :, t], y_pred[:, :, t] = c_next, yt
        caches.append(cache)
    return c, y_pred, (caches, x)


def gru_cell_backward(dc_next: np.ndarray, cache: tuple) -> Gradients:
    """Backward of one GRU step given ``dL/dc_next (n_a, m)``.

    Returns:
        ``{"dxt", "dc_prev", "dWu", "dWr", "dWc" (n_a, n_a + n_x), "dbu", "dbr", "dbc" (n_a, 1)}``.
    """
    c_next, c_prev, xt, gu, gr, cct, parameters = cache
    n_a = c_next.shape[0]
    Wu, Wr, Wc = parameters["Wu"], parameters["Wr"], parameters["Wc"]
    dcct = dc_next * gu * (1 - cct**2)  # through tanh: gradient of Wc [r*c_prev; x] + bc
    dgu = dc_next * (cct - c_prev) * gu * (1 - gu)
    dreset_in = Wc.T @ dcct  # gradient of [gr * c_prev; xt]
    dgr = dreset_in[:n_a] * c_prev * gr * (1 - gr)
    concat_t = np.concatenate([c_prev, xt], axis=0).T
    reset_concat_t = np.concatenate([gr * c_prev, xt], axis=0).T
    dconcat = Wu.T @ dgu + Wr.T @ dgr
    return {
        "dc_prev": dc_next * (1 - gu) + dreset_in[:n_a] * gr + dconcat[:n_a],
        "dxt": dreset_in[n_a:] + dconcat[n_a:],
        "dWu": dgu @ concat_t, "dWr": dgr @ concat_t, "dWc": dcct @ reset_concat_t,
        "dbu": dgu.sum(axis=1, keepdims=True), "dbr": dgr.sum(axis=1, keepdims=True),
        "dbc": dcct.sum(axis=1, keepdims=True),
    }


def gru_backward(dc: np.ndarray, caches: tuple[list, np.ndarray]) -> Gradients:
    """Backward of :func:`gru_forward` given ``dc = dL/dc (n_a, m, T_x)``.

    Returns:
        ``{"dx" (n_x, m, T_x), "dc0" (n_a, m), "dWu", "dWr", "dWc", "dbu", "dbr", "dbc"}``.
    """
    cell_caches, x = caches
    n_a, m, T_x = dc.shape
    n_x = cell_caches[0][2].shape[0]
    dx = np.zeros((n_x, m, T_x))
    grads = {f"d{k}": np.zeros((n_a, n_a + n_x)) for k in ("Wu", "Wr", "Wc")}
    grads |= {f"d{k}": np.zeros((n_a, 1)) for k in ("bu", "br", "bc")}
    dc_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        g = gru_cell_backward(dc[:, :, t] + dc_prevt, cell_caches[t])
        dc_prevt = g["dc_prev"]
        dx[:, :, t] = g["dxt"]
        for k in grads:
            grads[k] += g[k]
    return {"dx": dx, "dc0": dc_prevt, **grads}


# --------------------------------------------------------------------------------- parameter helpers

RNN_KEYS = ("Waa", "Wax", "Wya", "ba", "by")  # the notebook's drawing order
LSTM_KEYS = ("Wf", "bf", "Wi", "bi", "Wo", "bo", "Wc", "bc", "Wy", "by")
GRU_KEYS = ("Wu", "bu", "Wr", "br", "Wc", "bc", "Wy", "by")


def random_parameters(kind: str, n_x: int, n_a: int, n_y: int, rng: np.random.Generator | None = None
                      ) -> Parameters:
    """Standard-normal parameters of a ``"rnn"``, ``"lstm"`` or ``"gru"`` cell, drawn in the course's key order.

    With ``rng=None`` the legacy global ``np.random.randn`` is used (so that a preceding
    ``np.random.seed(k)`` reproduces the course's test parameters).
    """
    draw = np.random.randn if rng is None else (lambda *shape: rng.standard_normal(shape))
    shapes = {
        "rnn": {"Waa": (n_a, n_a), "Wax": (n_a, n_x), "Wya": (n_y, n_a), "ba": (n_a, 1), "by": (n_y, 1)},
        "lstm": {**{k: (n_a, n_a + n_x) for k in ("Wf", "Wi", "Wo", "Wc")},
                 **{k: (n_a, 1) for k in ("bf", "bi", "bo", "bc")}, "Wy": (n_y, n_a), "by": (n_y, 1)},
        "gru": {**{k: (n_a, n_a + n_x) for k in ("Wu", "Wr", "Wc")},
                **{k: (n_a, 1) for k in ("bu", "br", "bc")}, "Wy": (n_y, n_a), "by": (n_y, 1)},
    }
    if kind not in shapes:
        raise ValueError(f"expected kind 'rnn', 'lstm' or 'gru', found {kind!r}")
    keys = {"rnn": RNN_KEYS, "lstm": LSTM_KEYS, "gru": GRU_KEYS}[kind]
    return {k: draw(*shapes[kind][k]) for k in keys}


# -------------------------------------------------------------------------------- gradient checking


def relative_difference(grad: np.ndarray, approx: np.ndarray) -> float:
    """The course's ``||grad - approx|| / (||grad|| + ||approx||)`` (0 when both are 0)."""
    denominator = np.linalg.norm(grad) + np.linalg.norm(approx)
    return 0.0 if denominator == 0 else float(np.linalg.norm(grad - approx) / denominator)


def numeric_gradient(f: Callable[[], float], array: np.ndarray, epsilon: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar ``f()`` for each entry of ``array`` (changed in place, then restored)."""
    grad = np.zeros_like(array, dtype=np.float64)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + epsilon
        plus = f()
        flat[i] = old - epsilon
        minus = f()
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * epsilon)
    return grad


def gradient_check(kind: str, sequence: bool = False, n_x: int = 3, n_a: int = 4, m: int = 2, T_x: int = 3,
                   seed: int = 0, epsilon: float = 1e-6) -> dict[str, float]:
    """Check a backward pass against central differences, in float64.

    The loss is ``J = sum(da * a)`` (+ ``sum(dc * c)`` for an LSTM cell) with fixed random ``da``,
    ``dc``, so the analytic gradients are the backward pass's outputs for upstream ``da``/``dc``.

    Args:
        kind: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        sequence: check the sequence backward (``rnn_backward`` ...) instead of the cell's.

    Returns:
        ``{gradient_name: relative_difference}`` for every input and weight gradient.
    """
    rng = np.random.default_rng(seed)
    params = random_parameters(kind, n_x, n_a, 2, rng)
    x = rng.standard_normal((n_x, m, T_x) if sequence else (n_x, m))
    a0 = rng.standard_normal((n_a, m))
    c0 = rng.standard_normal((n_a, m))
    da = rng.standard_normal((n_a, m, T_x) if sequence else (n_a, m))
    dc = rng.standard_normal((n_a, m))

    if kind == "rnn":
        if sequence:
            def loss() -> float:
                return float(np.sum(da * rnn_forward(x, a0, params)[0]))
            grads = rnn_backward(da, rnn_forward(x, a0, params)[2])
            wrt = {"dx": x, "da0": a0, "dWax": params["Wax"], "dWaa": params["Waa"], "dba": params["ba"]}
        else:
            def loss() -> float:
                return float(np.sum(da * rnn_cell_forward(x, a0, params)[0]))
            grads = rnn_cell_backward(da, rnn_cell_forward(x, a0, params)[2])
            wrt = {"dxt": x, "da_prev": a0, "dWax": params["Wax"], "dWaa": params["Waa"], "dba": params["ba"]}
    elif kind == "lstm":
        gates = {f"d{k}": params[k] for k in ("Wf", "Wi", "Wc", "Wo", "bf", "bi", "bc", "bo")}
        if sequence:
            def loss() -> float:
                return float(np.sum(da * lstm_forward(x, a0, params)[0]))
            grads = lstm_backward(da, lstm_forward(x, a0, params)[3])
            wrt = {"dx": x, "da0": a0, **gates}
        else:
            def loss() -> float:
                a_next, c_next, _, _ = lstm_cell_forward(x, a0, c0, params)
                return float(np.sum(da * a_next) + np.sum(dc * c_next))
            grads = lstm_cell_backward(da, dc, lstm_cell_forward(x, a0, c0, params)[3])
            wrt = {"dxt": x, "da_prev": a0, "dc_prev": c0, **gates}
    elif kind == "gru":
        gates = {f"d{k}": params[k] for k in ("Wu", "Wr", "Wc", "bu", "br", "bc")}
        if sequence:
            def loss() -> float:
                return float(np.sum(da * gru_forward(x, a0, params)[0]))
            grads = gru_backward(da, gru_forward(x, a0, params)[2])
            wrt = {"dx": x, "dc0": a0, **gates}
        else:
            def loss() -> float:
                return float(np.sum(da * gru_cell_forward(x, a0, params)[0]))
            grads = gru_cell_backward(da, gru_cell_forward(x, a0, params)[2])
            wrt = {"dxt": x, "dc_prev": a0, **gates}
    else:
        raise ValueError(f"expected kind 'rnn', 'lstm' or 'gru', found {kind!r}")
    return {name: relative_difference(grads[name], numeric_gradient(loss, array, epsilon))
            for name, array in wrt.items()}
