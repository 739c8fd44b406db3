"""The ``tf-course`` command: ``list`` the assignments, ``run`` their pipelines, and the topics' commands.

Thin on purpose: parses arguments, seeds, calls pipelines from the registry, writes the report. A
topic's own subcommands (``detect`` with YOLO, ...) are declared in its registry entry
(``Assignment.commands``) and live in the topic; this module only adds them to the parser.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from tf_course import registry
from tf_course.console import USER_ERRORS, UsageError, describe, import_tensorflow_quietly, print_user_error
from tf_course.data.course_files import ENV_VAR, resolve_data_dir
from tf_course.pipeline import RunContext, export_root, run_key
from tf_course.report import ResultEntry, format_table, run_info, write_report

CHECKPOINTS = ".checkpoints"  # <out>/.checkpoints/<assignment>/<run key>/: what a killed run resumes from
DEBUG_HELP = "show the traceback of a user error (a bad file or argument) too"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tf-course",
        description="The Deep Learning Specialization's assignments in TensorFlow 2 / Keras 3.",
        epilog="User errors (a bad course file, a missing path, a refused argument) print one line "
               "'tf-course: ...' and exit 2; --debug (before or after the command) adds the traceback.",
    )
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the assignments and whether each is implemented").set_defaults(
        handler=lambda args: cmd_list())
    run = sub.add_parser("run", help="run assignment pipelines, export models, print a report")
    run.add_argument("names", nargs="*", metavar="NAME",
                     help="assignments to run (default: all implemented ones; 'all' too)")
    run.add_argument("--data-dir", default=None,
                     help=f"folder with the original course files (default: ${ENV_VAR}; "
                          "without it, generated or synthetic stand-in data is used)")
    run.add_argument("--out", default="saved_models",
                     help="folder the exports go to, one subfolder per assignment (default: saved_models/); "
                          "`tf-course detect --models` reads the yolo one")
    run.add_argument("--quick", action="store_true",
                     help="train briefly (smoke test); exports go to <out>/quick/, never where a server or "
                          "`tf-course detect` looks")
    run.add_argument("--restart", action="store_true",
                     help="delete the checkpoints a killed run left (<out>/.checkpoints/) and train from "
                          "epoch 1; by default a run resumes from them")
    run.add_argument("--report", default=None, help="JSON report path (default: <out>/report.json)")
    run.add_argument("--seed", type=int, default=0,
                     help="random seed (default: 0); assignments whose course fixes its own seeds ignore it "
                          "(marked in the table)")
    run.add_argument("--quiet", action="store_true", help="no progress output")
    formats = "; ".join(f"{a.name}: {a.weights_help}" if a.weights_help else a.name
                        for a in registry.ASSIGNMENTS if a.takes_weights)
    run.add_argument("--weights", default=None,
                     help=f"pretrained weights for the one assignment named ({formats}); "
                          "default: train the offline model")
    _add_assignment_options(run)
    run.set_defaults(handler=cmd_run)
    _add_topic_commands(sub)
    for command in sub.choices.values():  # `tf-course run ... --debug` as well as `tf-course --debug run ...`
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    return parser


def _add_assignment_options(run: argparse.ArgumentParser) -> None:
    """``--<option>`` for each option an entry declares (``Assignment.options``), once per name."""
    declared: dict[str, list[tuple[str, registry.Option]]] = {}
    for a in registry.ASSIGNMENTS:
        for option in a.options:
            declared.setdefault(option.name, []).append((a.name, option))
    for name, owners in declared.items():
        choices = list(dict.fromkeys(c for _, o in owners for c in o.choices))
        text = "; ".join(f"{owner}: {o.help + ', ' if o.help else ''}default {o.default}" for owner, o in owners)
        run.add_argument(f"--{name}", dest=f"option_{name}", default=None, choices=choices, metavar="VALUE",
                         help=f"{text} (one of: {', '.join(choices)})")


def _options_for(assignment: registry.Assignment, args: argparse.Namespace) -> dict[str, str]:
    """The options given on the command line that ``assignment`` declares (values checked)."""
    chosen: dict[str, str] = {}
    for option in assignment.options:
        value = getattr(args, f"option_{option.name}", None)
        if value is None:
            continue
        if value not in option.choices:
            raise ValueError(f"--{option.name}: expected one of {', '.join(option.choices)} for "
                             f"{assignment.name}, found {value!r}")
        chosen[option.name] = value
    return chosen


def _check_options(assignments: Sequence[registry.Assignment], args: argparse.Namespace) -> None:
    """Every option given must be one a selected assignment declares; its values are checked."""
    given = sorted(key.removeprefix("option_") for key, value in vars(args).items()
                   if key.startswith("option_") and value is not None)
    for name in given:
        if not any(a.option(name) for a in assignments):
            takers = ", ".join(a.name for a in registry.ASSIGNMENTS if a.option(name))
            raise ValueError(f"--{name}: expected an assignment that takes it ({takers}) among those run, "
                             f"found {', '.join(a.name for a in assignments)}")
    for a in assignments:
        _options_for(a, args)


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


def _check_out_dir(out_dir: Path) -> None:
    """``--out`` must be a folder or not exist yet: refused before any training."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out: expected a folder for the exports (existing or new), found a file at {out_dir}")


