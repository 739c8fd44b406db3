"""Export infrastructure: the only writer of ``saved_models/``.

One call, :func:`export_and_check`, writes any number of named :class:`Signature` s as a SavedModel,
checks the reloaded export in a separate process without ``tf_course`` and only then publishes it as
``<out>/<name>/<version>/``. Serving functions shared by topics live in :mod:`tf_course.export.serving`.
"""

from tf_course.export.saved_model import ExportResult, Signature, export_and_check, next_version
from tf_course.export.verify import ExportMismatch, verify_signatures

__all__ = ["ExportMismatch", "ExportResult", "Signature", "export_and_check", "next_version",
           "verify_signatures"]
