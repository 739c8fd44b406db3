"""``tf-course detect``: the YOLO topic's own subcommand, declared in its registry entry.

:func:`register` adds the argument parser (no TensorFlow is imported: ``tf-course --help`` stays
fast); :func:`cmd_detect` imports the detector only when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tf_course.data.course_files import ENV_VAR, resolve_data_dir

DEFAULT_MODELS = "saved_models/yolo"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``detect`` to the ``tf-course`` subparsers, handled by :func:`cmd_detect`."""
    detect = subparsers.add_parser(
        "detect", help="detect objects in images with YOLO; print boxes, save annotated copies")
    detect.add_argument("images", nargs="+", metavar="IMAGE", help="JPEG/PNG files")
    detect.add_argument("--weights", default=None,
                        help="yolo.h5 (course / YAD2K), yolov2.cfg + yolov2.weights (Darknet) or .keras "
                             "(default: the newest detector export in --models)")
    detect.add_argument("--models", default=DEFAULT_MODELS,
                        help="without --weights: the folder of detector exports, i.e. `tf-course run yolo --out`'s "
                             f"yolo subfolder, or one version in it (default: {DEFAULT_MODELS})")
    detect.add_argument("--data-dir", default=None,
                        help=f"course files, for yolo/model_data/yolo_anchors.txt and coco_classes.txt (default: "
                             f"${ENV_VAR}; built-in COCO anchors and names otherwise)")
    detect.add_argument("--out", default="out",
                        help="folder for the annotated images, created if needed (default: out/); two inputs "
                             "of one name are saved as NAME, NAME-2, ...")
    detect.add_argument("--max-boxes", type=int, default=None,
                        help="boxes per image (default: 10 with --weights; an export's own, which can only be "
                             "lowered, without)")
    detect.add_argument("--score-threshold", type=float, default=None,
                        help="minimum box score (default: 0.3, the course's predict, with --weights; an export's "
                             "own, which can only be raised, without)")
    detect.add_argument("--iou-threshold", type=float, default=None,
                        help="NMS IoU (default: 0.5 with --weights; fixed in an export)")
    detect.set_defaults(handler=cmd_detect)


def _check_args(args: argparse.Namespace) -> Path:
    """Refuse bad arguments before any model is loaded; return the ``--out`` folder."""
    from tf_course.console import UsageError

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: expected a folder for the annotated images (existing or new), found a file at {out}")
    if args.max_boxes is not None and args.max_boxes < 1:
        raise UsageError(f"--max-boxes: expected an integer >= 1, found {args.max_boxes}")
    for flag, value in (("--score-threshold", args.score_threshold), ("--iou-threshold", args.iou_threshold)):
        if value is not None and not 0.0 <= value <= 1.0:
            raise UsageError(f"{flag}: expected a number in [0, 1], found {value}")
    return out


def cmd_detect(args: argparse.Namespace) -> int:
    """Detect objects in image files, each on its own: a bad file is reported and the others go on.

    Returns 0 when every image worked, 2 on bad arguments or weights (nothing done) or when any
    image failed (its line ``tf-course detect: FILE: ...`` on stderr).
    """
    from tf_course.console import USER_ERRORS, describe, import_tensorflow_quietly, print_user_error

    try:
        out = _check_args(args)
        data_dir = resolve_data_dir(args.data_dir)
    except USER_ERRORS as exc:
        return print_user_error(exc, prefix="tf-course detect")
    import_tensorflow_quietly(getattr(args, "debug", False))
    from tf_course.detection.predict import predict_each
    from tf_course.detection.pretrained import detection_function

    try:
        detect, class_names = detection_function(
            weights=Path(args.weights) if args.weights else None, models=Path(args.models),
            data_dir=data_dir, max_boxes=args.max_boxes,
            score_threshold=args.score_threshold, iou_threshold=args.iou_threshold)
    except (*USER_ERRORS, ValueError) as exc:  # includes DataError: bad weights, export, anchors, flags
        return print_user_error(exc, prefix="tf-course detect")
    done, failed = predict_each(args.images, detect, class_names, out_dir=out, user_errors=USER_ERRORS)
    for path, exc in failed:  # one line per file, naming it once
        named = str(path) in describe(exc)
        print_user_error(exc, prefix="tf-course detect" if named else f"tf-course detect: {path}")
    print(f"annotated images: {out} ({len(done)} of {len(args.images)})")
    if failed:
        print(f"tf-course detect: {len(failed)} of {len(args.images)} images failed", file=sys.stderr)
        return 2
    return 0
