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
                        help=f"detector exports written by `tf-course run yolo` (default: {DEFAULT_MODELS})")
    detect.add_argument("--data-dir", default=None,
                        help=f"course files, for yolo/model_data/yolo_anchors.txt and coco_classes.txt (default: "
                             f"${ENV_VAR}; built-in COCO anchors and names otherwise)")
    detect.add_argument("--out", default="out", help="folder for the annotated images (default: out/)")
    detect.add_argument("--max-boxes", type=int, default=10, help="with --weights: boxes per image (default: 10)")
    detect.add_argument("--score-threshold", type=float, default=0.3,
                        help="with --weights: minimum box score (default: 0.3, the course's predict)")
    detect.add_argument("--iou-threshold", type=float, default=0.5, help="with --weights: NMS IoU (default: 0.5)")
    detect.set_defaults(handler=cmd_detect)


def cmd_detect(args: argparse.Namespace) -> int:
    """Detect objects in image files; 2 on bad arguments or files, 0 otherwise."""
    from tf_course.detection.predict import predict
    from tf_course.detection.pretrained import detection_function

    try:
        detect, class_names = detection_function(
            weights=Path(args.weights) if args.weights else None, models=Path(args.models),
            data_dir=resolve_data_dir(args.data_dir), max_boxes=args.max_boxes,
            score_threshold=args.score_threshold, iou_threshold=args.iou_threshold)
        predict(args.images, detect, class_names, out_dir=args.out)
    except (FileNotFoundError, ValueError) as exc:  # includes DataError: bad weights, images, anchors
        print(f"tf-course detect: {exc}", file=sys.stderr)
        return 2
    print(f"annotated images: {args.out}")
    return 0
