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
class Option:
    """A choice one assignment's pipeline offers: ``tf-course run NAME --<name> VALUE``.

    The pipeline reads it with :meth:`tf_course.pipeline.RunContext.option` (``default`` when the
    command line does not give it). Several entries may declare an option of the same name; on the
    command line it applies to every named assignment that declares it and must be one of its choices.

    Attributes:
        name: the flag without dashes, e.g. ``"formats"`` for ``--formats``.
        choices: the values it accepts.
        default: the value the pipeline uses when the flag is not given (one of ``choices``).
        help: what it selects, shown by ``tf-course run --help``.
    """

    name: str
    choices: tuple[str, ...]
    default: str
    help: str = ""

    def __post_init__(self) -> None:
        if self.default not in self.choices:
            raise ValueError(f"option --{self.name}: expected a default among {list(self.choices)}, "
                             f"found {self.default!r}")


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
        options: the pipeline's own choices (:class:`Option`), e.g. ``--formats extended``.
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
    options: tuple[Option, ...] = ()

    def option(self, name: str) -> Option | None:
        """The entry's option called ``name``, or None."""
        return next((o for o in self.options if o.name == name), None)

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
    Assignment(
        "style_transfer", "C4W4 (4.4.4)", "Art generation with neural style transfer",
        "tf_course.style.pipeline:run",
        {"total_cost_first": 25629.055, "total_cost_second": 17812.627},
        takes_weights=True,
        weights_help="VGG19: Keras' vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5, MatConvNet's "
                     "imagenet-vgg-verydeep-19.mat or a .keras file (default: found under --data-dir, else random)",
        commands=("tf_course.style.command:register",),
        metric_notes={
            "total_cost_first": "total cost (alpha 10, beta 40) before the first Adam step; the course's 25629.055 "
                                "is ImageNet VGG19 fed [0, 1] RGB at 400x400 on louvre/monet with unseeded noise; "
                                "this pipeline runs 120x160 with Caffe input normalisation, so the two differ",
            "total_cost_second": "total cost before the second step (course: 17812.627, same conditions)",
            "cost_reduction": "total cost before the first step / before the last step",
            "seconds_per_step": "wall-clock seconds per Adam step of the compiled loop (tracing left out)",
            "weights": "VGG19 weights used: 'random' (seeded, no weight file: colour and texture transfer only) "
                       "or the file's kind and path",
            "recipe": "the course's loop: tf2 (Adam lr 0.01, pixels in [0, 1]) or tf1 (Adam lr 2.0 in VGG's "
                      "mean-subtracted pixel range)",
        },
        options=(Option("recipe", ("tf2", "tf1"), "tf2",
                        "the course's loop: tf2 (Adam lr 0.01, pixels in [0, 1] clipped, content block5_conv4) "
                        "or tf1 (Adam lr 2.0 in VGG's mean-subtracted pixel range, start 0.6 noise + 0.4 content, "
                        "content block4_conv2, average pooling)"),
                 Option("jit", ("off", "on"), "off", "compile the Adam step with XLA (jit_compile)")),
    ),
    Assignment(
        "face_recognition", "C4W4 (4.4.5)", "Face recognition",
        "tf_course.faces.pipeline:run",
        {"triplet_loss": 527.2598, "facenet_params": 3743280},
        commands=("tf_course.faces.command:register",),
        metric_notes={
            "verification_accuracy": "LFW-style 10-fold accuracy (threshold chosen on 9 folds) of the compact "
                                     "triplet-trained encoder on synthetic identities unseen in training; the "
                                     "course reports none (it loads pretrained FaceNet weights)",
            "roc_auc": "area under the ROC of -distance over the same matched/mismatched pairs",
            "tar_at_far_1e-3": "share of matched pairs accepted at the threshold that accepts at most 0.1% of "
                               "mismatched pairs",
            "threshold": "distance threshold chosen on all pairs (the exported verifier's); the course uses 0.7",
            "params": "the compact encoder's parameters; facenet_params is the course's nn4.small2",
        },
    ),
    Assignment(
        "rnn_step_by_step", "C5W1 (5.1)", "Building an RNN step by step",
        "tf_course.sequence.rnn_step_by_step.pipeline:run",
        {
            "lstm_forward_a_4_3_6": 0.172117767533, "lstm_forward_y_1_4_3": 0.95087346185,
            "lstm_forward_c_1_2_1": -0.855544916718, "rnn_backward_dWax_3_1": 11.2641044965,
            "rnn_backward_da0_2_3": -0.314942375127, "params": 192,
        },
        fixed_seed=True,
        metric_notes={
            "max_abs_diff_vs_keras": "largest |difference| of outputs and gradients between the NumPy cells and Keras' "
                                     "SimpleRNN / LSTM / GRU(reset_after=False) with the course's weights (float32)",
            "max_abs_diff_course_cells": "the same for the course cells run by keras.layers.RNN (float32)",
            "max_abs_diff_vs_keras_float64": "max_abs_diff_vs_keras with float64 layers",
            "gradient_check_difference": "largest relative difference of the float64 gradient checks of the NumPy "
                                         "RNN, LSTM and GRU backward passes (cells and sequences)",
            "gru_reset_after_true_max_abs_diff": "GRU(reset_after=True) against the seed's GRU with the same weights: "
                                                 "not the same cell",
        },
    ),
    Assignment(
        "dinosaur_names", "C5W1 (5.1.3)", "Dinosaur Island: character-level language model",
        "tf_course.sequence.dinosaur_names.pipeline:run",
        {
            "scratch_loss": 22.728886,
            "scratch_losses_to_14000": [23.087336, 27.884160, 25.901815, 24.608779, 24.070350, 23.844446,
                                        23.291971, 23.382338],
            "scratch_last_name": "Trodonosaurus",
        },
        metric_notes={
            "scratch_loss": "the course model's smoothed loss after 22,001 iterations (NumPy; the course's own runs "
                            "agree only to about 14,000 iterations: 22.747028 on NumPy 2.4 / OpenBLAS)",
            "scratch_losses_to_14000": "smoothed loss every 2,000 iterations up to 14,000 (reproduced exactly)",
            "scratch_perplexity": "per-character perplexity of the 10% held-out names, NumPy model trained on the rest",
            "keras_perplexity": "the same for the Keras twin (Embedding -> GRU(64) -> Dense, Adam, at most 30 "
                                "epochs, early stopping)",
            "keras_names": "7 names sampled by the exported sampler's graph (temperature 1, seed 0)",
        },
    ),
    Assignment(
        "word_vectors", "C5W2 (5.2.4)", "Operations on word vectors and debiasing",
        "tf_course.text.word_vectors.pipeline:run",
        {
            "cos_father_mother": 0.890903844289, "cos_ball_crocodile": 0.274392462614,
            "cos_france_paris_rome_italy": -0.675147930817,
            "course_analogies": {"italy->italian->spain": "spanish", "india->delhi->japan": "tokyo",
                                 "man->woman->boy": "girl", "small->smaller->large": "larger"},
            "equalize_before": {"man": -0.117110957653, "woman": 0.356666188463},
            "equalize_after": {"man": -0.700436428931, "woman": 0.700436428931},
        },
        fixed_seed=True,
        metric_notes={
            "vectors": "glove (glove.6B.50d.txt under --data-dir) or trained-synthetic (skip-gram trained here on "
                       "a generated corpus with relations built in; the course's numbers need GloVe)",
            "analogy_accuracy": "3CosAdd with gensim's evaluate_word_analogies rules on the generated relation "
                                "questions (capitals, gender, plurals, comparatives; held-out pairs)",
            "bias_cos_after": "cosine with g = e_woman - e_man after neutralize (about 1e-16)",
        },
    ),
    Assignment(
        "emojify", "C5W2 (5.2.5)", "Emojify",
        "tf_course.text.emojify.pipeline:run",
        {"v1_train_accuracy": 0.977272727273, "v1_test_accuracy": 0.857142857143, "v2_test_accuracy": 0.821428562914,
         "v2_params": 20223927, "extra_accuracy": 0.833333333333},
        metric_notes={
            "vectors": "glove (glove.6B.50d.txt under --data-dir) or trained-synthetic (50-d PPMI-SVD vectors of "
                       "generated generic English, about 2,400 everyday words, plus the training sentences; rows "
                       "scaled to norm 5; the test sentences are never seen)",
            "test_set": "the course's test file when present, else 20% of train_emoji.csv held out (stratified)",
            "oov_rate": "share of the test sentences' words without a vector; oov_rate_after_backoff: still without "
                        "one after backing off to a known stem (loved -> love); those are skipped (course v3a)",
            "v1_keras_test_accuracy": "V1's Keras twin (same initial W, SGD batch 1)",
            "v2_init": "V2 (the course's layers) first learns V1's soft predictions on 3,000 generated generic "
                       "sentences (3 epochs), then trains 50 epochs on the training sentences (chosen by 5-fold "
                       "cross-validation inside the training part); the cross-validated accuracy over all 132 rows: "
                       "python -m tf_course.text.emojify.crossval --data-dir DIR",
        },
    ),
    Assignment(
        "nmt_attention", "C5W3 (5.3.2)", "Neural machine translation with attention",
        "tf_course.sequence.nmt_attention.pipeline:run",
        {
            "params": 52960,
            "examples": {"3 May 1979": "1979-05-03", "5 April 09": "2009-04-05", "21th of August 2016": "2016-08-21",
                         "Tue 10 Jul 2007": "2007-07-10", "Saturday May 9 2018": "2018-05-09",
                         "March 3 2001": "2001-03-03", "March 3rd 2001": "2001-03-03", "1 March 2001": "2001-03-01",
                         "4th of july 2001": "2001-07-04", "22rd maY 1994": "1994-05-22"},
        },
        metric_notes={
            "exact_match": "greedy translation == ISO date on 10,000 held-out dates (days never in training) in the "
                           "course's formats; the issue's goal is >= 0.995 (the course reports no such number)",
            "year_accuracy": "share of held-out outputs whose YYYY is right (month_accuracy, day_accuracy alike)",
            "invalid_dates": "greedy outputs that are no valid date (e.g. 2019-02-30)",
            "valid_beam_exact_match": "beam search (width 3) restricted to valid YYYY-MM-DD dates; "
                                      "valid_beam_invalid_dates is 0 by construction",
            "bleu": "corpus BLEU-4 of the ISO strings as characters, no smoothing (sacrebleu-equal)",
            "extended_exact_match": "the same metrics (prefix extended_) on held-out dates in formats the course "
                                    "never trains on: ordinals, 'of', weekdays, two-digit years, mixed case "
                                    "(a quarter of the default training data; none with --formats course)",
            "examples": "the course's example sentences translated (reference: their correct ISO dates)",
            "formats": "training formats: mixed (default: the course's plus a quarter extended), course (the "
                       "course's data exactly) or extended (half extended); tf-course run nmt_attention --formats",
        },
        options=(Option("formats", ("mixed", "course", "extended"), "mixed",
                        "training date formats: mixed = the course's plus a quarter ordinals/'of'/weekdays/mixed "
                        "case, course = the course's data exactly, extended = half of each"),),
    ),
    Assignment(
        "trigger_word", "C5W3 (5.3.3)", "Trigger word detection",
        "tf_course.audio.pipeline:run",
        {"course_model_params": 523329},
        metric_notes={
            "recall": "event recall on held-out synthesised 10 s clips (trigger within the keyword or 75 steps "
                      "after it; false reject rate = 1 - recall), keyword level over the background: snr_db",
            "false_accepts_per_hour": "triggers (p > threshold, one per 75 steps, the course's chime rule) on "
                                      "keyword-free synthesised audio (backgrounds + negatives), per hour; "
                                      "keyword_free_hours says how much audio (1 h in a full run)",
            "threshold": "chosen on a validation split (other seeds, 3 h keyword-free): the highest threshold "
                         "whose recall is within 1 standard error of the best among those whose 95% Poisson "
                         "upper bound of false accepts/h is <= 2 (threshold_rule); never on the test split; "
                         "recall_at_0.5 etc.: at the course's 0.5",
            "f1": "per-step F1 of p > threshold against the course's 50-step labels",
            "params": "the trained model's parameters (compact default; --model course: 523,329)",
        },
        options=(Option("model", ("compact", "course"), "compact",
                        "the detector trained: the compact Conv1D+GRU model sized for this machine, or the "
                        "course's 523,329-parameter one (about 0.6 examples/s here)"),),
    ),
)

BY_NAME: dict[str, Assignment] = {a.name: a for a in ASSIGNMENTS}


def get(name: str) -> Assignment:
    """The assignment called ``name``; ``KeyError`` listing the valid names otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"expected an assignment name ({', '.join(BY_NAME)}), "
                       f"found unknown assignment {name!r}") from None
