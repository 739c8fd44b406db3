"""What ``saved_model_cli show --all`` says about exports: every signature's named inputs and outputs.

A serving engineer's view of an export folder, with TensorFlow's own tool and no ``tf_course``
code in the loop: for every published version ``<root>/.../<name>/<version>/`` (a folder named by
an integer holding ``saved_model.pb``) it runs ``saved_model_cli show --all --dir`` in a separate
process, parses the SignatureDefs it prints and checks them as
:func:`~tf_course.export.verify.check_serving_layout` and
:func:`~tf_course.export.verify.check_signature_names` do::

    python -m tf_course.export.signatures_cli saved_models/      # or an <out> of tf-course run

prints one block per export (``name/version``, then ``signature: inputs -> outputs`` with dtype
and shape) and exits 1 when an export is not serving-ready.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tf_course.export.verify import NotServingReady, check_serving_layout, check_signature_names

_SIGNATURE = re.compile(r"^signature_def\['(?P<name>[^']+)'\]:", re.MULTILINE)
_TENSOR = re.compile(r"^\s+(?P<kind>inputs|outputs)\['(?P<name>[^']+)'\] tensor_info:\s*\n"
                     r"\s+dtype: (?P<dtype>\S+)\s*\n\s+shape: (?P<shape>[^\n]+)\n", re.MULTILINE)


def parse_show_all(text: str) -> dict[str, dict[str, Any]]:
    """The SignatureDefs in ``saved_model_cli show --all`` output, TensorFlow's internal ones
    (``__saved_model_init_op``) left out.

    Returns:
        ``{signature: {"inputs": {name: {"dtype": "DT_UINT8", "shape": "(-1, 64, 64, 3)"}},
        "outputs": {...}}}``.
    """
    starts = list(_SIGNATURE.finditer(text))
    signatures: dict[str, dict[str, Any]] = {}
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        end = min(end, text.find("\nConcrete Functions:", match.end()) % (len(text) + 1))
        if match["name"].startswith("__"):
            continue
        entry: dict[str, Any] = {"inputs": {}, "outputs": {}}
        for tensor in _TENSOR.finditer(text, match.end(), end):
            entry[tensor["kind"]][tensor["name"]] = {"dtype": tensor["dtype"], "shape": tensor["shape"].strip()}
        signatures[match["name"]] = entry
    return signatures


def show_all(export_dir: str | Path, timeout: float = 300.0) -> str:
    """The text ``saved_model_cli show --all --dir export_dir`` prints (TensorFlow's tool, run as
    ``python -m tensorflow.python.tools.saved_model_cli`` in a fresh process)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
    done = subprocess.run([sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", "show", "--all",
                           "--dir", str(export_dir)], capture_output=True, text=True, timeout=timeout, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"saved_model_cli show --all --dir {export_dir}: exit {done.returncode}\n"
                           f"{done.stderr[-2000:]}")
    return done.stdout


def find_exports(root: str | Path) -> list[Path]:
    """Every published version folder under ``root`` (``.../<name>/<integer>/saved_model.pb``), sorted;
    the working folders of exports in progress (``.tmp-*``) are not published and left out."""
    found = []
    for pb in sorted(Path(root).rglob("saved_model.pb")):
        folder = pb.parent
        if folder.name.isdigit() and not any(part.startswith(".tmp-") for part in folder.parts):
            found.append(folder)
    return found


def inspect_export(export_dir: str | Path) -> dict[str, dict[str, Any]]:
    """:func:`parse_show_all` of one export, checked: TF Serving layout, every signature named.

    Raises:
        NotServingReady: see :func:`~tf_course.export.verify.check_serving_layout` and
            :func:`~tf_course.export.verify.check_signature_names`.
    """
    check_serving_layout(export_dir)
    signatures = parse_show_all(show_all(export_dir))
    check_signature_names(signatures, f"{export_dir} (saved_model_cli)")
    return signatures


def format_signatures(signatures: dict[str, dict[str, Any]]) -> list[str]:
    """One line per signature: ``name: input dtype shape, ... -> output dtype shape, ...``."""

    def side(tensors: dict[str, dict[str, str]]) -> str:
        return ", ".join(f"{name} {t['dtype']} {t['shape']}" for name, t in tensors.items())

    return [f"  {name}: {side(entry['inputs'])} -> {side(entry['outputs'])}" for name, entry in signatures.items()]


def main(argv: Sequence[str] | None = None) -> int:
    """Inspect every export under the given folders; 0 when all are serving-ready, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="python -m tf_course.export.signatures_cli",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("roots", nargs="+", help="export folders (saved_models/, an <out> of tf-course run)")
    args = parser.parse_args(argv)
    failed = 0
    for root in args.roots:
        exports = find_exports(root)
        if not exports:
            print(f"{root}: expected exports <name>/<version>/saved_model.pb, found none", file=sys.stderr)
            failed += 1
        for export_dir in exports:
            try:
                lines = format_signatures(inspect_export(export_dir))
            except (NotServingReady, RuntimeError) as exc:
                print(f"NOT READY {export_dir}: {exc}")
                failed += 1
                continue
            print(f"{export_dir.parent.name}/{export_dir.name} ({export_dir})")
            print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
