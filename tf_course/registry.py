"""One entry per programming assignment of the course, in course order.

Names are used everywhere: CLI, run report, ``saved_models/<name>/``, ``notebooks/<name>.ipynb``.
An entry with ``pipeline=None`` is not implemented yet, and ``tf-course`` says so.
Importing this module does not import TensorFlow.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tf_course.pipeline import PipelineOutput, RunContext

_LR_COSTS = [0.693147, 0.584508, 0.466949, 0.376007, 0.331463, 0.303273, 0.279880, 0.260042,
             0.242941, 0.228004, 0.214820, 0.203078, 0.192544, 0.183033, 0.174399, 0.166521,
             0.159305, 0.152667, 0.146542, 0.140872]


@dataclass(frozen=True)
class Assignment:
    """A course programming assignment.

    Attributes:
        name: the assignment's name in this project.
        section: the course section, e.g. ``"C1W2"`` and the seed's numbering.
        title: what the course calls it.
        pipeline: ``"module:function"`` of its pipeline, or None when not implemented.
        reference: the course's published numbers, keyed like the pipeline's metrics.
    """

    name: str
    section: str
    title: str
    pipeline: str | None = None
    reference: dict[str, Any] = field(default_factory=dict)

    @property
    def implemented(self) -> bool:
        """Whether a pipeline exists."""
        return self.pipeline is not None

    def load(self) -> Callable[[RunContext], PipelineOutput]:
        """Import and return the pipeline function (this imports TensorFlow)."""
        if self.pipeline is None:
            raise NotImplementedError(f"assignment {self.name!r} is not implemented yet")
        module, _, func = self.pipeline.partition(":")
        return getattr(importlib.import_module(module), func)


ASSIGNMENTS: tuple[Assignment, ...] = (
    Assignment(
        "logistic_regression", "C1W2 (1.1.5)", "Logistic regression with a neural-network mindset",
        "tf_course.basics.logistic_regression.pipeline:run",
        {
            "scratch_train_accuracy": 0.9904306220095694, "scratch_test_accuracy": 0.70,
            "scratch_costs": _LR_COSTS,
            "keras_train_accuracy": 0.9904306220095694, "keras_test_accuracy": 0.70,
            "keras_costs": _LR_COSTS, "params": 12289,
        },
    ),
    Assignment("planar_classification", "C1W3 (1.2.6)", "Planar data classification with one hidden layer"),
    Assignment("deep_nn", "C1W4 (1.3.2-1.3.3)", "Deep neural network step by step and application"),
    Assignment("initialization", "C2W1 (2.1.7)", "Initialization"),
    Assignment("regularization", "C2W1 (2.1.8)", "Regularization"),
    Assignment("gradient_checking", "C2W1 (2.1.9)", "Gradient checking"),
    Assignment("optimization", "C2W2 (2.2.7)", "Optimization methods"),
    Assignment("tf_intro", "C2W3 (2.3.5)", "TensorFlow introduction"),
    Assignment("conv_step_by_step", "C4W1 (4.1.6)", "Convolutional model step by step"),
    Assignment("signs_convnet", "C4W1 (4.1.7)", "Convolutional model application (SIGNS)"),
    Assignment("happy_model", "C4W2 (4.2.5)", "Keras tutorial: HappyModel"),
    Assignment("resnet50", "C4W2 (4.2.6)", "Residual networks (ResNet50)"),
    Assignment("yolo", "C4W3 (4.3.4)", "Car detection with YOLO"),
    Assignment("style_transfer", "C4W4 (4.4.4)", "Art generation with neural style transfer"),
    Assignment("face_recognition", "C4W4 (4.4.5)", "Face recognition"),
    Assignment("rnn_step_by_step", "C5W1 (5.1)", "Building an RNN step by step"),
    Assignment("dinosaur_names", "C5W1 (5.1.3)", "Dinosaur Island: character-level language model"),
    Assignment("word_vectors", "C5W2 (5.2.4)", "Operations on word vectors and debiasing"),
    Assignment("emojify", "C5W2 (5.2.5)", "Emojify"),
    Assignment("nmt_attention", "C5W3 (5.3.2)", "Neural machine translation with attention"),
    Assignment("trigger_word", "C5W3 (5.3.3)", "Trigger word detection"),
)

BY_NAME: dict[str, Assignment] = {a.name: a for a in ASSIGNMENTS}


def get(name: str) -> Assignment:
    """The assignment called ``name``; ``KeyError`` listing the valid names otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown assignment {name!r}; expected one of: {', '.join(BY_NAME)}") from None
