"""C1W4: a deep L-layer network from scratch, and the generic core every scratch model reuses.

The course's step-by-step names (``initialize_parameters``, ``linear_forward``, ...,
``L_model_backward``, ``update_parameters``) and its application (``two_layer_model``,
``L_layer_model``, ``predict``) live here. They are thin wrappers over a small generic core that
the other scratch modules (planar, initialization, regularization, gradient checking,
optimization) share instead of repeating the course's copies of the same 3-layer code:

* :func:`initialize_layers` -- one seeded initializer with the course's weight scalings;
* :func:`forward_pass` -- ``[LINEAR -> g] x (L-1) -> LINEAR -> SIGMOID`` with ``g`` = relu or
  tanh, and optional inverted dropout on the hidden layers;
* :func:`cross_entropy_cost` -- the binary cross-entropy (mean or sum, optional ``nansum``);
* :func:`backward_pass` -- back-propagation from the output layer's ``dZ``, with optional L2
  term and dropout masks;
* :func:`update_parameters` -- one gradient-descent step;
* :func:`train_full_batch` -- the batch gradient-descent loop all full-batch course models use.

Conventions (the course's): examples are columns, so ``X`` is ``(n_x, m)`` and ``Y``/``AL`` are
``(1, m)``; ``W{l}`` is ``(n[l], n[l-1])`` and ``b{l}`` is ``(n[l], 1)``. A layer cache is
``((A_prev, W, b), Z)`` -- the course's ``(linear_cache, activation_cache)``.
Random numbers come from NumPy's legacy global generator, seeded where the course seeds it, so
every number matches the course's bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from tf_course.scratch.activations import relu, relu_backward, sigmoid, sigmoid_backward
from tf_course.scratch.metrics import accuracy

Parameters = dict[str, np.ndarray]
LinearCache = tuple[np.ndarray, np.ndarray, np.ndarray]
LayerCache = tuple[LinearCache, np.ndarray]
Activation = Literal["sigmoid", "relu", "tanh"]
WeightScale = Literal["zeros", "xavier", "he"] | float

__all__ = [
    "L_layer_model",
    "L_model_backward",
    "L_model_forward",
    "backward_pass",
    "compute_cost",
    "cross_entropy_cost",
    "forward_pass",
    "initialize_layers",
    "initialize_parameters",
    "initialize_parameters_deep",
    "initialize_parameters_deep_app",
    "l2_cost",
    "linear_activation_backward",
    "linear_activation_forward",
    "linear_backward",
    "linear_forward",
    "num_layers",
    "predict",
    "tanh_backward",
    "train_full_batch",
    "two_layer_model",
    "update_parameters",
]


# --------------------------------------------------------------------------- initialization
def initialize_layers(
    layer_dims: Sequence[int], seed: int | None, weight_scale: WeightScale
) -> Parameters:
    """Initialize ``W1, b1, ..., WL, bL`` for ``layer_dims = [n_x, n[1], ..., n[L]]``.

    The weights ``W{l}`` (shape ``(n[l], n[l-1])``) are drawn with ``np.random.randn`` in layer
    order after ``np.random.seed(seed)`` (no reseeding if ``seed`` is None) and scaled exactly as
    the course writes it, because the rounding of the scaling is part of the expected numbers:

    * a float ``c``: ``randn(...) * c`` (course: ``* 0.01`` or ``* 10``);
    * ``"xavier"``: ``randn(...) / np.sqrt(n[l-1])`` (``dnn_app_utils_v3``, ``reg_utils``);
    * ``"he"``: ``randn(...) * np.sqrt(2 / n[l-1])`` (C2W1 He, ``opt_utils``);
    * ``"zeros"``: all-zero weights, no random draw.

    The biases ``b{l}`` (shape ``(n[l], 1)``) are zeros.
    """
    if len(layer_dims) < 2:
        raise ValueError(f"layer_dims needs at least 2 sizes (input, output), got {layer_dims!r}")
    if seed is not None and weight_scale != "zeros":
        np.random.seed(seed)
    parameters: Parameters = {}
    for l in range(1, len(layer_dims)):
        n_l, n_prev = layer_dims[l], layer_dims[l - 1]
        if weight_scale == "zeros":
            W = np.zeros((n_l, n_prev))
        elif weight_scale == "xavier":
            W = np.random.randn(n_l, n_prev) / np.sqrt(n_prev)
        elif weight_scale == "he":
            W = np.random.randn(n_l, n_prev) * np.sqrt(2 / n_prev)
        elif isinstance(weight_scale, (int, float)):
            W = np.random.randn(n_l, n_prev) * weight_scale
        else:
            raise ValueError(
                f"weight_scale must be 'zeros', 'xavier', 'he' or a number, got {weight_scale!r}"
            )
        parameters["W" + str(l)] = W
        parameters["b" + str(l)] = np.zeros((n_l, 1))
    return parameters


def initialize_parameters(n_x: int, n_h: int, n_y: int) -> Parameters:
    """Two-layer initializer of C1W4 step by step: seed 1, ``randn * 0.01``, zero biases.

    Returns ``W1 (n_h, n_x)``, ``b1 (n_h, 1)``, ``W2 (n_y, n_h)``, ``b2 (n_y, 1)``.
    """
    return initialize_layers([n_x, n_h, n_y], seed=1, weight_scale=0.01)


def initialize_parameters_deep(layer_dims: Sequence[int]) -> Parameters:
    """L-layer initializer of C1W4 step by step: seed 3, ``randn * 0.01``, zero biases."""
    return initialize_layers(layer_dims, seed=3, weight_scale=0.01)


def initialize_parameters_deep_app(layer_dims: Sequence[int]) -> Parameters:
    """``dnn_app_utils_v3.initialize_parameters_deep``: seed 1, ``randn / sqrt(n[l-1])``.

    The C1W4 application (``L_layer_model``) needs this scaling; with the step-by-step
    ``* 0.01`` initializer the 4-layer cat model's cost stays stuck near 0.693.
    """
    return initialize_layers(layer_dims, seed=1, weight_scale="xavier")


def num_layers(parameters: Parameters) -> int:
    """Number of layers ``L`` of a ``{W1, b1, ..., WL, bL}`` dictionary."""
    return len(parameters) // 2


# --------------------------------------------------------------------------- forward
def linear_forward(A: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, LinearCache]:
    """``Z = W A + b``: A ``(n[l-1], m)``, W ``(n[l], n[l-1])``, b ``(n[l], 1)`` -> Z ``(n[l], m)``.

    Returns ``(Z, (A, W, b))``.
    """
    Z = np.dot(W, A) + b
    return Z, (A, W, b)


def _activate(Z: np.ndarray, activation: Activation) -> np.ndarray:
    if activation == "sigmoid":
        return sigmoid(Z)
    if activation == "relu":
        return relu(Z)
    if activation == "tanh":
        return np.tanh(Z)
    raise ValueError(f"activation must be 'sigmoid', 'relu' or 'tanh', got {activation!r}")


def tanh_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA * (1 - tanh(Z)^2); dA and Z have the same shape."""
    return dA * (1 - np.power(np.tanh(Z), 2))


