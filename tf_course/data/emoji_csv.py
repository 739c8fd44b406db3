"""Emojify sentences (C5W2): the course's CSV files, or generated sentences when they are absent.

Course files (under ``--data-dir``): ``emojify/train_emoji.csv`` (132 rows) and, when present, a
test file (``emojify/test_emoji.csv``, or the notebooks' ``emojify/tesss.csv``). Each row is
``sentence,label[,...]`` with label 0-4 (heart, baseball, smile, disappointed, fork and knife);
extra columns are ignored, as the course's ``read_csv`` does. Without a test file, part of the
training file is held out (stratified, seeded) and is the test set.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tf_course.data.course_files import find_course_file
from tf_course.data.synthetic_text import emoji_sentences
from tf_course.data.validate import DataError

N_CLASSES = 5
TRAIN_FILE = "emojify/train_emoji.csv"
TEST_FILES = ("emojify/test_emoji.csv", "emojify/tesss.csv")
HOLDOUT_FRACTION = 0.2


def read_csv(filename: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """The course's ``read_csv``: (sentences (m,) str, labels (m,) int64) from ``sentence,label`` rows.

    Raises:
        FileNotFoundError: no such file.
        DataError: a row without a label, or a label that is not an integer 0-4, named by its line
            number (``"train_emoji.csv line 3: expected a label 0-4 in column 2, found 'x'"``); no rows.
    """
    path = Path(filename)
    if not path.is_file():
        raise FileNotFoundError(f"Emojify sentences: expected a CSV file 'sentence,label', found nothing at {path}")
    phrases, labels = [], []
    with open(path, encoding="utf8", newline="") as f:
        for line_no, row in enumerate(csv.reader(f), start=1):
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) < 2:
                raise DataError(f"{path} line {line_no}: expected 'sentence,label', found {len(row)} column(s): "
                                f"{','.join(row)!r}")
            label = row[1].strip()
            if not (label.isdigit() and int(label) < N_CLASSES):
                raise DataError(f"{path} line {line_no}: expected a label 0-{N_CLASSES - 1} in column 2, "
                                f"found {row[1]!r}")
            phrases.append(row[0])
            labels.append(int(label))
    if not phrases:
        raise DataError(f"{path}: expected rows 'sentence,label', found none")
    return np.asarray(phrases), np.asarray(labels, dtype=np.int64)


@dataclass(frozen=True)
class EmojiDataset:
    """Train and test sentences with labels 0-4.

    Attributes:
        x_train, y_train, x_test, y_test: sentences (m,) str and labels (m,) int64.
        source: ``"course"`` or ``"synthetic"`` (generated sentences, not the course's).
        test_set: what the test set is (a file name, or the held-out part of the training file).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    test_set: str


def holdout_split(
    x: np.ndarray, y: np.ndarray, fraction: float = HOLDOUT_FRACTION, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stratified split: about ``fraction`` of each label held out (at least one when the label has 2+).

    Returns (x_train, y_train, x_held, y_held), each part in the original order.
    """
    rng = np.random.default_rng(seed)
    held = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        n = int(round(fraction * len(rows)))
        if len(rows) > 1:
            n = max(1, n)
        held[rng.permutation(rows)[:n]] = True
    return x[~held], y[~held], x[held], y[held]


def load_emoji_dataset(
    data_dir: str | os.PathLike[str] | None, seed: int = 0, holdout: float = HOLDOUT_FRACTION,
    generated_size: tuple[int, int] = (400, 100),
) -> EmojiDataset:
    """The course's sentences when ``emojify/train_emoji.csv`` is under ``data_dir``, else generated ones.

    The test set is the course's test file when present; otherwise ``holdout`` of the training file
    (stratified, ``seed``). A test file without the training file is a DataError.
    """
    train = find_course_file(TRAIN_FILE, data_dir)
    test = next((p for p in (find_course_file(t, data_dir) for t in TEST_FILES) if p is not None), None)
    if train is None and test is not None:
        raise DataError(f"Emojify dataset under {data_dir}: expected {TRAIN_FILE} beside {test} (or neither, to use "
                        f"the generated sentences), found only {test}")
    if train is None:
        x_train, y_train = emoji_sentences(generated_size[0], seed=seed)
        x_test, y_test = emoji_sentences(generated_size[1], seed=seed + 1000)
        return EmojiDataset(x_train, y_train, x_test, y_test, "synthetic", "generated test sentences")
    x, y = read_csv(train)
    if test is not None:
        x_test, y_test = read_csv(test)
        return EmojiDataset(x, y, x_test, y_test, "course", test.name)
    x_train, y_train, x_test, y_test = holdout_split(x, y, holdout, seed)
    return EmojiDataset(x_train, y_train, x_test, y_test, "course",
                        f"held-out {holdout:.0%} of {train.name} ({len(y_test)} sentences)")
