"""``tf-course faces``: enrol, verify and recognise faces against a face-database file.

::

    tf-course faces enroll NAME IMAGE...   # add (or extend) NAME with the images' embeddings
    tf-course faces verify IMAGE NAME      # the course's verify: exit 0 "welcome in", 1 "go away"
    tf-course faces who IMAGE              # the course's who_is_it
    tf-course faces list                   # names and number of embeddings
    tf-course faces remove NAME

``--db`` is the database file (JSON, written atomically). The encoder is ``--weights``: the course's
CSV folder (all 226 files needed: a partial FaceNet is refused), a ``.keras`` file or a
face-encoder SavedModel folder; without it the newest export in ``--models``. :func:`register`
imports no TensorFlow (``tf-course --help`` stays fast); the handlers do.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

DEFAULT_DB = "faces.json"
DEFAULT_MODELS = "saved_models/face_recognition"
COURSE_THRESHOLD = 0.7


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``faces`` (with its sub-commands) to the ``tf-course`` subparsers."""
    faces = subparsers.add_parser("faces", help="face database: enroll, verify, who, list, remove")
    actions = faces.add_subparsers(dest="faces_action", metavar="ACTION", required=True)

    def common(parser: argparse.ArgumentParser, encoder: bool) -> None:
        parser.add_argument("--db", default=DEFAULT_DB, help=f"face database file (default: {DEFAULT_DB})")
        if encoder:
            parser.add_argument("--weights", default=None,
                                help="the course's FaceNet CSV folder, a .keras encoder or a face-encoder "
                                     "SavedModel folder (default: the newest export in --models)")
            parser.add_argument("--models", default=DEFAULT_MODELS,
                                help=f"folder of `tf-course run face_recognition` exports (default: {DEFAULT_MODELS})")
            parser.add_argument("--threshold", type=float, default=None,
                                help="same person when the distance is below it (default: an export's own "
                                     f"threshold, else the course's {COURSE_THRESHOLD})")
        parser.set_defaults(handler=cmd_faces)

    enroll = actions.add_parser("enroll", help="add NAME with the embeddings of one or more images")
    enroll.add_argument("name", metavar="NAME")
    enroll.add_argument("images", nargs="+", metavar="IMAGE")
    enroll.add_argument("--replace", action="store_true", help="replace NAME's embeddings instead of adding")
    common(enroll, True)
    verify = actions.add_parser("verify", help="is the person in IMAGE NAME? (exit 0 yes, 1 no)")
    verify.add_argument("image", metavar="IMAGE")
    verify.add_argument("name", metavar="NAME")
    common(verify, True)
    who = actions.add_parser("who", help="who is in IMAGE?")
    who.add_argument("image", metavar="IMAGE")
    common(who, True)
    common(actions.add_parser("list", help="list the enrolled names"), False)
    remove = actions.add_parser("remove", help="remove NAME")
    remove.add_argument("name", metavar="NAME")
    common(remove, False)


def newest_export(models: Path) -> Path:
    """The highest-numbered version folder under ``models`` (or ``models`` itself if it is one)."""
    if (models / "saved_model.pb").is_file():
        return models
    versions = sorted((p for p in models.glob("*") if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))
    if not versions:
        raise FileNotFoundError(f"--models: expected face-encoder exports <version>/ in {models} (run `tf-course run "
                                f"face_recognition`), found none; or pass --weights")
    return versions[-1]


def load_encoder(weights: str | None, models: str) -> tuple[Any, float | None]:
    """(encoder usable by :func:`tf_course.faces.recognition.img_to_encoding`, the export's threshold or None)."""
    import json

    import keras

    from tf_course.faces.export import ExportedEncoder

    if weights is None:
        path = newest_export(Path(models))
    else:
        path = Path(weights)
        if not path.exists():
            raise FileNotFoundError(f"--weights: expected a CSV folder, .keras file or SavedModel, "
                                    f"found nothing at {path}")
        if path.is_file():
            if path.suffix != ".keras":
                raise ValueError(f"--weights: expected a .keras file or a folder, found {path}")
            return keras.saving.load_model(path), None
        if not (path / "saved_model.pb").is_file():
            from tf_course.faces.model import faceRecoModel
            from tf_course.faces.weights import load_weights_from_FaceNet

            model = faceRecoModel()
            load_weights_from_FaceNet(model, path)  # strict: every missing file is named
            return model, None
    manifest = path / "manifest.json"
    threshold = None
    if manifest.is_file():
        threshold = json.loads(manifest.read_text()).get("faces", {}).get("threshold")
    return ExportedEncoder(path), threshold


def cmd_faces(args: argparse.Namespace) -> int:
    """Run one ``tf-course faces`` action; 0 on success (verify: 1 when it is not the person), 2 on errors."""
    from tf_course.console import USER_ERRORS, import_tensorflow_quietly, print_user_error

    prefix = f"tf-course faces {args.faces_action}"
    action = args.faces_action
    try:
        if action in ("list", "remove"):
            from tf_course.faces.database import FaceDatabase

            db = FaceDatabase.load(args.db)
            if action == "list":
                for name, count in db.list().items():
                    print(f"{name}\t{count}")
                print(f"{len(db)} people in {args.db}")
                return 0
            db.remove(args.name)
            db.save(args.db)
            print(f"removed {args.name} from {args.db}")
            return 0

        import_tensorflow_quietly(getattr(args, "debug", False))
        from tf_course.faces.database import FaceDatabase
        from tf_course.faces.recognition import img_to_encoding, verify, who_is_it

        encoder, export_threshold = load_encoder(args.weights, args.models)
        threshold = args.threshold if args.threshold is not None else (export_threshold or COURSE_THRESHOLD)
        db_path = Path(args.db)
        if action == "enroll":
            encodings = [img_to_encoding(image, encoder) for image in args.images]
            size = encodings[0].shape[-1]
            db = FaceDatabase.load(db_path, embedding_size=size) if db_path.exists() else FaceDatabase(size)
            for encoding in encodings:
                db.add(args.name, encoding, replace=args.replace and encoding is encodings[0])
            db.save(db_path)
            print(f"enrolled {args.name}: {len(db[args.name])} embedding(s) in {db_path}")
            return 0
        db = FaceDatabase.load(db_path)
        if action == "verify":
            dist, door_open = verify(args.image, args.name, db, encoder, threshold)
            print(f"distance {dist:.4f} (threshold {threshold:.4f})")
            return 0 if door_open else 1
        min_dist, identity = who_is_it(args.image, db, encoder, threshold)
        if identity is not None:
            print(f"nearest {identity}, distance {min_dist:.4f} (threshold {threshold:.4f})")
        return 0
    except (*USER_ERRORS, KeyError, ValueError) as exc:  # KeyError: a name not in the database
        return print_user_error(exc, prefix=prefix)
