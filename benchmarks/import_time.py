"""What scikit-learn costs a process that imports TensorFlow, in one run, paired, with ratios.

Keras 3 imports scikit-learn inside ``import tensorflow`` whenever it is installed
(``keras.src.wrappers.sklearn_wrapper`` does ``try: import sklearn``), so every process that
imports TensorFlow pays for it: the ``tf-course`` command and each fresh-process export check.
Whether ``tf_course`` itself imports scikit-learn, or imports it lazily, makes no difference;
only whether it is *installed* does.

Each statement runs in a fresh ``python -c`` process in two variants, alternated within each
repetition (the order flips every repetition, so drift and other load hit both alike):

- ``installed``: the environment as it is;
- ``hidden``: a meta-path finder that refuses ``sklearn`` (as if it were not installed) is put
  in front of ``sys.meta_path`` before the statement runs; the statement must still succeed.

Reported, for wall time and for the child's CPU time (user + system, less sensitive to other load on
a shared machine): the median of each variant, the median of the per-pair differences, and the
ratio of the medians. Both include the interpreter's own start-up (identical in both variants).

Measured on the 2-core development machine (Python 3.11, TensorFlow 2.21, Keras 3.15,
scikit-learn 1.9.1; other sessions' work running, load average 1-10, so wall times are inflated and
the CPU rows are the ones to read), medians of 9 pairs (7 for the second run)::

    import tensorflow (CPU)   installed 10.02 s  hidden 8.19 s  diff +1.74 s  1.22x  (run 2: 9.73 / 7.87, +1.89, 1.24x)
    import tensorflow (wall)  installed 38.11 s  hidden 22.28 s diff +6.46 s 1.71x  (run 2: 16.08 / 12.02, +2.76, 1.34x)
    import keras (CPU)        installed  9.20 s  hidden 7.58 s  diff +1.60 s  1.21x
    import tf_course.cli      0.33 s CPU either way (imports no TensorFlow, no scikit-learn)
    generated circles + moons 0.38 s CPU either way (NumPy); with scikit-learn's make_circles /
                              make_moons as before: 5.24 s wall, 2.26 s CPU against NumPy 0.72 / 0.29 (7 pairs)

Decision: scikit-learn is no longer a run-time dependency (only the ``test`` extra). It costs
every process that imports TensorFlow about 1.6-1.9 s of CPU (the issue measured 0.9 s wall,
1.2x), a run starts several (the command, each fresh-process export check), and ``tf_course``
needs none of it: :func:`tf_course.data.generated.make_circles` / ``make_moons`` are scikit-learn's
algorithm in NumPy, equal bit for bit (tests/data/test_generated.py), and the SIGNS stand-in's
digits are bundled in ``tf_course/data/digits.py`` (tests/data/test_synthetic_digits.py). Keras
runs with scikit-learn absent (the ``hidden`` variant). The saving needs scikit-learn *not
installed*: in a development environment with the ``test`` extra every process still pays it.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

#: prepended to a statement: makes ``import sklearn`` (and its submodules) fail as if not installed
HIDE_SKLEARN = """\
import importlib.abc, sys
class _HideSklearn(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "sklearn" or name.startswith("sklearn."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _HideSklearn())
"""

#: appended to every statement: proves which variant ran
CHECK = "\nimport sys; print('sklearn-loaded' if 'sklearn' in sys.modules else 'sklearn-absent')"

STATEMENTS = {
    "import tensorflow": "import tensorflow",
    "import keras": "import keras",
    "import tf_course.cli": "import tf_course.cli",
    "tf_course.data.generated: circles + moons": (
        "from tf_course.data.generated import load_circles, load_moons; load_circles(); load_moons()"),
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_once(code: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU (user + system) seconds of one fresh ``python -c code``, and the last line it printed."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"expected {code!r} to succeed, found exit {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds, cpu, done.stdout.strip().splitlines()[-1]


def _row(label: str, installed: list[float], hidden: list[float]) -> str:
    inst, hid = statistics.median(installed), statistics.median(hidden)
    diff = statistics.median(a - b for a, b in zip(installed, hidden))
    return f"{label:50s} {inst:9.2f}s {hid:9.2f}s {diff:+7.2f}s {inst / hid:5.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7, help="pairs per statement (default 7)")
    parser.add_argument("--only", choices=sorted(STATEMENTS), action="append",
                        help="time only these statements (repeatable)")
    args = parser.parse_args()

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    variants = {"installed": "", "hidden": HIDE_SKLEARN}
    expected = {"installed": None, "hidden": "sklearn-absent"}
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
          f"{args.repeats} pairs each")
    print(f"{'statement (seconds: wall, then CPU user+sys)':50s} {'installed':>10s} {'hidden':>10s} "
          f"{'diff':>8s} {'ratio':>6s}  sklearn loaded when installed")
    for label, statement in STATEMENTS.items():
        if args.only and label not in args.only:
            continue
        wall: dict[str, list[float]] = {"installed": [], "hidden": []}
        cpu: dict[str, list[float]] = {"installed": [], "hidden": []}
        loaded = "?"
        for i in range(args.repeats + 1):  # the first pair warms the file cache and is dropped
            order = ["installed", "hidden"] if i % 2 == 0 else ["hidden", "installed"]
            for variant in order:
                seconds, cpu_seconds, marker = time_once(variants[variant] + statement + CHECK, env)
                if expected[variant] and marker != expected[variant]:
                    raise RuntimeError(f"expected {expected[variant]} in the {variant} variant, found {marker}")
                if variant == "installed":
                    loaded = "yes" if marker == "sklearn-loaded" else "no"
                if i > 0:
                    wall[variant].append(seconds)
                    cpu[variant].append(cpu_seconds)
        print(_row(label + " (wall)", wall["installed"], wall["hidden"]) + f"  {loaded}")
        print(_row(label + " (CPU)", cpu["installed"], cpu["hidden"]), flush=True)

if __name__ == "__main__":
    main()
