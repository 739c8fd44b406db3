"""Write a SavedModel of named endpoints: each traced once, every variable stored once.

Keras' ``keras.export.ExportArchive`` (Keras 3.15, TensorFlow backend) does the same job at about
twice the cost, for two reasons measured on this project's ResNet50 (23.6 M parameters):

- it stores every weight twice: once as the ``keras.Variable`` wrappers that ``track()`` lists and
  once as the ``tf.Variable`` objects the endpoint captures (keras-team/keras#23553, open), so the
  export is 183 MB instead of 92 MB and every process that loads it (TF Serving included) restores
  two buffers per weight;
- it hands ``tf.saved_model.save`` the endpoint as a ``tf.function``, which TensorFlow traces again
  inside its save context (the cache key holds the save options), after Keras traced it once to
  list its variables.

Here each endpoint is traced once into a ``ConcreteFunction``, and the SavedModel's root holds that
function, the variables it captures and the TensorFlow resources (lookup tables) of the tracked
objects; the signature names, inputs and outputs are those of the ``tf.TensorSpec`` names and the
returned dict, as with Keras. ResNet50: 5.9 s and 92 MB against 15.0 s and 183 MB
(``benchmarks/export_writer.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import tensorflow as tf

#: one endpoint: a function of the input tensors returning a dict of named outputs, and its input specs
Endpoint = tuple[Callable[..., Mapping[str, tf.Tensor]], Sequence[tf.TensorSpec]]


def trace_endpoint(fn: Callable[..., Mapping[str, tf.Tensor]],
                   inputs: Sequence[tf.TensorSpec]) -> tf.types.experimental.ConcreteFunction:
    """``fn`` traced once for ``inputs`` (autograph off, as Keras' export does)."""
    return tf.function(fn, input_signature=list(inputs), autograph=False).get_concrete_function()


def tracked_resources(objects: Sequence[Any]) -> list[tf.saved_model.experimental.TrackableResource]:
    """The TensorFlow resources (e.g. the hash table of a ``StringLookup``) reachable from ``objects``."""
    found: list[tf.saved_model.experimental.TrackableResource] = []
    for obj in objects:
        for trackable in tf.train.TrackableView(obj).descendants():
            if isinstance(trackable, tf.saved_model.experimental.TrackableResource) and not any(
                    trackable is seen for seen in found):
                found.append(trackable)
    return found


def write_saved_model(path: str | Path, endpoints: Mapping[str, Endpoint], track: Sequence[Any] = ()) -> None:
    """Save ``endpoints`` as the signatures of a SavedModel at ``path``.

    Args:
        path: the SavedModel directory to write (``saved_model.pb``, ``variables/``, ``assets/``).
        endpoints: signature name -> (function, input specs); each spec's ``name`` is the signature's
            input name, the function's returned dict keys are its output names. The loaded object
            also has each endpoint as an attribute of that name.
        track: objects whose TensorFlow resources (lookup tables) the endpoints use; their variables
            need no tracking (the endpoints' captured variables are saved, each once).
    """
    functions = {name: trace_endpoint(fn, inputs) for name, (fn, inputs) in endpoints.items()}
    root = tf.Module()
    variables: list[tf.Variable] = []
    for function in functions.values():
        variables.extend(v for v in function.variables if not any(v is seen for seen in variables))
    root.endpoint_variables = variables
    root.resources = tracked_resources(track)
    for name, function in functions.items():
        setattr(root, name, function)
    tf.saved_model.save(root, str(path), signatures=functions)
