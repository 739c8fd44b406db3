"""Gradient descent on one ``tf.Variable`` (e.g. the generated image of neural style transfer).

:func:`optimize_variable` runs ``steps`` updates of ``variable`` by ``optimizer`` on the gradient
of ``loss_fn(variable)["total"]``. The steps run inside a ``tf.function`` that loops ``tf.range(k)``
times and returns the ``k`` steps' named losses stacked, so Python runs once per chunk of ``k``
steps (once per ``callback_every`` steps with a callback), not once per step; the function is
traced once for all chunk lengths.

Not distributed: there is one variable (one image) and no batch to split over workers, so under a
multi-worker ``TF_CONFIG`` every worker runs the same optimisation on its own (same start, no
collectives, the same result), says so once on stderr
(:func:`~tf_course.train.distribute.notice_not_distributed`), and only the chief keeps what the
pipeline writes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.train import distribute
from tf_course.train.history import History
from tf_course.train.progress import Progress

LossFn = Callable[[tf.Variable], Mapping[str, tf.Tensor]]
StepCallback = Callable[[int, tf.Variable, dict[str, float]], None]
DEFAULT_CHUNKS = 20  # compiled calls of a run without a callback (progress is updated between them)


def _check_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"optimize_variable: {name}: expected an integer >= 1, found {value!r}")
    return int(value)


def _xla_failure(exc: Exception) -> bool:
    """Whether ``exc`` is XLA refusing to compile (no backend, an op without an XLA kernel)."""
    text = str(exc)
    return any(key in text for key in ("XLA", "xla", "jit_compile", "JIT compilation", "_XlaMustCompile"))


def _xla_reason(exc: Exception) -> str:
    """The informative line of XLA's error (e.g. "Detected unsupported operations ... PyFunc ..."), short."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for key in ("unsupported operations", "XLA", "xla"):
        found = next((line for line in lines if key in line), None)
        if found is not None:
            return found[:400]
    return (lines[0] if lines else type(exc).__name__)[:400]


def _call(run_steps: Callable[[tf.Tensor], tf.Tensor], count: int, first_jit: bool) -> np.ndarray:
    """``run_steps(count)`` as NumPy; on the first call of a jit-compiled run, XLA's refusal as a clear error."""
    if not first_jit:
        return run_steps(tf.constant(count, tf.int32)).numpy()
    try:
        return run_steps(tf.constant(count, tf.int32)).numpy()
    except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError, tf.errors.NotFoundError,
            tf.errors.InternalError) as exc:
        if not _xla_failure(exc):
            raise
        raise RuntimeError(f"optimize_variable: jit_compile=True: expected XLA to compile the step on this "
                           f"machine, found: {_xla_reason(exc)} (run without jit_compile / --jit)") from exc


