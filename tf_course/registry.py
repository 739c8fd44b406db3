"""One entry per programming assignment of the course, in course order.

Names are used everywhere: CLI, run report, ``saved_models/<name>/``, ``notebooks/<name>.ipynb``.
An entry with ``pipeline=None`` is not implemented yet, and ``tf-course`` says so.

A topic adds its own ``tf-course`` subcommands here, not in ``cli.py``: ``commands`` names
``"module:function"`` registrars, imported only when the command line is built. A registrar takes
the ``tf-course`` subparsers, adds its subcommand(s) and sets ``handler=`` (``args -> exit status``)
as the subparser's default; it must import no TensorFlow at module level (``tf-course --help``
lists every command without importing it), only inside its handler.

Importing this module does not import TensorFlow.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tf_course.pipeline import PipelineOutput, RunContext

_LR_COSTS = [0.693147, 0.584508, 0.466949, 0.376007, 0.331463, 0.303273, 0.279880, 0.260042,
             0.242941, 0.228004, 0.214820, 0.203078, 0.192544, 0.183033, 0.174399, 0.166521,
             0.159305, 0.152667, 0.146542, 0.140872]
# C1W3 nn_model(n_h=4, lr 1.2), every 1000 iterations: the course's printed costs (8000 is printed as
# 0.2194-0.2195 by the course's copies; late iterations depend on the BLAS kernel to about 1e-3).
_PLANAR_COSTS = [0.693048, 0.288083, 0.254385, 0.233864, 0.226792, 0.222644, 0.219731, 0.217504, 0.2195,
                 0.218607]

Subparsers = argparse._SubParsersAction  # what ``tf-course``'s add_subparsers returns
CommandRegistrar = Callable[[Subparsers], None]


def import_target(target: str) -> Any:
    """The object ``"package.module:name"`` names (importing the module); ValueError if malformed."""
    module, sep, name = target.partition(":")
    if not (module and sep and name):
        raise ValueError(f"expected 'module:function', found {target!r}")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Assignment:
    """A course programming assignment.

    Attributes:
        name: the assignment's name in this project.
        section: the course section, e.g. ``"C1W2"`` and the seed's numbering.
        title: what the course calls it.
        pipeline: ``"module:function"`` of its pipeline, or None when not implemented.
        reference: the course's published numbers, keyed like the pipeline's metrics.
        takes_weights: the pipeline can use pretrained weights (``tf-course run NAME --weights PATH``).
        weights_help: what ``--weights`` accepts for it (shown by ``tf-course run --help``).
        commands: ``"module:function"`` registrars of the topic's own ``tf-course`` subcommands
            (see the module docstring), e.g. ``("tf_course.detection.command:register",)``.
        fixed_seed: the pipeline uses the course's own seeds (initialization, shuffles), so on the
            course's (or generated) data its numbers do not depend on ``--seed``; only a synthetic
            stand-in's data does (the run table says so).
        metric_notes: what a metric that is not the course's means, for the run table's legend.
    """

    name: str
    section: str
    title: str
    pipeline: str | None = None
    reference: dict[str, Any] = field(default_factory=dict)
    takes_weights: bool = False
    weights_help: str = ""
    commands: tuple[str, ...] = ()
    fixed_seed: bool = False
    metric_notes: dict[str, str] = field(default_factory=dict)

    @property
    def implemented(self) -> bool:
        """Whether a pipeline exists."""
        return self.pipeline is not None

    def load(self) -> Callable[[RunContext], PipelineOutput]:
        """Import and return the pipeline function (this imports TensorFlow)."""
        if self.pipeline is None:
            raise NotImplementedError(f"expected an implemented assignment, found {self.name!r}: not implemented yet")
        return import_target(self.pipeline)

    def command_registrars(self) -> list[CommandRegistrar]:
        """Import and return the registrars in ``commands`` (their modules must not import TensorFlow)."""
        return [import_target(target) for target in self.commands]


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
        fixed_seed=True,
    ),
    Assignment(
        "planar_classification", "C1W3 (1.2.6)", "Planar data classification with one hidden layer",
        "tf_course.basics.planar_classification.pipeline:run",
        {
            "accuracy": 0.9075, "costs": _PLANAR_COSTS,
            "keras_accuracy": 0.9075, "keras_costs": _PLANAR_COSTS,
            "accuracy_by_hidden_size": {"1": 0.675, "2": 0.6725, "3": 0.9075, "4": 0.905, "5": 0.9125,
                                        "20": 0.905, "50": 0.9075},
            "params": 17,
        },
        fixed_seed=True,
    ),
    Assignment(
        "deep_nn", "C1W4 (1.3.2-1.3.3)", "Deep neural network step by step and application",
        "tf_course.basics.deep_nn.pipeline:run",
        {
            "two_layer_train_accuracy": 1.0, "two_layer_test_accuracy": 0.72,
            "l_layer_train_accuracy": 0.985645933014, "l_layer_test_accuracy": 0.80,
            "keras_two_layer_train_accuracy": 1.0, "keras_two_layer_test_accuracy": 0.72,
            "keras_l_layer_train_accuracy": 0.985645933014, "keras_l_layer_test_accuracy": 0.80,
            "params": 245973, "two_layer_params": 86031,
        },
        fixed_seed=True,
    ),
    Assignment(
        "initialization", "C2W1 (2.1.7)", "Initialization",
        "tf_course.basics.initialization.pipeline:run",
        {
            f"{impl}{init}_{split}_accuracy": value
            for impl in ("", "keras_")
            for init, acc in (("zeros", (0.5, 0.5)), ("random", (0.83, 0.86)), ("he", (0.9933333333333333, 0.96)))
            for split, value in zip(("train", "test"), acc)
        } | {"params": 91},
        fixed_seed=True,
    ),
    Assignment(
        "regularization", "C2W1 (2.1.8)", "Regularization",
        "tf_course.basics.regularization.pipeline:run",
        {
            f"{impl}{run}_{split}_accuracy": value
            for impl in ("", "keras_")
            for run, acc in (("baseline", (0.9478672985781991, 0.915)), ("l2", (0.9383886255924171, 0.93)),
                             ("dropout", (0.9289099526066351, 0.95)))
            for split, value in zip(("train", "test"), acc)
        } | {"params": 127},
        fixed_seed=True,
    ),
    Assignment(
        "gradient_checking", "C2W1 (2.1.9)", "Gradient checking",
        "tf_course.basics.gradient_checking.pipeline:run",
        {"difference_1d": 2.919335883291695e-10, "difference_nd": 1.1890913023330276e-07, "params": 47},
        fixed_seed=True,
    ),
    Assignment(
        "optimization", "C2W2 (2.2.7)", "Optimization methods",
        "tf_course.basics.optimization.pipeline:run",
        {
            f"{impl}{opt}_accuracy": value
            for impl in ("", "keras_")
            for opt, value in (("gd", 0.7966666666666666), ("momentum", 0.7966666666666666), ("adam", 0.94))
        } | {"params": 30},
        fixed_seed=True,
    ),
    Assignment(
        "tf_intro", "C2W3 (2.3.5)", "TensorFlow introduction",
        "tf_course.basics.tf_intro.pipeline:run",
        {"train_accuracy": 0.999, "test_accuracy": 0.717, "params": 307615},
    ),
    Assignment(
        "conv_step_by_step", "C4W1 (4.1.6)", "Convolutional model step by step",
        "tf_course.vision.conv_step_by_step.pipeline:run",
        {
            "conv_forward_mean": 0.5511276474566768, "pool_forward_max_mean": 1.367090136768317,
            "pool_forward_average_mean": 0.051780371316447214, "conv_backward_dA_mean": 1.4524377775388075,
            "conv_backward_dW_mean": 1.7269914583139097, "params": 260,
        },
    ),
    Assignment(
        "signs_convnet", "C4W1 (4.1.7)", "Convolutional model application (SIGNS)",
        "tf_course.vision.signs_convnet.pipeline:run",
        {"train_accuracy": 0.940741, "test_accuracy": 0.783333, "params": 1310},
        metric_notes={"course_test_signs_served": "images of the course's test_signs.h5 run through the exported "
                                                  "stand-in model: a serving smoke check, not an accuracy"},
    ),
    Assignment(
        "happy_model", "C4W2 (4.2.5)", "Keras tutorial: HappyModel",
        "tf_course.vision.happy_model.pipeline:run",
        {"train_accuracy": 0.9733, "test_accuracy": 0.94, "test_loss": 0.1877090483903885, "params": 37633},
    ),
    Assignment(
        "resnet50", "C4W2 (4.2.6)", "Residual networks (ResNet50)",
        "tf_course.vision.resnet50.pipeline:run",
        {"test_accuracy": 0.9333333373069763, "test_loss": 0.29289260506629944, "params": 23600006, "layers": 177},
    ),
    Assignment(
        "yolo", "C4W3 (4.3.4)", "Car detection with YOLO",
        "tf_course.detection.pipeline:run",
        {
            "filter_score_2": 9.270486, "filter_boxes_kept": 1789, "nms_score_2": 8.147684,
            "eval_score_2": 171.60194, "iou": 0.14285714285714285, "yolov2_params": 50983561,
            "boxes_found": {"test.jpg": 10},
        },
        takes_weights=True,
        weights_help="the course's yolo.h5, Darknet yolov2.cfg/.weights, or a .keras file",
        commands=("tf_course.detection.command:register",),
    ),
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
        raise KeyError(f"expected an assignment name ({', '.join(BY_NAME)}), "
                       f"found unknown assignment {name!r}") from None
