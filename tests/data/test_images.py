"""data/images.py: scaling (NumPy and TF agree), image files in and out, in-graph decode and resize."""

from __future__ import annotations

import io

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tf_course.data.images import (
    decode_image,
    image_dataset,
    load_image_batch,
    normalize_images,
    open_image,
    resize_images,
    save_image,
    scale_uint8,
)
from tf_course.data.validate import DataError

ALL_LEVELS = np.arange(256, dtype=np.uint8).reshape(16, 16, 1)


def _pixels(height=30, width=40):
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[:, : width // 2] = (255, 0, 0)  # left half red, right half black
    pixels[0, 0] = (10, 20, 30)
    return pixels


def test_scale_uint8_matches_normalize_images_and_the_course():
    ours = scale_uint8(ALL_LEVELS)
    assert ours.dtype == np.float32 and ours[0, 0, 0] == 0.0 and ours[-1, -1, 0] == 1.0
    np.testing.assert_array_equal(ours, normalize_images(tf.constant(ALL_LEVELS)).numpy())  # bit for bit
    course = ALL_LEVELS / 255.0  # the course's float64 X / 255.
    np.testing.assert_array_equal(scale_uint8(ALL_LEVELS, np.float64), course)
    assert scale_uint8(np.array([51], np.uint8))[0] == np.float32(0.2)  # 51 / 255 = 0.2
    with pytest.raises(ValueError, match="expected a float dtype, found int32"):
        scale_uint8(ALL_LEVELS, np.int32)


def test_open_image_converts_to_rgb(tmp_path):
    Image.fromarray(_pixels()[..., 0], mode="L").save(tmp_path / "grey.png")
    image = open_image(tmp_path / "grey.png")
    assert image.mode == "RGB" and image.size == (40, 30)
    assert np.asarray(image)[0, 0].tolist() == [10, 10, 10] and np.asarray(image)[5, 25].tolist() == [0, 0, 0]


def test_missing_corrupt_and_truncated_files_fail_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="image: expected a file at .*none.jpg, found nothing there"):
        open_image(tmp_path / "none.jpg")
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    with pytest.raises(DataError, match="bad.jpg: expected a JPEG/PNG image, found undecodable data"):
        load_image_batch(tmp_path / "bad.jpg", (8, 8))
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(DataError, match="empty.png: expected a JPEG/PNG image"):
        open_image(tmp_path / "empty.png")
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(buffer, "PNG")
    (tmp_path / "cut.png").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(DataError, match="cut.png: expected a JPEG/PNG image, found undecodable data"):
        open_image(tmp_path / "cut.png")


def test_load_image_batch_resizes_with_pil_and_scales(tmp_path):
    Image.fromarray(_pixels()).save(tmp_path / "a.png")
    image, batch = load_image_batch(tmp_path / "a.png", (16, 24))
    assert image.size == (40, 30) and batch.shape == (1, 16, 24, 3) and batch.dtype == np.float32
    expected = np.asarray(image.resize((24, 16), Image.BICUBIC), np.float32) / 255.0
    np.testing.assert_array_equal(batch[0], expected)
    assert batch[0, 8, 0, 0] == 1.0 and batch[0, 8, -1, 0] == 0.0  # red on the left, black on the right
    _, same = load_image_batch(tmp_path / "a.png")  # no size: the file's own pixels
    np.testing.assert_array_equal(same[0], _pixels() / np.float32(255))
    _, nearest = load_image_batch(tmp_path / "a.png", (3, 4), resample="nearest")
    np.testing.assert_array_equal(nearest[0, :, :, 0], [[1, 1, 0, 0]] * 3)  # nearest keeps pure 0 / 1
    with pytest.raises(ValueError, match=r"expected resample in \['bicubic', .*found 'cubic'"):
        load_image_batch(tmp_path / "a.png", (3, 4), resample="cubic")
    with pytest.raises(ValueError, match=r"expected size \(height, width\) of positive ints, found \(0, 4\)"):
        load_image_batch(tmp_path / "a.png", (0, 4))


def test_save_image_atomically_in_the_suffix_format(tmp_path):
    image = Image.fromarray(_pixels())
    jpeg = save_image(image, tmp_path / "out" / "x.jpg")
    png = save_image(image, tmp_path / "out" / "x.png")
    assert Image.open(jpeg).format == "JPEG" and Image.open(png).format == "PNG"
    assert sorted(p.name for p in jpeg.parent.iterdir()) == ["x.jpg", "x.png"]  # no temporary left
    np.testing.assert_array_equal(np.asarray(open_image(png)), _pixels())  # PNG is lossless


def test_decode_image_in_graph(tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(_pixels()[..., 0], mode="L").save(buffer, "PNG")  # grey -> 3 channels
    decoded = tf.function(decode_image, input_signature=[tf.TensorSpec((), tf.string)])(buffer.getvalue())
    assert decoded.dtype == tf.uint8 and decoded.shape == (30, 40, 3)
    np.testing.assert_array_equal(decoded.numpy(), np.repeat(_pixels()[..., :1], 3, axis=-1))
    frames = [Image.new("RGB", (4, 2), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:])
    first = decode_image(tf.constant(gif.getvalue())).numpy()  # an animation: its first frame only
    assert first.shape == (2, 4, 3) and first[0, 0].tolist() == [255, 0, 0]


def test_resize_images_keeps_rank_and_clips():
    step = np.zeros((1, 8, 8, 3), np.float32)
    step[:, :, 4:] = 1.0  # a hard edge: plain bicubic overshoots above 1 and below 0
    raw = tf.image.resize(step, (5, 13), method="bicubic", antialias=True).numpy()
    assert raw.max() > 1.0 and raw.min() < 0.0
    ours = resize_images(step, (5, 13)).numpy()
    assert ours.shape == (1, 5, 13, 3) and ours.min() == 0.0 and ours.max() == 1.0
    np.testing.assert_array_equal(ours, np.clip(raw, 0.0, 1.0))
    assert resize_images(step[0], (4, 4)).shape == (4, 4, 3)
    np.testing.assert_allclose(resize_images(np.full((6, 6, 3), 0.25, np.float32), (3, 3)), 0.25, atol=1e-6)


def test_image_dataset_scales_per_batch_and_checks_lengths():
    images = np.stack([np.full((2, 2, 1), v, np.uint8) for v in (0, 51, 255)])  # (3, 2, 2, 1)
    batches = list(image_dataset(images, np.array([0, 1, 2]), batch_size=2))
    assert [x.shape[0] for x, _ in batches] == [2, 1]
    np.testing.assert_allclose(batches[0][0].numpy()[:, 0, 0, 0], [0.0, 0.2])
    assert batches[1][1].numpy().tolist() == [2]
    only = next(iter(image_dataset(images, None, batch_size=3)))
    assert only.dtype == tf.float32 and float(only.numpy().max()) == 1.0
    with pytest.raises(ValueError, match=r"expected as many labels as images \(3\), found 2"):
        image_dataset(images, np.array([0, 1]), batch_size=2)