def optimize_variable(
    variable: tf.Variable,
    loss_fn: LossFn,
    optimizer: keras.optimizers.Optimizer,
    steps: int,
    *,
    callback_every: int | None = None,
    callback: StepCallback | None = None,
    clip: tuple[float, float] | None = None,
    jit_compile: bool = False,
    verbose: bool = True,
) -> History:
    """Minimise ``loss_fn(variable)["total"]`` over ``variable`` for ``steps`` optimizer steps.

    Args:
        variable: a float ``tf.Variable`` of any shape, updated in place.
        loss_fn: ``loss_fn(variable) -> {name: scalar tensor}``, with a ``"total"`` entry that is
            minimised (the others, e.g. ``"content"`` and ``"style"``, are only recorded). Called
            inside a ``tf.function``: TensorFlow ops only.
        optimizer: a Keras optimizer (built for ``variable`` here if it is not built yet).
        steps: number of updates.
        callback_every: steps between two ``callback`` calls (and the chunk of steps one compiled
            call runs); required with ``callback``.
        callback: ``callback(step, variable, losses)`` after ``step`` = ``callback_every``,
            ``2 * callback_every``, ... updates (multiples up to ``steps``), ``losses`` those of
            the last of these steps as floats.
        clip: ``(low, high)``: after each update the variable is clipped to ``[low, high]`` (the
            course clips the generated image to [0, 1]); None for no clipping.
        jit_compile: compile the step with XLA (``tf.function(jit_compile=True)``); the losses
            agree with the default step to float32 rounding (XLA may fuse and reorder sums).
        verbose: :class:`~tf_course.train.progress.Progress` on stderr (a bar on a TTY, else one
            line every tenth of the run).

    Under a multi-worker ``TF_CONFIG`` it runs on every worker alone (see the module's note).

    Returns:
        A :class:`~tf_course.train.history.History` with ``epoch == [0, ..., steps - 1]`` and
        ``history[name][i]`` the loss ``name`` of step ``i``, computed before update ``i``.

    Raises:
        ValueError: bad arguments; ``loss_fn`` without ``"total"``, or a ``"total"`` that does
            not depend on ``variable``; a non-finite loss ("expected a finite loss, found nan at
            step k", k as in ``History.epoch``; the run stops after that step's chunk).
        RuntimeError: ``jit_compile=True`` and XLA cannot compile the step here.
    """
    steps = _check_int("steps", steps)
    if callback is not None and callback_every is None:
        raise ValueError("optimize_variable: expected callback_every with a callback, found callback_every=None")
    if callback_every is not None:
        callback_every = _check_int("callback_every", callback_every)
    if clip is not None:
        low, high = (float(v) for v in clip)
        if not low < high:
            raise ValueError(f"optimize_variable: clip: expected (low, high) with low < high, found {clip!r}")
    if not isinstance(jit_compile, bool):
        raise ValueError(f"optimize_variable: jit_compile: expected True or False, found {jit_compile!r}")
    if not variable.dtype.is_floating:
        raise ValueError(f"optimize_variable: variable: expected a float tf.Variable, found dtype "
                         f"{variable.dtype.name}")
    if not optimizer.built:
        optimizer.build([variable])
    distribute.notice_not_distributed("optimize_variable (style transfer)",
                                      "it optimises one variable: there is no batch to split over the workers")

    names: list[str] = []  # the loss names, in loss_fn's order, known once the step is traced

    @tf.autograph.experimental.do_not_convert
    def step() -> tf.Tensor:
        """One update; returns the losses before it, stacked in ``names`` order, float32 (n_losses,)."""
        with tf.GradientTape() as tape:
            losses = dict(loss_fn(variable))
        if "total" not in losses:
            raise ValueError(f"optimize_variable: expected loss_fn to return a dict with a 'total' loss, "
                             f"found keys {sorted(losses)}")
        gradient = tape.gradient(losses["total"], variable)
        if gradient is None:
            raise ValueError("optimize_variable: expected the 'total' loss to depend on the variable, found no "
                             "gradient")
        optimizer.apply_gradients([(gradient, variable)])
        if clip is not None:
            variable.assign(tf.clip_by_value(variable, low, high))
        names[:] = list(losses)
        return tf.stack([tf.cast(tf.reshape(losses[name], []), tf.float32) for name in names])

    one_step = tf.function(step, jit_compile=True) if jit_compile else step

    @tf.function
    def run_steps(count: tf.Tensor) -> tf.Tensor:
        stacked = tf.TensorArray(tf.float32, size=count)
        for i in tf.range(count):
            stacked = stacked.write(i, one_step())
        return stacked.stack()  # (count, n_losses)

    chunk = callback_every or max(1, math.ceil(steps / DEFAULT_CHUNKS))
    progress = Progress(steps, "step", verbose=verbose)
    rows: list[np.ndarray] = []
    done = 0
    while done < steps:
        count = min(chunk, steps - done)
        values = _call(run_steps, count, jit_compile and done == 0)  # (count, n_losses)
        bad = np.argwhere(~np.isfinite(values))
        if len(bad):
            row, column = bad[0]
            raise ValueError(f"optimize_variable: expected a finite loss, found {values[row, column]} at step "
                             f"{done + row} (loss {names[column]!r})")
        rows.append(values)
        done += count
        last = dict(zip(names, (float(v) for v in values[-1])))
        progress.update(done, last)
        if callback is not None and done % callback_every == 0:
            callback(done, variable, last)
    table = np.concatenate(rows)  # (steps, n_losses)
    return History(epoch=list(range(steps)),
                   history={name: [float(v) for v in table[:, j]] for j, name in enumerate(names)})
