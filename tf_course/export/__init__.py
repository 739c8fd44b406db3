"""Export infrastructure: the only writer of ``saved_models/``.

One call, :func:`export_and_check`, writes any number of named :class:`Signature` s as a SavedModel,
checks the reloaded export in a separate process without ``tf_course`` and only then publishes it as
``<out>/<name>/<version>/``. Serving functions shared by topics live in :mod:`tf_course.export.serving`.

The names below are loaded on first use (PEP 562), so that ``tf_course.export.verify`` can start
the shared checker process before the caller imports TensorFlow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # these import TensorFlow
    from tf_course.export.saved_model import ExportResult, Signature, export_and_check, next_version
    from tf_course.export.verify import ExportMismatch, verify_signatures

__all__ = ["ExportMismatch", "ExportResult", "Signature", "export_and_check", "next_version",
           "verify_signatures"]

#: the module each public name lives in
_HOME = {"ExportResult": "saved_model", "Signature": "saved_model", "export_and_check": "saved_model",
         "next_version": "saved_model", "ExportMismatch": "verify", "verify_signatures": "verify"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'tf_course.export' has no attribute {name!r}")
    return getattr(importlib.import_module(f"tf_course.export.{_HOME[name]}"), name)
