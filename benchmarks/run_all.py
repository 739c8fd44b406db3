"""Run every benchmark once, one after the other, each in a fresh process, and keep their outputs.

This is the command behind BENCHMARKS.md: ``python benchmarks/run_all.py --out benchmark_logs``
writes ``<out>/<line>.txt`` (each benchmark's own output: its times and ratios), ``<out>/machine.txt``
(CPU model, cores, memory, library versions, load average before and after) and prints one line per
benchmark with its wall time and exit status. ``--only NAME ...`` runs some lines.

The benchmarks run in turn, never together: on a 2-core machine two benchmarks at once would time
each other. Run it on an otherwise idle machine and read the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: (line name, script, extra arguments): one line of BENCHMARKS.md each, in the course's order
LINES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("logistic_regression_loops", "logistic_regression_loops.py", ()),
    ("deep_nn_loops", "deep_nn_loops.py", ()),
    ("deep_nn_loops_onednn_on", "deep_nn_loops.py", ("--onednn", "on")),
    ("conv_loops", "conv_loops.py", ()),
    ("resnet50_training", "resnet50_training.py", ()),
    ("export_writer", "export_writer.py", ()),
    ("yolo_postprocess", "yolo_postprocess.py", ()),
    ("detector_front_end", "detector_front_end.py", ()),
    ("import_time", "import_time.py", ()),
    ("style_transfer_steps", "style_transfer_steps.py", ()),
    ("face_encoder", "face_encoder.py", ()),
    ("name_sampler", "name_sampler.py", ()),
    ("analogy_search", "analogy_search.py", ()),
    ("nmt_decoding", "nmt_decoding.py", ()),
    ("trigger_word", "trigger_word.py", ()),
)


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def describe_machine() -> str:
    """CPU model, logical cores, memory, Python and library versions, load average (no TensorFlow import)."""
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    flags = next((line.split(":", 1)[1].split() for line in _read("/proc/cpuinfo").splitlines()
                  if line.startswith("flags")), [])
    simd = [flag for flag in ("avx2", "avx512f", "avx512_vnni", "amx_tile") if flag in flags]
    memory = next((line.split(":", 1)[1].strip() for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal")), "unknown")
    versions = subprocess.run(
        [sys.executable, "-c", "import importlib.metadata as m\n"
         "print(', '.join(f'{p} {m.version(p)}' for p in ('tensorflow', 'keras', 'numpy', 'scipy')))"],
        capture_output=True, text=True, check=False).stdout.strip()
    return (f"cpu: {cpu} ({', '.join(simd) or 'no AVX2'}), {os.cpu_count()} logical cores, memory {memory}\n"
            f"python {platform.python_version()}, {versions}\n"
            f"TF_ENABLE_ONEDNN_OPTS={os.environ.get('TF_ENABLE_ONEDNN_OPTS', '(unset: the package default)')}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("benchmark_logs"), help="folder for the outputs")
    parser.add_argument("--only", nargs="+", choices=[name for name, _, _ in LINES], help="run these lines only")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    machine = describe_machine()
    (args.out / "machine.txt").write_text(machine + f"load average before: {os.getloadavg()}\n")
    print(machine, end="")
    failures = 0
    for name, script, extra in LINES:
        if args.only and name not in args.only:
            continue
        command = [sys.executable, str(HERE / script), *extra]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        header = f"$ python benchmarks/{script} {' '.join(extra)}".rstrip()
        (args.out / f"{name}.txt").write_text(f"{header}\n{done.stdout}\n{done.stderr[-4000:]}")
        failures += done.returncode != 0
        print(f"{name:28s} {seconds:7.1f} s  rc {done.returncode}", flush=True)
    with open(args.out / "machine.txt", "a") as handle:
        handle.write(f"load average after: {os.getloadavg()}\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
