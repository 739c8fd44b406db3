"""fit_resumable's one trace of train_step (issue 10) with the numbers of a plain model.fit."""

from __future__ import annotations

import keras
import numpy as np

from tf_course.data.images import image_dataset
from tf_course.train import fit_resumable, set_seed


def _fit(prebuilt: bool) -> tuple[list[float], int]:
    set_seed(1)
    images = np.random.default_rng(0).integers(0, 256, (40, 4, 4, 3), dtype=np.uint8)
    labels = (np.arange(40) % 2).astype(np.float32).reshape(-1, 1)
    model = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Flatten(), keras.layers.Dense(1, "sigmoid")])
    traces = []
    step = model.train_step
    model.train_step = lambda data: traces.append(1) or step(data)  # counts Python executions (traces)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    dataset = image_dataset(images, labels, 16, shuffle=True)  # 16, 16, 8: a last smaller batch
    if prebuilt:
        history = fit_resumable(model, dataset, 3, verbose=0, shuffle=False).history
    else:
        history = model.fit(dataset, epochs=3, verbose=0, shuffle=False).history
    return history["loss"] + history["accuracy"], len(traces)


def test_fit_resumable_traces_train_step_once_with_the_same_numbers() -> None:
    plain, plain_traces = _fit(prebuilt=False)
    values, traces = _fit(prebuilt=True)
    assert plain_traces == 2  # Keras 3.15 builds optimizer and metrics inside the first trace: traced again
    assert traces == 1
    assert values == plain and len(values) == 6
