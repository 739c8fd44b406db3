"""Export infrastructure: the only writer of ``saved_models/``."""

from tf_course.export.checked import export_and_check
from tf_course.export.saved_model import ExportResult, export_serving, next_version
from tf_course.export.verify import verify_in_fresh_process, verify_signatures_in_fresh_process

__all__ = ["ExportResult", "export_and_check", "export_serving", "next_version", "verify_in_fresh_process",
           "verify_signatures_in_fresh_process"]
