"""Training the toy detector with the YOLOv2 loss, and measuring its mAP@0.5 with ``YoloNMS``.

:func:`train_toy_detector` encodes the targets once (NumPy, :func:`~tf_course.detection.targets.encode_targets`),
streams ``(image, targets)`` through ``tf.data`` with random horizontal flips (the targets are
flipped with the image: cell column ``j -> gw - 1 - j``, ``x_cell -> 1 - x_cell``, ``x -> 1 - x``), and
runs ``model.fit`` on a thin :class:`YoloTrainer` whose ``train_step`` applies
:func:`~tf_course.detection.loss.yolo_loss_terms`; Adam with a cosine-decayed learning rate. With a
``checkpoint_dir`` the fit saves detector, optimizer and history after every epoch and a re-run
resumes from there (:func:`~tf_course.train.fit_resumable`), with the same numbers.
The detector itself stays a plain functional model (what gets saved and exported).

:func:`evaluate_detector` runs the detector, ``yolo_head`` and ``YoloNMS`` (per-class NMS) over a
:class:`~tf_course.detection.data.DetectionDataset` and scores the detections with
:func:`~tf_course.detection.metrics.mean_average_precision` at IoU 0.5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_course.detection.data import DetectionDataset
from tf_course.detection.head import as_anchors, yolo_head
from tf_course.detection.loss import yolo_loss_terms
from tf_course.detection.metrics import mean_average_precision
from tf_course.detection.nms import YoloNMS
from tf_course.detection.targets import TOY_ANCHORS, encode_targets
from tf_course.detection.toy import build_toy_detector
from tf_course.train import History, ProgressLogger, fit_resumable

LOSS_TERMS = ("confidence", "classification", "coordinates")


@dataclass(frozen=True)
class ToySettings:
    """A training configuration of the toy detector (data sizes, optimisation, evaluation).

    ``DEFAULT_SETTINGS`` reaches mAP@0.5 >= 0.7 on the held-out set; ``QUICK_SETTINGS`` trains in
    well under a minute (smoke runs, notebooks in tests) and detects only roughly.
    """

    num_train: int
    num_test: int
    epochs: int
    batch_size: int
    learning_rate: float
    score_threshold: float = 0.02  # low, so that the precision-recall curve reaches high recall
    iou_threshold: float = 0.45  # per-class NMS
    max_boxes: int = 20


DEFAULT_SETTINGS = ToySettings(num_train=4000, num_test=500, epochs=10, batch_size=16, learning_rate=2e-3)
QUICK_SETTINGS = ToySettings(num_train=1500, num_test=200, epochs=3, batch_size=16, learning_rate=3e-3)


def flip_targets_horizontally(images: tf.Tensor, true_boxes: tf.Tensor, detectors_mask: tf.Tensor,
                              matching_true_boxes: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
    """Mirror a batch left-right, targets included.

    Args:
        images: (b, H, W, 3); true_boxes: (b, K, 5) ``(x, y, w, h, class)``, zero rows for padding;
        detectors_mask: (b, gh, gw, A, 1); matching_true_boxes: (b, gh, gw, A, 5).

    Returns:
        The same four, mirrored: equal to encoding the mirrored boxes, except for a centre exactly
        on a cell border (then the object stays in the mirrored cell with ``x_cell = 1``).
    """
    images = tf.reverse(images, axis=[2])  # (b, H, W, 3), W reversed
    real = true_boxes[..., 2:3] > 0  # (b, K, 1)
    true_boxes = tf.concat([tf.where(real, 1.0 - true_boxes[..., 0:1], 0.0), true_boxes[..., 1:]], axis=-1)
    detectors_mask = tf.reverse(detectors_mask, axis=[2])  # (b, gh, gw, A, 1), gw reversed
    matching_true_boxes = tf.reverse(matching_true_boxes, axis=[2])  # (b, gh, gw, A, 5), gw reversed
    flipped_x = tf.where(detectors_mask > 0, 1.0 - matching_true_boxes[..., 0:1], 0.0)  # (b, gh, gw, A, 1)
    matching_true_boxes = tf.concat([flipped_x, matching_true_boxes[..., 1:]], axis=-1)
    return images, true_boxes, detectors_mask, matching_true_boxes


def random_flip(images: tf.Tensor, true_boxes: tf.Tensor, detectors_mask: tf.Tensor,
                matching_true_boxes: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
    """:func:`flip_targets_horizontally` on a random half of the batch (each example with probability 1/2)."""
    flipped = flip_targets_horizontally(images, true_boxes, detectors_mask, matching_true_boxes)
    chosen = tf.random.uniform(tf.shape(images)[:1]) < 0.5  # (b,)

    def pick(new: tf.Tensor, old: tf.Tensor) -> tf.Tensor:
        mask = tf.reshape(chosen, tf.concat([tf.shape(chosen), tf.ones([tf.rank(old) - 1], tf.int32)], 0))
        return tf.where(mask, new, old)  # mask (b, 1, ..., 1) broadcasts over each example

    return tuple(pick(new, old) for new, old in zip(flipped, (images, true_boxes, detectors_mask,
                                                               matching_true_boxes)))


def detection_training_data(dataset: DetectionDataset, anchors: Sequence[float] | np.ndarray,
                            grid_shape: tuple[int, int], batch_size: int, flip: bool = True) -> tf.data.Dataset:
    """``tf.data`` of ``(images, (true_boxes, detectors_mask, matching_true_boxes))``, shuffled each epoch.

    Images are float32 (b, H, W, 3) in [0, 1]; the targets as :func:`~tf_course.detection.targets.encode_targets`
    returns them, with a random horizontal flip per example when ``flip``. Shuffling and flips
    draw from TensorFlow's global seed (set at the entry point), not from a seed fixed here.
    """
    true_boxes, detectors_mask, matching = encode_targets(dataset.boxes, dataset.classes, anchors, grid_shape)
    data = tf.data.Dataset.from_tensor_slices((dataset.images, true_boxes, detectors_mask, matching))
    data = data.shuffle(len(dataset), reshuffle_each_iteration=True).batch(batch_size)

    def prepare(images: tf.Tensor, boxes: tf.Tensor, mask: tf.Tensor, match: tf.Tensor) -> tuple:
        images = tf.cast(images, tf.float32) / 255.0  # uint8 (b, H, W, 3) -> float32 in [0, 1]
        if flip:
            images, boxes, mask, match = random_flip(images, boxes, mask, match)
        return images, (boxes, mask, match)

    # a sequential map (cheap: one vectorised call per batch) keeps the flips' random draws in a fixed order,
    # so that the same global seed gives the same training run
    return data.map(prepare).prefetch(tf.data.AUTOTUNE)


class YoloTrainer(keras.Model):
    """Wraps a detector for ``fit``: ``train_step`` minimises the YOLOv2 loss (mean over the batch of per-image sums).

    Logs ``loss`` and its halves ``confidence``, ``classification``, ``coordinates``
    (``loss = confidence + classification + coordinates``). Not meant to be saved: save ``detector``.
    """

    def __init__(self, detector: keras.Model, anchors: Sequence[float] | np.ndarray, num_classes: int,
                 class_loss: str = "squared", **kwargs):
        super().__init__(**kwargs)
        self.detector = detector
        self.anchors = as_anchors(anchors).tolist()
        self.num_classes = int(num_classes)
        self.class_loss = class_loss
        self.trackers = {name: keras.metrics.Mean(name=name) for name in ("loss", *LOSS_TERMS)}
        # No variables of its own (the detector is built, the trackers create theirs above), so built
        # now: save_weights/load_weights (fit_resumable's checkpoints) refuse an unbuilt model.
        self.built = True

    def call(self, images: tf.Tensor, training: bool = False) -> tf.Tensor:
        return self.detector(images, training=training)

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return list(self.trackers.values())

    def _compute_terms(self, images: tf.Tensor, targets: tuple, training: bool) -> dict[str, tf.Tensor]:
        true_boxes, detectors_mask, matching_true_boxes = targets
        output = self.detector(images, training=training)
        terms = yolo_loss_terms(output, true_boxes, detectors_mask, matching_true_boxes, self.anchors,
                                self.num_classes, class_loss=self.class_loss)
        halves = {name: 0.5 * tf.reduce_mean(value) for name, value in terms.items()}  # (b,) -> ()
        return {"loss": tf.add_n(list(halves.values())), **halves}

    def _record(self, losses: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        for name, value in losses.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def train_step(self, data: tuple) -> dict[str, tf.Tensor]:
        images, targets = data
        with tf.GradientTape() as tape:
            losses = self._compute_terms(images, targets, training=True)
        variables = self.detector.trainable_variables
        self.optimizer.apply(tape.gradient(losses["loss"], variables), variables)
        return self._record(losses)

    def test_step(self, data: tuple) -> dict[str, tf.Tensor]:
        images, targets = data
        return self._record(self._compute_terms(images, targets, training=False))


def train_toy_detector(
    train: DetectionDataset,
    anchors: Sequence[float] | np.ndarray = TOY_ANCHORS,
    epochs: int = DEFAULT_SETTINGS.epochs,
    batch_size: int = DEFAULT_SETTINGS.batch_size,
    learning_rate: float = DEFAULT_SETTINGS.learning_rate,
    verbose: int = 0,
    model: keras.Model | None = None,
    flip: bool = True,
    class_loss: str = "squared",
    checkpoint_dir: str | Path | None = None,
) -> tuple[keras.Model, History]:
    """Train :func:`~tf_course.detection.toy.build_toy_detector` (or ``model``) on ``train``.

    Args:
        train: the training images and boxes.
        anchors: A (width, height) pairs in grid cells (:data:`~tf_course.detection.targets.TOY_ANCHORS`).
        epochs, batch_size: passes over ``train`` and images per step.
        learning_rate: Adam's initial rate, cosine-decayed to 0 over all steps.
        verbose: 0 silent, 1 progress (:class:`~tf_course.train.ProgressLogger`: a bar on a TTY, else
            one line per epoch, on stderr).
        model: a detector to train instead of a fresh toy detector (raw YOLO output, float images in [0, 1]).
        flip: random horizontal flips.
        class_loss: ``"squared"`` (YAD2K) or ``"crossentropy"`` (see :mod:`~tf_course.detection.loss`).
            Squared stays the default: with 4000 images, 10 epochs, batch 32, seed 0, cross-entropy
            reached map50 0.876 against 0.864, a difference within the spread between seeds.
        checkpoint_dir: save detector, optimizer (step counter included: the cosine schedule) and
            history there after every epoch and resume from the last saved epoch
            (:func:`~tf_course.train.fit_resumable`, which also replays the shuffle order); None:
            no checkpoints. Left in place; the caller removes it.

    Returns:
        ``(model, history)``: the trained detector and its :class:`~tf_course.train.History`:
        ``history.history`` holds ``"loss", "confidence", "classification", "coordinates"``, one
        value per epoch (mean over the epoch's steps), ``history.seconds`` each epoch's wall time.
    """
    anchors = as_anchors(anchors)
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"train_toy_detector: {name}: expected an integer >= 1, found {value!r}")
    if not learning_rate > 0:
        raise ValueError(f"train_toy_detector: learning_rate: expected a positive number, found {learning_rate!r}")
    height, width = train.image_size
    if model is None:
        model = build_toy_detector((height, width, 3), len(anchors), train.num_classes)
    depth = len(anchors) * (5 + train.num_classes)
    if tuple(model.output.shape[-1:]) != (depth,):
        raise ValueError(f"train_toy_detector: model: expected {len(anchors)} anchors x (5 + {train.num_classes}) = "
                         f"{depth} output channels, found output shape {tuple(model.output.shape)}")
    grid_shape = (int(model.output.shape[1]), int(model.output.shape[2]))
    data = detection_training_data(train, anchors, grid_shape, batch_size, flip=flip)
    steps = epochs * int(np.ceil(len(train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps)
    trainer = YoloTrainer(model, anchors, train.num_classes, class_loss=class_loss)
    trainer.compile(optimizer=keras.optimizers.Adam(schedule))
    callbacks: list[keras.callbacks.Callback] = [ProgressLogger(epochs)] if verbose else []
    history = fit_resumable(trainer, data, epochs, checkpoint_dir, callbacks=callbacks, verbose=0,
                            shuffle=False)  # data reshuffles
    return model, history


def predict_detections(
    model: keras.Model,
    images: np.ndarray,
    anchors: Sequence[float] | np.ndarray,
    num_classes: int,
    score_threshold: float = DEFAULT_SETTINGS.score_threshold,
    iou_threshold: float = DEFAULT_SETTINGS.iou_threshold,
    max_boxes: int = DEFAULT_SETTINGS.max_boxes,
    batch_size: int = 64,
) -> dict[str, np.ndarray]:
    """Detector -> ``yolo_head`` -> ``YoloNMS`` (per-class) on uint8 images (N, H, W, 3), in batches.

    Returns:
        ``YoloNMS``'s dict as NumPy: ``boxes`` (N, max_boxes, 4) corner fractions, ``scores``
        (N, max_boxes), ``classes`` (N, max_boxes), ``num_detections`` (N,).
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3 or images.dtype != np.uint8:
        raise ValueError(f"predict_detections: images: expected uint8 (N, H, W, 3), found {images.dtype} "
                         f"{images.shape}")
    anchors = as_anchors(anchors)
    nms = YoloNMS(max_boxes=max_boxes, score_threshold=score_threshold, iou_threshold=iou_threshold, per_class=True)

    @tf.function(input_signature=[tf.TensorSpec((None, *images.shape[1:]), tf.uint8)])
    def detect(batch: tf.Tensor) -> dict[str, tf.Tensor]:
        raw = model(tf.cast(batch, tf.float32) / 255.0, training=False)  # (b, gh, gw, A * (5 + C))
        return nms(yolo_head(raw, anchors, num_classes))

    parts = [detect(tf.constant(images[i:i + batch_size])) for i in range(0, len(images), batch_size)]
    return {key: np.concatenate([part[key].numpy() for part in parts]) for key in parts[0]}


def evaluate_detector(
    model: keras.Model,
    dataset: DetectionDataset,
    anchors: Sequence[float] | np.ndarray = TOY_ANCHORS,
    score_threshold: float = DEFAULT_SETTINGS.score_threshold,
    iou_threshold: float = DEFAULT_SETTINGS.iou_threshold,
    max_boxes: int = DEFAULT_SETTINGS.max_boxes,
) -> dict[str, Any]:
    """mAP@0.5 of ``model`` on ``dataset``.

    Args:
        model: a detector of float images in [0, 1] with raw YOLO output.
        dataset: images and true boxes.
        anchors: the anchors ``model`` was trained with.
        score_threshold: ``YoloNMS``'s score threshold (low for mAP, so the ranking reaches high recall).
        iou_threshold: ``YoloNMS``'s NMS IoU threshold (matching a detection to an object always uses 0.5).
        max_boxes: detections kept per image.

    Returns:
        ``{"map50": float, "ap_per_class": {name: float (NaN when the class has no object)},
        "num_images", "num_objects", "num_detections": int}``.
    """
    detections = predict_detections(model, dataset.images, anchors, dataset.num_classes, score_threshold,
                                    iou_threshold, max_boxes)
    map50, ap = mean_average_precision(detections, dataset.boxes, dataset.classes, dataset.num_classes, 0.5)
    return {
        "map50": map50,
        "ap_per_class": {name: float(value) for name, value in zip(dataset.class_names, ap)},
        "num_images": len(dataset),
        "num_objects": int(np.sum(dataset.classes >= 0)),
        "num_detections": int(np.sum(detections["num_detections"])),
    }
