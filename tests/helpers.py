"""Round-trip assertions shared by the tests (``from tests.helpers import ...``).

- :func:`assert_keras_round_trip`: a Keras layer or model survives ``get_config``/``from_config``
  and a ``.keras`` save/load with the same outputs.
- :func:`assert_served_export`: an exported SavedModel, reloaded in a separate process that cannot
  import ``tf_course`` (the checker of :mod:`tf_course.export.verify`), gives the expected outputs
  per signature.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keras
import numpy as np

from tf_course.export.verify import compare_outputs, run_signatures

Arrays = Mapping[str, np.ndarray]


def _flat(outputs: Any) -> list[np.ndarray]:
    return [np.asarray(x) for x in keras.tree.flatten(outputs)]


def _assert_same_outputs(what: str, got: Any, want: Any) -> None:
    got, want = _flat(got), _flat(want)
    assert len(got) == len(want), f"{what}: expected {len(want)} outputs, found {len(got)}"
    for i, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_array_equal(g, w, err_msg=f"{what}: output {i}")


def _as_model(layer: keras.layers.Layer, inputs: Any) -> keras.Model:
    """A functional model around ``layer`` with one ``keras.Input`` per input array (batch dim free)."""
    symbolic = keras.tree.map_structure(
        lambda x: keras.Input(shape=np.shape(x)[1:], dtype=str(np.asarray(x).dtype)), inputs)
    return keras.Model(symbolic, layer(symbolic))


def assert_keras_round_trip(layer_or_model: keras.layers.Layer, inputs: Any, tmp_path: Path) -> keras.Model:
    """``layer_or_model`` rebuilt from its config, and saved to / loaded from ``.keras``, gives the same outputs.

    Args:
        layer_or_model: a built or unbuilt layer, or a model (custom classes must be registered
            serializable).
        inputs: an array, or a list / dict of arrays, with a batch axis; what the object is called on.
        tmp_path: where the ``.keras`` file goes.

    Returns:
        The model loaded from the ``.keras`` file (a layer is wrapped in a functional model).
    """
    expected = layer_or_model(inputs)
    clone = type(layer_or_model).from_config(layer_or_model.get_config())
    clone(inputs)  # builds the clone's weights
    clone.set_weights(layer_or_model.get_weights())
    assert clone.get_config() == layer_or_model.get_config(), "get_config/from_config: the configs differ"
    _assert_same_outputs("get_config/from_config", clone(inputs), expected)

    model = layer_or_model if isinstance(layer_or_model, keras.Model) else _as_model(layer_or_model, inputs)
    path = Path(tmp_path) / "round_trip.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe mode: a Lambda layer would be refused here
    _assert_same_outputs(".keras save/load", loaded(inputs), expected)
    return loaded


def assert_served_export(
    export_dir: str | Path,
    checks: Mapping[str, tuple[Arrays, Arrays]],
    atol: float = 1e-5,
) -> dict[str, dict[str, np.ndarray]]:
    """Each signature of ``export_dir``, run in a process without ``tf_course``, gives ``expected``.

    Args:
        export_dir: a SavedModel directory (``<out>/<name>/<version>``).
        checks: ``{signature: (inputs, expected)}``: named input arrays and the named outputs they
            must give (same shape, within ``atol``).

    Returns:
        ``{signature: {output_name: array}}``, the served outputs, for further assertions.
    """
    outputs, _ = run_signatures(export_dir, {signature: inputs for signature, (inputs, _) in checks.items()})
    for signature, (_, expected) in checks.items():
        compare_outputs(f"{export_dir} [{signature}]", outputs[signature], expected, atol)
    return outputs


_HIDE_SKLEARN = (
    "import importlib.abc, sys\n"
    "class Hide(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] == 'sklearn':\n"
    "            raise ModuleNotFoundError(name)\n"
    "sys.meta_path.insert(0, Hide())\n"
)


def run_without_sklearn(code: str) -> str:
    """Run ``code`` in a fresh Python where ``import sklearn`` fails (as after ``pip install .`` without
    the test extra); assert it exits 0 and return its stdout."""
    done = subprocess.run([sys.executable, "-c", _HIDE_SKLEARN + code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout
