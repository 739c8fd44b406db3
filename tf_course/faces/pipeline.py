"""Pipeline ``face_recognition``: synthetic faces -> triplet-trained encoder -> LFW-style evaluation -> export.

The course loads a pretrained FaceNet; its weights are incomplete here (five CSV files are not
public), so the offline default trains a compact encoder
(:func:`tf_course.faces.model.compact_encoder`) from scratch on generated face-like images
(:mod:`tf_course.faces.synthetic`, ``data_source: synthetic``) with ``model.fit`` and a custom
``train_step`` (semi-hard online mining, P identities x K images per batch), then evaluates
verification as LFW does on identities never seen in training (:mod:`tf_course.faces.evaluation`):
10 identity-disjoint folds of matched and mismatched pairs, threshold chosen on nine folds.

Metrics: ``triplet_loss`` (the course's test value, 527.2598), ``verification_accuracy`` (mean over
folds) and ``verification_accuracy_std``,
``roc_auc``, ``tar_at_far_1e-3``, ``threshold`` (chosen on all pairs; the exported verifier
uses it), ``params`` of the encoder and of the course's faceRecoModel (``facenet_params``),
training time and the last epoch's collapse metrics (``d_ap``, ``d_an``, ``active_fraction``).

With ``--data-dir`` holding ``facenet/weights``, the course's CSV files are loaded into
``faceRecoModel`` and the report lists the missing files (``facenet_weights_missing``); the
model is used only if complete (``facenet_weights_complete``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import keras
import numpy as np

from tf_course.faces.evaluation import evaluate_verification, make_pairs
from tf_course.faces.export import export_face_encoder
from tf_course.faces.losses import triplet_loss
from tf_course.faces.model import PARAMS, compact_encoder
from tf_course.faces.synthetic import generate_faces
from tf_course.faces.train import train_encoder
from tf_course.pipeline import PipelineOutput, RunContext

NAME = "face_recognition"
TEST_IDENTITY_OFFSET = 1_000_000  # evaluation identities: never among the training ones


@dataclass(frozen=True)
class Settings:
    """Sizes of one run.

    ``seconds``: stop training at the end of the epoch that passes this much wall-clock time, or None
    (the default runs): a stop by the clock makes the result depend on the machine's load, and the same
    seed must give the same metrics (issue 18), so the default runs always train all their epochs.
    """

    image_size: int
    width: int
    train_identities: int
    train_images: int
    test_identities: int
    test_images: int
    pairs_per_fold: int  # matched and as many mismatched
    epochs: int
    steps: int
    p: int
    k: int
    seconds: float | None
    mining: str = "semi-hard"
    margin: float = 0.5
    learning_rate: float = 1e-3


FULL = Settings(image_size=64, width=16, train_identities=300, train_images=12, test_identities=100,
                test_images=10, pairs_per_fold=300, epochs=10, steps=50, p=16, k=4, seconds=None)
QUICK = Settings(image_size=32, width=8, train_identities=20, train_images=4, test_identities=20, test_images=3,
                 pairs_per_fold=10, epochs=1, steps=3, p=8, k=2, seconds=None)


def course_facenet_report(ctx: RunContext) -> dict[str, object]:
    """Load the course's CSV weights into faceRecoModel when ``ctx.data_dir`` has them; report what is missing."""
    if ctx.data_dir is None or not (ctx.data_dir / "facenet" / "weights").is_dir():
        return {}
    from tf_course.faces.model import faceRecoModel
    from tf_course.faces.weights import load_weights_from_FaceNet

    report = load_weights_from_FaceNet(faceRecoModel(), ctx.data_dir / "facenet" / "weights", allow_missing=True)
    keras.backend.clear_session()
    return {"facenet_weights_loaded_layers": len(report.loaded), "facenet_weights_missing": report.missing_files,
            "facenet_weights_complete": report.complete}


def course_triplet_loss() -> float:
    """The course's test of ``triplet_loss``: seeded ``tf.random.normal`` encodings (527.2598)."""
    import tensorflow as tf

    tf.random.set_seed(1)
    y_pred = (tf.random.normal([3, 128], mean=6, stddev=0.1, seed=1),
              tf.random.normal([3, 128], mean=1, stddev=1, seed=1),
              tf.random.normal([3, 128], mean=3, stddev=4, seed=1))
    return float(triplet_loss(None, y_pred))


def run(ctx: RunContext, settings: Settings | None = None) -> PipelineOutput:
    """Generate faces, train the encoder with triplet mining, evaluate LFW-style on unseen identities, export."""
    s = settings or (QUICK if ctx.quick else FULL)
    course_loss = course_triplet_loss()  # before the run's seed: it sets TensorFlow's global seed
    keras.utils.set_random_seed(ctx.seed)
    start = time.perf_counter()
    train_x, train_y = generate_faces(s.train_identities, s.train_images, s.image_size, seed=ctx.seed)
    test_x, test_y = generate_faces(s.test_identities, s.test_images, s.image_size, seed=ctx.seed,
                                    first_identity=TEST_IDENTITY_OFFSET)
    generate_seconds = time.perf_counter() - start

    encoder = compact_encoder(s.image_size, s.width)
    history, train_seconds = train_encoder(
        encoder, train_x, train_y, epochs=s.epochs, steps=s.steps, p=s.p, k=s.k, mining=s.mining,
        margin=s.margin, learning_rate=s.learning_rate, seconds=s.seconds, seed=ctx.seed,
        verbose=2 if ctx.verbose and not ctx.quick else 0)

    embeddings = encoder.predict(test_x.astype(np.float32) / 255.0, batch_size=256, verbose=0)
    pairs = make_pairs(test_y, 10, s.pairs_per_fold, s.pairs_per_fold, seed=ctx.seed)
    report = evaluate_verification(embeddings, pairs)

    metrics: dict[str, object] = {
        "triplet_loss": course_loss,
        **report.metrics(),
        "params": int(encoder.count_params()),
        "facenet_params": PARAMS,
        "train_identities": s.train_identities, "test_identities": s.test_identities,
        "epochs_run": len(history.get("loss", [])), "train_seconds": round(train_seconds, 1),
        "generate_seconds": round(generate_seconds, 1),
        "epoch_losses": history.get("loss", []),
        **{key: history[key][-1] for key in ("d_ap", "d_an", "active_fraction") if history.get(key)},
        "roc_curve": report.curve,
        **course_facenet_report(ctx),
    }
    data_source = {"faces": "synthetic"}
    result = export_face_encoder(NAME, encoder, ctx.out_dir, test_x[:4], threshold=report.threshold,
                                 metrics={k: v for k, v in metrics.items() if k != "roc_curve"},
                                 data_source=data_source)
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(result.path)])