_BACKWARD = {"sigmoid": sigmoid_backward, "relu": relu_backward, "tanh": tanh_backward}


def linear_activation_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: Activation
) -> tuple[np.ndarray, LayerCache]:
    """``A = g(W A_prev + b)`` for ``g`` in {"sigmoid", "relu", "tanh"}.

    A_prev ``(n[l-1], m)`` -> A ``(n[l], m)``. Returns ``(A, ((A_prev, W, b), Z))``.
    """
    Z, linear_cache = linear_forward(A_prev, W, b)
    return _activate(Z, activation), (linear_cache, Z)


def forward_pass(
    X: np.ndarray,
    parameters: Parameters,
    hidden_activation: Activation = "relu",
    keep_prob: float = 1.0,
) -> tuple[np.ndarray, list[LayerCache], list[np.ndarray]]:
    """``[LINEAR -> hidden_activation] x (L-1) -> LINEAR -> SIGMOID`` on X ``(n_x, m)``.

    With ``keep_prob < 1``, inverted dropout follows every hidden activation, as the course's
    ``forward_propagation_with_dropout``: ``D = (np.random.rand(*A.shape) < keep_prob)`` drawn
    from the global generator layer by layer (D1 first), then ``A = A * D / keep_prob``. The
    caller seeds the generator.

    Returns ``(AL, caches, masks)``: AL ``(n[L], m)``; ``caches[l-1] = ((A_prev, W, b), Z)`` for
    layer l (``A_prev`` is the dropped-out activation when dropout is on); ``masks[l-1]`` is the
    0/1 int mask D{l} of hidden layer l (empty list without dropout).
    """
    L = num_layers(parameters)
    caches: list[LayerCache] = []
    masks: list[np.ndarray] = []
    A = X
    for l in range(1, L):
        A, cache = linear_activation_forward(
            A, parameters["W" + str(l)], parameters["b" + str(l)], hidden_activation
        )
        if keep_prob < 1:
            D = (np.random.rand(A.shape[0], A.shape[1]) < keep_prob).astype(int)
            A = A * D
            A = A / keep_prob
            masks.append(D)
        caches.append(cache)
    AL, cache = linear_activation_forward(
        A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid"
    )
    caches.append(cache)
    return AL, caches, masks


def L_model_forward(X: np.ndarray, parameters: Parameters) -> tuple[np.ndarray, list[LayerCache]]:
    """``[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID``: X ``(n_x, m)`` -> AL ``(1, m)``.

    Returns ``(AL, caches)`` with one ``((A_prev, W, b), Z)`` cache per layer (``len == L``).
    """
    AL, caches, _ = forward_pass(X, parameters, "relu")
    return AL, caches


# --------------------------------------------------------------------------- cost
def cross_entropy_cost(
    AL: np.ndarray,
    Y: np.ndarray,
    reduction: Literal["mean", "sum"] = "mean",
    ignore_nan: bool = False,
) -> float:
    """Binary cross-entropy of AL ``(1, m)`` against labels Y ``(1, m)``, as a float.

    ``-sum(Y log AL + (1 - Y) log(1 - AL))``, divided by m for ``reduction="mean"``.
    ``ignore_nan=True`` sums with ``np.nansum`` as the course's ``init_utils``/``reg_utils`` do,
    so ``0 * log(0)`` terms are dropped while a ``1 * log(0)`` term still gives ``inf``.
    ``m`` is taken from AL, so Y may also be a 1-D ``(m,)`` vector (it broadcasts).
    """
    m = AL.shape[1]
    logprobs = np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL))
    total = -(np.nansum(logprobs) if ignore_nan else np.sum(logprobs))
    if reduction == "sum":
        return float(total)
    if reduction == "mean":
        return float((1 / m) * total)
    raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")


def compute_cost(AL: np.ndarray, Y: np.ndarray) -> float:
    """Mean cross-entropy cost of AL ``(1, m)`` against Y ``(1, m)`` (C1W4), as a float."""
    return cross_entropy_cost(AL, Y)


