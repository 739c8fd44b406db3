"""The SIGNS stand-in's digits are bundled (no scikit-learn at run time) and equal scikit-learn's."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from tests.helpers import run_without_sklearn
from tf_course.data import digits, synthetic
from tf_course.data.synthetic import synthetic_signs_dataset
from tf_course.data.validate import DataError


def test_bundled_digits_equal_scikit_learn():
    from sklearn.datasets import load_digits

    images, labels = digits.load_digits_0_5()
    reference = load_digits()
    keep = reference.target <= 5
    assert images.shape == (1083, 8, 8) and images.dtype == reference.images.dtype == np.float64
    assert labels.dtype == np.int64 and np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182]
    assert images.tobytes() == reference.images[keep].tobytes()
    np.testing.assert_array_equal(labels, reference.target[keep])


def test_signs_stand_in_is_unchanged(monkeypatch):
    # the stand-in built from scikit-learn's load_digits (as before bundling) equals today's, and today's
    # arrays are pinned by hash (computed with the scikit-learn version, seed 0; scipy 1.x zoom)
    from sklearn.datasets import load_digits

    def _digest(data):
        h = hashlib.sha256()
        for array in (data.train.x, data.train.y, data.test.x, data.test.y, data.train.classes):
            h.update(np.ascontiguousarray(array).tobytes())
        return h.hexdigest()

    bundled = synthetic_signs_dataset(0)
    assert bundled.train.x.shape == (963, 64, 64, 3) and bundled.test.x.shape == (120, 64, 64, 3)
    assert _digest(bundled) == "42da203dced76fe7c3b7c7256ea9e4b01d41c1a4f7ff5b319e8917fc5a536d14"

    def from_scikit_learn():
        d = load_digits()
        keep = d.target <= 5
        return d.images[keep], d.target[keep].astype(np.int64)

    monkeypatch.setattr(synthetic, "load_digits_0_5", from_scikit_learn)
    assert _digest(synthetic_signs_dataset(0)) == _digest(bundled)


def test_damaged_digits_are_reported(monkeypatch):
    monkeypatch.setattr(digits, "SHA256", "0" * 64)
    with pytest.raises(DataError, match="expected the bundled digits to hash to 0{64}, found 1b1e7db9"):
        digits.load_digits_0_5()


def test_digits_need_no_scikit_learn():
    stdout = run_without_sklearn(
        "from tf_course.data.digits import load_digits_0_5\n"
        "images, labels = load_digits_0_5()\n"
        "print(images.shape, int(images.sum()), labels.tolist()[:5], 'sklearn' in sys.modules)\n"
    )
    images, labels = digits.load_digits_0_5()
    assert stdout.strip() == f"(1083, 8, 8) {int(images.sum())} {labels.tolist()[:5]} False"
