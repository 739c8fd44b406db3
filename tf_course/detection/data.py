"""A generated object-detection data set: coloured shapes on cluttered backgrounds, boxes known exactly.

The offline stand-in for the course's car images (no pretrained ``yolo.h5`` here): each image holds
1 to ``max_objects`` objects of four classes (``circle``, ``square``, ``triangle`` and a side-view
``car`` silhouette with two dark wheels), of varied sizes and colours, drawn over a two-colour
gradient with thin clutter lines, small dots and pixel noise. Objects may overlap partly, but
each keeps at least :data:`MIN_VISIBLE` of its pixels visible, and two boxes never overlap with
IoU above :data:`MAX_BOX_IOU`.

Shapes are rasterised by testing pixel centres ``(col + 0.5, row + 0.5)``, and every box is the
tight box of the object's own pixels (in pixel edges, as fractions of the image), so each drawn
object touches all four sides of its box. Boxes are corners ``[y_min, x_min, y_max, x_max]``.

Everything is drawn from a local ``np.random.default_rng(seed)``: the same arguments give the same
images, and no global random state is touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tf_course.data.validate import check_array
from tf_course.detection.boxes import iou_matrix_np

CLASS_NAMES: tuple[str, ...] = ("circle", "square", "triangle", "car")
IMAGE_SIZE = 96  # pixels; the toy detector's grid is IMAGE_SIZE / 16 = 6 cells
MAX_OBJECTS = 4
MIN_VISIBLE = 0.6  # fraction of an object's pixels that later objects may not cover
MAX_BOX_IOU = 0.35  # the most two boxes of one image may overlap
MIN_OBJECT_PIXELS = 40

# Sizes as fractions of the image side: the shape's nominal extent (circle diameter, square side,
# triangle side, car body length).
SIZE_RANGE = {"circle": (0.14, 0.40), "square": (0.13, 0.36), "triangle": (0.17, 0.46), "car": (0.24, 0.50)}
MIN_COLOUR_DISTANCE = 90.0  # Euclidean RGB distance between an object and its local background

TRAIN_SIZE = 4000
TEST_SIZE = 500
HELD_OUT_SEED = 20_170_914  # the held-out set is the same whatever seed the training set uses


@dataclass(frozen=True, eq=False)
class DetectionDataset:
    """Images and their boxes.

    Attributes:
        images: uint8 (N, H, W, 3).
        boxes: float32 (N, K, 4) corners ``[y_min, x_min, y_max, x_max]`` as fractions of the image;
            padding rows are 0.
        classes: int32 (N, K) class indices into ``class_names``; -1 marks a padding row.
        class_names: the C class names.
        source: where the data came from (``"generated"``).
    """

    images: np.ndarray
    boxes: np.ndarray
    classes: np.ndarray
    class_names: tuple[str, ...]
    source: str = "generated"

    def __post_init__(self) -> None:
        images = check_array(np.asarray(self.images), what="DetectionDataset.images",
                             shape=(None, None, None, 3), dtype_kinds="u")
        if images.dtype != np.uint8:
            raise ValueError(f"DetectionDataset.images: expected dtype uint8, found {images.dtype}")
        n = images.shape[0]
        boxes = check_array(np.asarray(self.boxes), what="DetectionDataset.boxes", shape=(n, None, 4),
                            dtype_kinds="f", finite=True)
        k = boxes.shape[1]
        classes = check_array(np.asarray(self.classes), what="DetectionDataset.classes", shape=(n, k),
                              dtype_kinds="i")
        if not self.class_names:
            raise ValueError("DetectionDataset.class_names: expected at least one class name, found none")
        if classes.size and (classes.min() < -1 or classes.max() >= len(self.class_names)):
            raise ValueError(f"DetectionDataset.classes: expected -1 (padding) or 0..{len(self.class_names) - 1}, "
                             f"found values from {classes.min()} to {classes.max()}")
        real = classes >= 0
        real_boxes = boxes[real]
        if real_boxes.size and (np.any(real_boxes < 0) or np.any(real_boxes > 1)
                                or np.any(real_boxes[:, 2:] <= real_boxes[:, :2])):
            raise ValueError("DetectionDataset.boxes: expected [y_min, x_min, y_max, x_max] fractions in [0, 1] "
                             "with y_min < y_max and x_min < x_max for every non-padding row")
        object.__setattr__(self, "boxes", boxes.astype(np.float32, copy=False))
        object.__setattr__(self, "classes", classes.astype(np.int32, copy=False))
        object.__setattr__(self, "class_names", tuple(self.class_names))

    def __len__(self) -> int:
        return int(self.images.shape[0])

    def __repr__(self) -> str:
        n, height, width = self.images.shape[:3]
        return (f"DetectionDataset({n} images {height}x{width}, {int(np.sum(self.classes >= 0))} objects, "
                f"classes {self.class_names}, source {self.source!r})")

    @property
    def num_classes(self) -> int:
        """C, the number of class names."""
        return len(self.class_names)

    @property
    def image_size(self) -> tuple[int, int]:
        """(H, W) in pixels."""
        return int(self.images.shape[1]), int(self.images.shape[2])

    def subset(self, index: slice | np.ndarray) -> DetectionDataset:
        """The images selected by ``index`` (a slice or an index array), same classes and source."""
        return DetectionDataset(self.images[index], self.boxes[index], self.classes[index], self.class_names,
                                self.source)


@dataclass(frozen=True, eq=False)
class Scene:
    """One generated image with what was drawn (for tests and pictures).

    Attributes:
        image: uint8 (S, S, 3).
        boxes: float32 (n, 4) corners as fractions; ``classes`` int32 (n,).
        masks: bool (n, S, S), each object's full silhouette (before later objects covered part of it).
        colours: float64 (n, 3), each object's main colour before noise.
    """

    image: np.ndarray
    boxes: np.ndarray
    classes: np.ndarray
    masks: np.ndarray
    colours: np.ndarray


def _check_count(value: int, what: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{what}: expected an integer >= {minimum}, found {value!r}")
    return int(value)


def _gradient_background(rng: np.random.Generator, size: int, pixels: np.ndarray) -> np.ndarray:
    """A two-colour linear gradient at a random angle, float (S, S, 3) in 0..255."""
    start, end = rng.uniform(0, 255, size=(2, 3))
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (pixels[..., 0] * np.cos(angle) + pixels[..., 1] * np.sin(angle)) / size  # (S, S), in [-1.42, 1.42]
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    return start + (end - start) * ramp[..., np.newaxis]


def _draw_clutter(rng: np.random.Generator, canvas: np.ndarray, pixels: np.ndarray) -> None:
    """Thin straight lines and small dots (smaller than any object) over the background, in place."""
    size = canvas.shape[0]
    x, y = pixels[..., 0], pixels[..., 1]
    for _ in range(rng.integers(0, 4)):  # lines one or two pixels wide
        (x0, y0), (x1, y1) = rng.uniform(0, size, size=(2, 2))
        dx, dy = x1 - x0, y1 - y0
        length = max(np.hypot(dx, dy), 1e-6)
        along = ((x - x0) * dx + (y - y0) * dy) / length
        across = np.abs((x - x0) * dy - (y - y0) * dx) / length
        mask = (across <= rng.uniform(0.5, 1.0)) & (along >= 0) & (along <= length)
        canvas[mask] = rng.uniform(0, 255, size=3)
    for _ in range(rng.integers(0, 7)):  # dots of radius 1 to 2.5 pixels
        cx, cy = rng.uniform(0, size, size=2)
        mask = (x - cx) ** 2 + (y - cy) ** 2 <= rng.uniform(1.0, 2.5) ** 2
        canvas[mask] = rng.uniform(0, 255, size=3)


def _triangle_mask(x: np.ndarray, y: np.ndarray, vertices: np.ndarray) -> np.ndarray:
    """Pixels inside the triangle ``vertices`` (3, 2) as (x, y): all three edge cross products share a sign."""
    signs = []
    for i in range(3):
        (ax, ay), (bx, by) = vertices[i], vertices[(i + 1) % 3]
        signs.append((bx - ax) * (y - ay) - (by - ay) * (x - ax))
    signs = np.stack(signs)
    return np.all(signs >= 0, axis=0) | np.all(signs <= 0, axis=0)


def _shape_masks(rng: np.random.Generator, name: str, extent: float, cx: float, cy: float,
                 pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The silhouette (S, S) bool of one object centred near (cx, cy), and its dark part (car wheels) or None."""
    x, y = pixels[..., 0], pixels[..., 1]
    if name == "circle":
        return (x - cx) ** 2 + (y - cy) ** 2 <= (extent / 2) ** 2, None
    if name == "square":
        half_w, half_h = extent / 2, extent * rng.uniform(0.85, 1.15) / 2
        return (np.abs(x - cx) <= half_w) & (np.abs(y - cy) <= half_h), None
    if name == "triangle":  # equilateral, any rotation; extent is the side
        radius = extent / np.sqrt(3)
        angles = rng.uniform(0, 2 * np.pi) + np.array([0, 2, 4]) * np.pi / 3
        vertices = np.stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)], axis=1)  # (3, 2)
        return _triangle_mask(x, y, vertices), None
    # car, seen from the side: body, cabin shifted towards the back, two wheels under the body
    length = extent
    body_h = 0.28 * length
    body = (np.abs(x - cx) <= length / 2) & (y >= cy - body_h / 2) & (y <= cy + body_h / 2)
    facing = rng.choice([-1.0, 1.0])
    cabin_cx = cx - facing * 0.08 * length
    cabin_top = cy - body_h / 2 - 0.22 * length
    cabin = (np.abs(x - cabin_cx) <= 0.25 * length) & (y >= cabin_top) & (y <= cy)
    radius = 0.12 * length
    wheels = np.zeros_like(body)
    for offset in (-0.3, 0.3):
        wheels |= (x - (cx + offset * length)) ** 2 + (y - (cy + body_h / 2)) ** 2 <= radius**2
    return body | cabin | wheels, wheels


