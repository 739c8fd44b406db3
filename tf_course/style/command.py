"""``tf-course stylize CONTENT STYLE``: the style-transfer topic's own subcommand, declared in its registry entry.

:func:`register` adds the parser without importing TensorFlow (``tf-course --help`` stays fast);
:func:`cmd_stylize` imports the style package only when the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tf_course.data.course_files import ENV_VAR

DEFAULT_STEPS = 100
DEFAULT_LONG_SIDE = 256  # without --size: the content image's aspect, its longer side this many pixels
DEFAULT_OUT = "stylized.png"
RECIPES = ("tf2", "tf1")  # tf_course.style.transfer.RECIPES, without importing TensorFlow


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``stylize`` to the ``tf-course`` subparsers, handled by :func:`cmd_stylize`."""
    stylize = subparsers.add_parser(
        "stylize", help="neural style transfer: paint CONTENT in the style of STYLE (VGG19 features, Adam)")
    stylize.add_argument("content", metavar="CONTENT", help="content image (JPEG/PNG)")
    stylize.add_argument("style", metavar="STYLE", help="style image (JPEG/PNG), resized to the content's size")
    stylize.add_argument("--steps", type=int, default=DEFAULT_STEPS, help=f"Adam steps (default {DEFAULT_STEPS})")
    stylize.add_argument("--recipe", choices=RECIPES, default=RECIPES[0],
                         help="the course's loop: tf2 (default; Adam lr 0.01, pixels in [0, 1] clipped) or tf1 "
                              "(Adam lr 2.0 in VGG's mean-subtracted pixel range, start 0.6 noise + 0.4 content, "
                              "content layer block4_conv2, average pooling)")
    stylize.add_argument("--jit", action="store_true",
                         help="compile the step with XLA (jit_compile); an error if XLA cannot on this machine")
    stylize.add_argument("--size", type=int, nargs=2, metavar=("H", "W"), default=None,
                         help=f"size of the result (default: the content's aspect, longer side {DEFAULT_LONG_SIDE})")
    stylize.add_argument("--weights", default=None,
                         help="VGG19 weights: vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 (Keras), "
                              "imagenet-vgg-verydeep-19.mat (MatConvNet) or a .keras file (default: the course's "
                              "file under --data-dir, else random weights, announced as `weights: random`)")
    stylize.add_argument("--data-dir", default=None,
                         help=f"course files, searched for the VGG19 weights (default: ${ENV_VAR})")
    stylize.add_argument("--download", action="store_true",
                         help="without weights: download Keras' ImageNet VGG19 weights (keras.applications)")
    stylize.add_argument("--seed", type=int, default=0, help="seed of random weights and of the start noise")
    stylize.add_argument("--out", default=DEFAULT_OUT, help=f"result image, PNG (default: {DEFAULT_OUT})")
    stylize.add_argument("--quiet", action="store_true", help="no progress")
    stylize.set_defaults(handler=cmd_stylize)


def _check_args(args: argparse.Namespace) -> Path:
    from tf_course.console import UsageError

    if args.steps < 1:
        raise UsageError(f"--steps: expected an integer >= 1, found {args.steps}")
    if args.size is not None and min(args.size) < 16:
        raise UsageError(f"--size: expected H and W >= 16 (VGG19 pools four times), found {args.size[0]} "
                         f"{args.size[1]}")
    out = Path(args.out)
    if out.is_dir():
        raise UsageError(f"--out: expected an image file name, found a folder at {out}")
    for flag, path in (("CONTENT", args.content), ("STYLE", args.style)):
        if not Path(path).is_file():
            raise FileNotFoundError(f"{flag}: expected an image file at {path}, found nothing there")
    return out


def default_size(width: int, height: int, long_side: int = DEFAULT_LONG_SIDE) -> tuple[int, int]:
    """(H, W) of the content's aspect with the longer side ``long_side`` (at least 16 each)."""
    scale = long_side / max(width, height)
    return max(16, round(height * scale)), max(16, round(width * scale))


def cmd_stylize(args: argparse.Namespace) -> int:
    """Stylise one content image; 0 on success, 2 on a user error (bad image, weights file or flag)."""
    from tf_course.console import USER_ERRORS, import_tensorflow_quietly, print_user_error
    from tf_course.data.course_files import resolve_data_dir

    try:
        out = _check_args(args)
        data_dir = resolve_data_dir(args.data_dir)
    except USER_ERRORS as exc:
        return print_user_error(exc, prefix="tf-course stylize")
    import_tensorflow_quietly(getattr(args, "debug", False))
    from tf_course.data.images import load_image_batch, open_image
    from tf_course.style.images import save_png
    from tf_course.style.pipeline import announce_weights
    from tf_course.style.transfer import RECIPE_POOLING, StyleTransfer, recipe_settings
    from tf_course.style.vgg import load_vgg19
    from tf_course.train import set_seed

    try:
        size = tuple(args.size) if args.size else default_size(*open_image(args.content).size)
        content = load_image_batch(args.content, size)[1]
        style = load_image_batch(args.style, size)[1]
        set_seed(args.seed)
        body, weights = load_vgg19(Path(args.weights) if args.weights else None, data_dir, seed=args.seed,
                                   download=args.download, pooling=RECIPE_POOLING[args.recipe])
    except USER_ERRORS as exc:
        return print_user_error(exc, prefix="tf-course stylize")
    random = weights.kind == "random"
    announce_weights(weights.describe(), random)
    transfer = StyleTransfer(body, recipe_settings(args.recipe, noise_seed=args.seed))
    try:
        image, history, seconds = transfer.run(content, style, args.steps, verbose=not args.quiet,
                                               jit_compile=args.jit)
    except RuntimeError as exc:
        if not args.jit:
            raise
        return print_user_error(exc, prefix="tf-course stylize")
    total = history.history["total"]
    save_png(image, out, {"weights": "random" if random else weights.describe(), "steps": str(args.steps),
                          "recipe": args.recipe,
                          "content": str(args.content), "style": str(args.style)})
    print(f"total cost {total[0]:.6g} -> {total[-1]:.6g} in {args.steps} steps ({seconds:.3g} s/step, recipe "
          f"{args.recipe}{', jit_compile' if args.jit else ''}); "
          f"weights: {'random' if random else weights.describe()}")
    print(f"stylized image: {out} ({size[0]}x{size[1]})")
    return 0
