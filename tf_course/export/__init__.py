"""Export infrastructure: the only writer of ``saved_models/``."""

from tf_course.export.saved_model import ExportResult, export_serving, next_version
from tf_course.export.verify import verify_in_fresh_process

__all__ = ["ExportResult", "export_serving", "next_version", "verify_in_fresh_process"]
