"""The ``tf-course`` command: ``list`` the assignments, ``run`` their pipelines, and the topics' commands.

Thin on purpose: parses arguments, seeds, calls pipelines from the registry, writes the report. A
topic's own subcommands (``detect`` with YOLO, ...) are declared in its registry entry
(``Assignment.commands``) and live in the topic; this module only adds them to the parser.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from tf_course import registry
from tf_course.data.course_files import ENV_VAR, resolve_data_dir
from tf_course.pipeline import RunContext
from tf_course.report import ResultEntry, format_table, run_info, write_report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tf-course",
        description="The Deep Learning Specialization's assignments in TensorFlow 2 / Keras 3.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the assignments and whether each is implemented").set_defaults(
        handler=lambda args: cmd_list())
    run = sub.add_parser("run", help="run assignment pipelines, export models, print a report")
    run.add_argument("names", nargs="*", metavar="NAME",
                     help="assignments to run (default: all implemented ones; 'all' too)")
    run.add_argument("--data-dir", default=None,
                     help=f"folder with the original course files (default: ${ENV_VAR}; "
                          "without it, generated or synthetic stand-in data is used)")
    run.add_argument("--out", default="saved_models", help="export root (default: saved_models/)")
    run.add_argument("--quick", action="store_true", help="train briefly (smoke test)")
    run.add_argument("--report", default=None, help="JSON report path (default: <out>/report.json)")
    run.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    run.add_argument("--quiet", action="store_true", help="no progress output")
    formats = "; ".join(f"{a.name}: {a.weights_help}" if a.weights_help else a.name
                        for a in registry.ASSIGNMENTS if a.takes_weights)
    run.add_argument("--weights", default=None,
                     help=f"pretrained weights for the one assignment named ({formats}); "
                          "default: train the offline model")
    run.set_defaults(handler=cmd_run)
    _add_topic_commands(sub)
    return parser


def _add_topic_commands(sub: registry.Subparsers) -> None:
    """The subcommands the registry's entries declare (``Assignment.commands``), in registry order."""
    for a in registry.ASSIGNMENTS:
        for target, register in zip(a.commands, a.command_registrars()):
            before = dict(sub.choices)
            try:
                register(sub)
            except argparse.ArgumentError as exc:  # Python >= 3.11 refuses a second parser of one name
                raise ValueError(f"{a.name}: {target}: expected a command name no other entry uses, "
                                 f"found {exc}") from None
            clashes = [name for name, parser in before.items() if sub.choices[name] is not parser]
            if clashes:  # Python 3.10 silently replaces it
                raise ValueError(f"{a.name}: {target}: expected a command name no other entry uses, "
                                 f"found {', '.join(clashes)} already registered")


def cmd_list() -> int:
    """Print every assignment, its section and whether it is implemented."""
    width = max(len(a.name) for a in registry.ASSIGNMENTS)
    for a in registry.ASSIGNMENTS:
        state = "implemented" if a.implemented else "not implemented yet"
        print(f"{a.name:<{width}}  {a.section:<20}  {state:<19}  {a.title}")
    return 0


def _select(names: Sequence[str]) -> list[registry.Assignment]:
    if not names or list(names) == ["all"]:
        return [a for a in registry.ASSIGNMENTS if a.implemented]
    chosen = [registry.get(n) for n in names]
    missing = [a.name for a in chosen if not a.implemented]
    if missing:
        raise KeyError(f"expected implemented assignments, found not implemented yet: {', '.join(missing)} "
                       "(see `tf-course list`)")
    return chosen


def _weights_for(assignments: Sequence[registry.Assignment], weights: str | None) -> Path | None:
    """``--weights`` applies to exactly one named assignment; the path must exist."""
    if weights is None:
        return None
    if len(assignments) != 1:
        raise ValueError(f"--weights needs exactly one assignment name, found {len(assignments)}")
    if not assignments[0].takes_weights:
        takers = ", ".join(a.name for a in registry.ASSIGNMENTS if a.takes_weights)
        raise ValueError(f"--weights: {assignments[0].name} does not use pretrained weights (only: {takers})")
    path = Path(weights)
    if not path.exists():
        raise FileNotFoundError(f"--weights: expected a weights file at {path}, found nothing there")
    return path


def cmd_run(args: argparse.Namespace) -> int:
    """Run the selected pipelines, write the report, print the table; 1 if any failed."""
    try:
        assignments = _select(args.names)
        data_dir = resolve_data_dir(args.data_dir)
        weights = _weights_for(assignments, args.weights)
    except (KeyError, FileNotFoundError, ValueError) as exc:
        print(f"tf-course: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    from tf_course.train.seeds import set_seed

    out_dir = Path(args.out)
    report_path = Path(args.report) if args.report else out_dir / "report.json"
    results: list[ResultEntry] = []
    started = time.time()
    for i, a in enumerate(assignments, 1):
        if not args.quiet:
            print(f"[{i}/{len(assignments)}] {a.name} ({a.section})", file=sys.stderr, flush=True)
        set_seed(args.seed)
        ctx = RunContext(data_dir=data_dir, out_dir=out_dir, quick=args.quick, seed=args.seed,
                         verbose=not args.quiet, weights=weights)
        t0 = time.time()
        entry = ResultEntry(name=a.name, section=a.section, status="ok", reference=a.reference)
        try:
            output = a.load()(ctx)
            entry.metrics, entry.data_source, entry.exports = output.metrics, output.data_source, output.exports
        except Exception:  # one failing pipeline must not stop the others
            entry.status, entry.error = "failed", traceback.format_exc()
            print(entry.error, file=sys.stderr)
        entry.seconds = round(time.time() - t0, 2)
        results.append(entry)
    run = run_info(seed=args.seed, quick=args.quick, data_dir=str(data_dir) if data_dir else None,
                   seconds=round(time.time() - started, 2))
    write_report(report_path, results, run)
    print(format_table(results, quick=args.quick))
    print(f"report: {report_path}")
    return 1 if any(r.status != "ok" for r in results) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tf-course`` console script."""
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # e.g. `tf-course list | head`: the reader left, nothing is wrong
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the interpreter's final flush quiet
        return 0


if __name__ == "__main__":
    sys.exit(main())