# --------------------------------------------------------------------------- backward
def linear_backward(
    dZ: np.ndarray, cache: LinearCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear part of layer l's backward pass.

    dZ ``(n[l], m)``, cache ``(A_prev, W, b)`` -> ``(dA_prev, dW, db)`` with
    ``dW = dZ A_prev^T / m`` ``(n[l], n[l-1])``, ``db`` = row means of dZ ``(n[l], 1)``,
    ``dA_prev = W^T dZ`` ``(n[l-1], m)``.
    """
    A_prev, W, _b = cache
    m = A_prev.shape[1]
    dW = (1 / m) * np.dot(dZ, A_prev.T)
    db = (1 / m) * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(
    dA: np.ndarray, cache: LayerCache, activation: Activation
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of ``LINEAR -> activation``: dA ``(n[l], m)`` -> ``(dA_prev, dW, db)``."""
    linear_cache, Z = cache
    dZ = _BACKWARD[activation](dA, Z)
    return linear_backward(dZ, linear_cache)


def backward_pass(
    dZL: np.ndarray,
    caches: Sequence[LayerCache],
    hidden_activation: Activation = "relu",
    masks: Sequence[np.ndarray] = (),
    keep_prob: float = 1.0,
    lambd: float = 0.0,
) -> dict[str, np.ndarray]:
    """Back-propagate from the output layer's ``dZL`` ``(n[L], m)`` through all L layers.

    For the sigmoid output with cross-entropy, ``dZL = AL - Y``. Hidden layers use
    ``hidden_activation``; with dropout masks (from :func:`forward_pass`) each ``dA{l}`` is
    multiplied by ``D{l}`` and divided by ``keep_prob`` before the activation backward; with
    ``lambd > 0`` every ``dW{l}`` gets the L2 term ``(lambd / m) W{l}``.

    Returns a dict with ``dZ{l}``, ``dW{l}``, ``db{l}`` for l = 1..L and ``dA{l-1}`` (the
    gradient of the layer-l input, ``dA0`` being that of X; for hidden layers, after the
    dropout mask).
    """
    L = len(caches)
    grads: dict[str, np.ndarray] = {}
    dZ = dZL
    for l in range(L, 0, -1):
        linear_cache, _Z = caches[l - 1]
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
        if lambd:
            A_prev, W, _b = linear_cache
            dW = dW + (lambd / A_prev.shape[1]) * W
        grads["dZ" + str(l)] = dZ
        grads["dW" + str(l)] = dW
        grads["db" + str(l)] = db
        if l > 1 and len(masks):
            dA_prev = dA_prev * masks[l - 2]
            dA_prev = dA_prev / keep_prob
        grads["dA" + str(l - 1)] = dA_prev
        if l > 1:
            dZ = _BACKWARD[hidden_activation](dA_prev, caches[l - 2][1])
    return grads


def _dZL_through_dAL(AL: np.ndarray, Y: np.ndarray, ZL: np.ndarray) -> np.ndarray:
    """The course's C1W4 start of back-propagation: ``dAL = -(Y/AL - (1-Y)/(1-AL))`` through the
    sigmoid backward (equal to ``AL - Y`` up to rounding)."""
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    return sigmoid_backward(dAL, ZL)


def L_model_backward(
    AL: np.ndarray, Y: np.ndarray, caches: Sequence[LayerCache]
) -> dict[str, np.ndarray]:
    """Gradients of ``[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID`` (C1W4).

    As the course: ``dAL = -(Y / AL - (1 - Y) / (1 - AL))`` goes through the sigmoid backward,
    then the layers in reverse. Returns ``dA{l-1}``, ``dW{l}``, ``db{l}`` (and ``dZ{l}``) with the
    shapes of ``A{l-1}``, ``W{l}``, ``b{l}``.
    """
    Y = Y.reshape(AL.shape)
    return backward_pass(_dZL_through_dAL(AL, Y, caches[-1][1]), caches, "relu")


def update_parameters(
    parameters: Parameters, grads: dict[str, np.ndarray], learning_rate: float
) -> Parameters:
    """One gradient-descent step ``W{l} -= lr dW{l}``, ``b{l} -= lr db{l}``; returns a new dict."""
    updated: Parameters = {}
    for l in range(1, num_layers(parameters) + 1):
        updated["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        updated["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return updated


def l2_cost(parameters: Parameters, lambd: float, m: int) -> float:
    """L2 penalty ``lambd / (2 m) * sum_l ||W{l}||_F^2`` of all weight matrices."""
    squares = sum(
        np.sum(np.square(parameters["W" + str(l)])) for l in range(1, num_layers(parameters) + 1)
    )
    return float((lambd / (2 * m)) * np.sum(squares))


# --------------------------------------------------------------------------- training
def train_full_batch(
    X: np.ndarray,
    Y: np.ndarray,
    parameters: Parameters,
    learning_rate: float,
    num_iterations: int,
    *,
    hidden_activation: Activation = "relu",
    output_grad: Literal["dA", "dZ"] = "dZ",
    ignore_nan: bool = False,
    lambd: float = 0.0,
    keep_prob: float = 1.0,
    dropout_seed: int | None = 1,
    record_every: int = 100,
    print_every: int | None = None,
) -> tuple[Parameters, list[float]]:
    """Batch gradient descent on X ``(n_x, m)``, Y ``(1, m)``: the loop of every full-batch model.

    Each iteration: forward (with dropout when ``keep_prob < 1``, reseeding the global
    generator with ``dropout_seed`` first, as the course's dropout forward does at every call),
    cost (cross-entropy, ``nansum`` with ``ignore_nan``, plus ``lambd / (2m) sum ||W||^2``),
    backward, update. The backward starts from ``dAL`` through the sigmoid backward
    (``output_grad="dA"``, C1W4) or from ``dZL = AL - Y`` (``"dZ"``, C1W3 and the C2 utils);
    both are the same gradient up to rounding.

    Returns ``(parameters, costs)`` with the cost of iterations 0, ``record_every``, ...
    (recorded whether or not anything is printed). Prints "Cost after iteration i: ..." every
    ``print_every`` iterations when given.
    """
    costs: list[float] = []
    m = Y.shape[1]
    for i in range(num_iterations):
        if keep_prob < 1 and dropout_seed is not None:
            np.random.seed(dropout_seed)
        AL, caches, masks = forward_pass(X, parameters, hidden_activation, keep_prob)
        cost = cross_entropy_cost(AL, Y, ignore_nan=ignore_nan)
        if lambd:
            cost = cost + l2_cost(parameters, lambd, m)
        dZL = _dZL_through_dAL(AL, Y, caches[-1][1]) if output_grad == "dA" else AL - Y
        grads = backward_pass(dZL, caches, hidden_activation, masks, keep_prob, lambd)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % record_every == 0:
            costs.append(cost)
        if print_every and i % print_every == 0:
            print(f"Cost after iteration {i}: {cost}")
    return parameters, costs


def predict(
    X: np.ndarray, y: np.ndarray | None, parameters: Parameters, print_accuracy: bool = False
) -> np.ndarray:
    """0/1 predictions ``(1, m)`` (int) of the L-layer network: ``AL > 0.5``.

    ``y`` ``(1, m)`` is only used to print "Accuracy: ..." when ``print_accuracy`` is set (the
    course always prints it); use :func:`tf_course.scratch.metrics.accuracy` for the value.
    """
    AL, _ = L_model_forward(X, parameters)
    p = (AL > 0.5).astype(int)
    if print_accuracy and y is not None:
        print("Accuracy: " + str(accuracy(p, y)))
    return p


def two_layer_model(
    X: np.ndarray,
    Y: np.ndarray,
    layers_dims: Sequence[int],
    learning_rate: float = 0.0075,
    num_iterations: int = 3000,
    print_cost: bool = False,
) -> tuple[Parameters, list[float]]:
    """C1W4 application: ``LINEAR -> RELU -> LINEAR -> SIGMOID`` trained by batch GD.

    X ``(n_x, m)``, Y ``(1, m)``, ``layers_dims = (n_x, n_h, n_y)``; initialized with
    :func:`initialize_parameters` (seed 1, x0.01). Returns ``(parameters, costs)``, the costs
    of iterations 0, 100, 200, ... (printed as well with ``print_cost``).
    """
    np.random.seed(1)
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    return train_full_batch(
        X,
        Y,
        parameters,
        learning_rate,
        num_iterations,
        output_grad="dA",
        record_every=100,
        print_every=100 if print_cost else None,
    )


def L_layer_model(
    X: np.ndarray,
    Y: np.ndarray,
    layers_dims: Sequence[int],
    learning_rate: float = 0.0075,
    num_iterations: int = 3000,
    print_cost: bool = False,
) -> tuple[Parameters, list[float]]:
    """C1W4 application: ``[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID`` trained by batch GD.

    X ``(n_x, m)``, Y ``(1, m)``, ``layers_dims = [n_x, n[1], ..., n[L]]``; initialized with
    :func:`initialize_parameters_deep_app` (seed 1, ``/ sqrt(n[l-1])``). Returns
    ``(parameters, costs)``, the costs of iterations 0, 100, 200, ...
    """
    np.random.seed(1)
    parameters = initialize_parameters_deep_app(layers_dims)
    return train_full_batch(
        X,
        Y,
        parameters,
        learning_rate,
        num_iterations,
        output_grad="dA",
        record_every=100,
        print_every=100 if print_cost else None,
    )
