"""Pipeline ``style_transfer``: content + style -> VGG19 features -> the course's Adam loop -> image -> stylizer export.

Images: the course's ``nst/louvre_small.jpg`` and ``nst/monet.jpg`` under the data directory, else
a generated pair (:mod:`tf_course.style.images`), resized to a small size by default
(:data:`DEFAULT_SIZE`, the course's 300x400 aspect at 0.4 scale) so that the offline run takes
minutes on a laptop CPU. Weights: ``ctx.weights`` (Keras .h5, MatConvNet .mat or .keras), the
course's file under the data directory, else seeded random weights, announced as
``weights: random`` on stderr, in the metrics and in the saved images' PNG metadata.

The loop is the TF2 course's by default (option ``recipe`` ``tf2``: costs alpha 10 / beta 40,
style layers block1..5_conv1 at 0.2, content layer block5_conv4, Adam lr 0.01, pixels clipped to
[0, 1]); ``tf-course run style_transfer --recipe tf1`` runs the TF1 course's (Adam lr 2.0 in VGG's
mean-subtracted pixel range, start ``0.6 noise + 0.4 content`` there, content layer block4_conv2,
average pooling; :mod:`tf_course.style.transfer`). Option ``jit`` ``on`` compiles the step with
XLA. Images go to
``<out>/style_transfer_images/`` (content, style, every fifth of the run, ``generated.png``),
beside the export ``<out>/style_transfer/<version>/``.

Metrics: ``content_cost``, ``style_cost`` and ``total_cost`` at the first and the last step
(``*_first``, ``*_last``: computed before that step's update, as the course prints them),
``cost_reduction`` (first / last total), ``seconds_per_step`` (tracing left out), ``weights``,
``steps``, ``image_size``, ``recipe``, ``jit_compile``, ``total_costs`` (every step).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from tf_course.pipeline import PipelineOutput, RunContext

NAME = "style_transfer"
IMAGES_DIR = "style_transfer_images"
DEFAULT_SIZE = (120, 160)
DEFAULT_STEPS = 60
QUICK_SIZE = (32, 48)
QUICK_STEPS = 4
EXPORT_SAMPLE_SIZE = (32, 32)
EXPORT_SAMPLE_STEPS = 2
DEFAULT_RECIPE = "tf2"


def announce_weights(description: str, random: bool) -> None:
    """``weights: ...`` on stderr; for random weights a loud line saying the transfer is the weaker kind."""
    if random:
        print(f"weights: {description}: no VGG19 weight file given or found under the data directory; "
              f"random VGG features transfer colour and texture only (pass --weights "
              f"vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 or imagenet-vgg-verydeep-19.mat)",
              file=sys.stderr)
    else:
        print(f"weights: {description}", file=sys.stderr)


def _resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import tensorflow as tf

    return np.clip(tf.image.resize(image, size).numpy(), 0.0, 1.0).astype(np.float32)


def run(ctx: RunContext, size: tuple[int, int] | None = None, steps: int | None = None) -> PipelineOutput:
    """Stylise the course's (or generated) content image, save the images, export the stylizer."""
    from tf_course.style.export import export_stylizer
    from tf_course.style.images import load_images, save_png
    from tf_course.style.transfer import RECIPE_POOLING, StyleTransfer, recipe_settings
    from tf_course.style.vgg import load_vgg19

    size = tuple(size or (QUICK_SIZE if ctx.quick else DEFAULT_SIZE))
    steps = int(steps or (QUICK_STEPS if ctx.quick else DEFAULT_STEPS))
    content, style, source = load_images(ctx.data_dir, size, seed=ctx.seed)
    recipe = ctx.option("recipe", DEFAULT_RECIPE)
    jit_compile = ctx.option("jit", "off") == "on"
    settings = recipe_settings(recipe)
    body, weights = load_vgg19(ctx.weights, ctx.data_dir, seed=ctx.seed, pooling=RECIPE_POOLING[recipe])
    random = weights.kind == "random"
    announce_weights(weights.describe(), random)
    metadata = {"weights": "random" if random else weights.describe(), "tf_course": NAME}

    transfer = StyleTransfer(body, settings)
    images_dir = Path(ctx.out_dir) / IMAGES_DIR
    every = max(1, steps // 5)

    def on_image(step: int, image: np.ndarray, costs: dict[str, float]) -> None:
        save_png(image, images_dir / f"step_{step:04d}.png", {**metadata, "step": str(step),
                                                              "total_cost": f"{costs['total']:.6g}"})

    save_png(content, images_dir / "content.png", {"source": source})
    save_png(style, images_dir / "style.png", {"source": source})
    image, history, seconds = transfer.run(content, style, steps, every=every, on_image=on_image,
                                           verbose=ctx.verbose, jit_compile=jit_compile)
    generated = save_png(image, images_dir / "generated.png", {**metadata, "steps": str(steps)})

    costs = {name: history.history[name] for name in ("content", "style", "total")}
    metrics = {
        **{f"{name}_cost_first": values[0] for name, values in costs.items()},
        **{f"{name}_cost_last": values[-1] for name, values in costs.items()},
        "total_cost_second": costs["total"][1] if len(costs["total"]) > 1 else costs["total"][0],
        "cost_reduction": costs["total"][0] / costs["total"][-1] if costs["total"][-1] > 0 else float("inf"),
        "seconds_per_step": seconds,
        "weights": "random" if random else weights.describe(),
        "steps": steps,
        "image_size": list(size),
        "recipe": recipe,
        "jit_compile": jit_compile,
        "total_costs": costs["total"],
        "generated_image": str(generated),
    }
    data_source = {"images": source, "weights": "random" if random else weights.kind}
    export = export_stylizer(NAME, transfer, ctx.out_dir, _resize(content, EXPORT_SAMPLE_SIZE),
                             _resize(style, EXPORT_SAMPLE_SIZE), EXPORT_SAMPLE_STEPS,
                             metrics={k: v for k, v in metrics.items() if k != "total_costs"},
                             data_source=data_source, manifest_extra={"weights": metrics["weights"]})
    return PipelineOutput(metrics=metrics, data_source=data_source, exports=[str(export.path)])