def _tight_box(mask: np.ndarray) -> np.ndarray:
    """[y_min, x_min, y_max, x_max] in pixel edges (not fractions) of a non-empty (S, S) mask."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return np.array([rows[0], cols[0], rows[-1] + 1, cols[-1] + 1], dtype=np.float64)


def _contrasting_colour(rng: np.random.Generator, background: np.ndarray) -> np.ndarray:
    """A random RGB colour at least MIN_COLOUR_DISTANCE from ``background`` (3,) (the farthest of 20 tries)."""
    candidates = rng.uniform(0, 255, size=(20, 3))
    distances = np.linalg.norm(candidates - background, axis=1)
    good = np.flatnonzero(distances >= MIN_COLOUR_DISTANCE)
    return candidates[good[0]] if good.size else candidates[np.argmax(distances)]


def render_scene(rng: np.random.Generator, image_size: int = IMAGE_SIZE, max_objects: int = MAX_OBJECTS,
                 class_names: tuple[str, ...] = CLASS_NAMES) -> Scene:
    """Draw one image with 1..``max_objects`` objects (fewer when placements keep failing the overlap rules).

    Args:
        rng: the generator everything is drawn from.
        image_size: S, the side in pixels.
        max_objects: the most objects in the image.
        class_names: a subset of :data:`CLASS_NAMES`; class indices refer to this tuple.
    """
    unknown = [name for name in class_names if name not in SIZE_RANGE]
    if unknown or not class_names:
        raise ValueError(f"render_scene: class_names: expected names among {CLASS_NAMES}, found {class_names}")
    pixels = np.stack(np.meshgrid(np.arange(image_size) + 0.5, np.arange(image_size) + 0.5), axis=-1)  # (S, S, 2)
    canvas = _gradient_background(rng, image_size, pixels)
    _draw_clutter(rng, canvas, pixels)
    wanted = int(rng.integers(1, max_objects + 1))
    masks: list[np.ndarray] = []
    visible: list[np.ndarray] = []
    boxes: list[np.ndarray] = []
    classes: list[int] = []
    colours: list[np.ndarray] = []
    for _ in range(wanted):
        for _attempt in range(30):
            label = int(rng.integers(len(class_names)))
            name = class_names[label]
            low, high = SIZE_RANGE[name]
            extent = rng.uniform(low, high) * image_size
            margin = 0.58 * extent  # the triangle reaches extent / sqrt(3) from its centre
            cx, cy = rng.uniform(margin, image_size - margin, size=2)
            mask, dark = _shape_masks(rng, name, extent, cx, cy, pixels)
            if mask.sum() < MIN_OBJECT_PIXELS:
                continue
            box = _tight_box(mask)
            if boxes and iou_matrix_np(box[np.newaxis], np.array(boxes)).max() > MAX_BOX_IOU:
                continue
            full = [m.sum() for m in masks]
            if any((v & ~mask).sum() < MIN_VISIBLE * f for v, f in zip(visible, full)):
                continue
            colour = _contrasting_colour(rng, canvas[mask].mean(axis=0))
            canvas[mask] = colour
            if dark is not None:  # car wheels: a dark grey, lighter when the body is dark
                canvas[dark] = 200.0 if colour.mean() < 70 else rng.uniform(10, 50)
            visible = [v & ~mask for v in visible] + [mask]
            masks.append(mask)
            boxes.append(box)
            classes.append(label)
            colours.append(colour)
            break
    canvas += rng.normal(0.0, rng.uniform(0.0, 10.0), size=canvas.shape)
    image = np.clip(np.rint(canvas), 0, 255).astype(np.uint8)
    box_array = np.array(boxes, dtype=np.float64).reshape(-1, 4) / image_size
    return Scene(image=image, boxes=box_array.astype(np.float32), classes=np.array(classes, dtype=np.int32),
                 masks=np.array(masks, dtype=bool).reshape(-1, image_size, image_size),
                 colours=np.array(colours, dtype=np.float64).reshape(-1, 3))


def _generate(rng: np.random.Generator, num_images: int, image_size: int, max_objects: int) -> DetectionDataset:
    images = np.zeros((num_images, image_size, image_size, 3), dtype=np.uint8)
    boxes = np.zeros((num_images, max_objects, 4), dtype=np.float32)
    classes = np.full((num_images, max_objects), -1, dtype=np.int32)
    for i in range(num_images):
        scene = render_scene(rng, image_size, max_objects)
        n = len(scene.classes)
        images[i] = scene.image
        boxes[i, :n] = scene.boxes
        classes[i, :n] = scene.classes
    return DetectionDataset(images=images, boxes=boxes, classes=classes, class_names=CLASS_NAMES, source="generated")


def generate_detection_dataset(num_images: int, image_size: int = IMAGE_SIZE, max_objects: int = MAX_OBJECTS,
                               seed: int = 0) -> DetectionDataset:
    """``num_images`` generated images (see the module docstring), deterministic from ``seed``.

    Args:
        num_images: N >= 1.
        image_size: S, the image side in pixels (>= 32).
        max_objects: K >= 1, the most objects per image and the boxes' padded length.
        seed: seeds a local ``np.random.default_rng``.

    Returns:
        A :class:`DetectionDataset` with images uint8 (N, S, S, 3), boxes float32 (N, K, 4),
        classes int32 (N, K) (-1 for padding rows), class names :data:`CLASS_NAMES`.
    """
    num_images = _check_count(num_images, "generate_detection_dataset: num_images", 1)
    image_size = _check_count(image_size, "generate_detection_dataset: image_size", 32)
    max_objects = _check_count(max_objects, "generate_detection_dataset: max_objects", 1)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"generate_detection_dataset: seed: expected a non-negative integer, found {seed!r}")
    return _generate(np.random.default_rng(int(seed)), num_images, image_size, max_objects)


def load_detection_splits(seed: int = 0, num_train: int = TRAIN_SIZE, num_test: int = TEST_SIZE,
                          image_size: int = IMAGE_SIZE,
                          max_objects: int = MAX_OBJECTS) -> tuple[DetectionDataset, DetectionDataset]:
    """The training set (from ``seed``) and the held-out test set (always from :data:`HELD_OUT_SEED`).

    The two are drawn from different streams (``default_rng([seed, 0])`` and
    ``default_rng([HELD_OUT_SEED, 1])``), so no training seed reproduces the test images, and the
    test set does not change with the training seed.
    """
    num_train = _check_count(num_train, "load_detection_splits: num_train", 1)
    num_test = _check_count(num_test, "load_detection_splits: num_test", 1)
    image_size = _check_count(image_size, "load_detection_splits: image_size", 32)
    max_objects = _check_count(max_objects, "load_detection_splits: max_objects", 1)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"load_detection_splits: seed: expected a non-negative integer, found {seed!r}")
    train = _generate(np.random.default_rng([int(seed), 0]), num_train, image_size, max_objects)
    test = _generate(np.random.default_rng([HELD_OUT_SEED, 1]), num_test, image_size, max_objects)
    return train, test