def _remove_checkpoints(folder: Path, root: Path) -> None:
    """Delete ``folder`` and its parents up to and including ``root`` that are left empty."""
    shutil.rmtree(folder, ignore_errors=True)
    for parent in folder.parents:
        if not parent.is_relative_to(root):
            break
        try:
            parent.rmdir()
        except OSError:  # not empty: another run's checkpoints
            break


def cmd_run(args: argparse.Namespace) -> int:
    """Run the selected pipelines, write the report, print the table.

    Returns 0 when all succeeded, 1 when a pipeline failed on a bug (its traceback is printed), else
    2 when a pipeline failed on a user error (a bad course file or ``--weights`` file: one line).
    """
    debug = getattr(args, "debug", False)
    try:
        assignments = _select(args.names)
        data_dir = resolve_data_dir(args.data_dir)
        weights = _weights_for(assignments, args.weights)
        _check_options(assignments, args)
        out_dir = Path(args.out)
        _check_out_dir(out_dir)
    except (KeyError, FileNotFoundError, ValueError) as exc:
        return print_user_error(exc)
    from tf_course.export import verify  # NumPy only (the package's other names load on first use)

    # the shared export checker imports TensorFlow in its own process while this one imports it and
    # runs the first pipeline, so no export waits for its start-up (the time one does is reported apart)
    verify.start_checker()
    import_tensorflow_quietly(debug)
    from tf_course.export.saved_model import recording_run
    from tf_course.train import distribute
    from tf_course.train.seeds import set_seed

    chief = distribute.is_chief()  # under a multi-worker TF_CONFIG only worker 0 cleans up and reports

    report_path = Path(args.report) if args.report else out_dir / "report.json"
    results: list[ResultEntry] = []
    started = time.time()
    for i, a in enumerate(assignments, 1):
        if not args.quiet:
            print(f"[{i}/{len(assignments)}] {a.name} ({a.section})", file=sys.stderr, flush=True)
        set_seed(args.seed)
        options = _options_for(a, args)
        checkpoints = out_dir / CHECKPOINTS / a.name / run_key(args.quick, args.seed, data_dir, weights, options)
        if args.restart:
            shutil.rmtree(checkpoints, ignore_errors=True)
        ctx = RunContext(data_dir=data_dir, out_dir=export_root(out_dir, args.quick), quick=args.quick, seed=args.seed,
                         verbose=not args.quiet, weights=weights, checkpoint_root=checkpoints, options=options)
        t0, waited = time.time(), verify.checker_waited_seconds()
        entry = ResultEntry(name=a.name, section=a.section, status="ok", reference=a.reference,
                            fixed_seed=a.fixed_seed, notes=a.metric_notes)
        try:
            with recording_run(ctx.run_info()):  # every manifest: mode, seed, data dir, command line
                output = a.load()(ctx)
            entry.metrics, entry.data_source, entry.exports = output.metrics, output.data_source, output.exports
        except USER_ERRORS as exc:  # the user's to fix: the whole message, no traceback
            entry.status, entry.error, entry.error_kind = "failed", describe(exc), "user"
            if debug:
                traceback.print_exc()
            print(f"tf-course: {a.name}: {entry.error}", file=sys.stderr)
        except Exception:  # a bug; one failing pipeline must not stop the others
            entry.status, entry.error, entry.error_kind = "failed", traceback.format_exc(), "bug"
            print(entry.error, file=sys.stderr)
        if entry.status == "ok" and chief:  # resumable until the whole pipeline, export included, has succeeded
            _remove_checkpoints(checkpoints, out_dir / CHECKPOINTS)
        # the pipeline's own time: not the time its export waited for the shared checker to start
        entry.checker_wait_seconds = round(verify.checker_waited_seconds() - waited, 2)
        entry.seconds = round(time.time() - t0 - entry.checker_wait_seconds, 2)
        results.append(entry)
    checker = verify.checker_startup()
    run = run_info(seed=args.seed, quick=args.quick, data_dir=str(data_dir) if data_dir else None,
                   exports=str(export_root(out_dir, args.quick)), seconds=round(time.time() - started, 2),
                   export_checker=checker)
    print(format_table(results, quick=args.quick, exports=export_root(out_dir, args.quick), checker=checker))
    if chief:
        write_report(report_path, results, run)
        print(f"report: {report_path}")
    kinds = {r.error_kind for r in results if r.status != "ok"}
    if "bug" in kinds:
        return 1
    if kinds:
        print("hint: rerun with --debug for the traceback", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tf-course`` console script."""
    args = _parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    try:
        return args.handler(args)
    except USER_ERRORS as exc:  # a bad file or argument: one line, the traceback only with --debug
        if debug:
            traceback.print_exc()
        return print_user_error(exc, hint=None if debug else "rerun with --debug for the traceback")
    except BrokenPipeError:  # e.g. `tf-course list | head`: the reader left, nothing is wrong
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the interpreter's final flush quiet
        return 0


if __name__ == "__main__":
    sys.exit(main())
