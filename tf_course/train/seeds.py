"""Seeding, called only at entry points (CLI, notebooks, tests), never inside library code."""

from __future__ import annotations


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and TensorFlow (``keras.utils``)."""
    import keras

    keras.utils.set_random_seed(int(seed))
