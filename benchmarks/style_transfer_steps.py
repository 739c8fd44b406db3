"""C4W4 neural style transfer: seconds per Adam step eager vs ``tf.function`` vs ``jit_compile``, and the
compiled step as a fraction of this machine's measured matmul peak.

One step is the TF2 course's ``train_step``: VGG19 forward on the generated image (style layers
block1..5_conv1 and content layer block5_conv4), the costs against fixed targets, the gradient
with respect to the image (VGG19 backward, input gradients only), Adam (lr 0.01) and the clip to
[0, 1]. Seeded random weights (the speed does not depend on them), ``--size`` 300 400 (the TF1
course's image) by default.

- ``eager``: the step as plain Python + TensorFlow ops;
- ``tf.function``: the same step compiled (what :func:`tf_course.train.optimize.optimize_variable`
  runs; its chunked loop only removes the Python call per step);
- ``jit_compile``: ``tf.function(jit_compile=True)`` (XLA).

FLOPs of a step: every 3x3 convolution twice (forward, and the input gradient backward), 2 FLOPs
per multiply-add; pooling, ReLU, Gram matrices and Adam are left out (under 1%). The peak is the
best rate of a ``--matmul`` square float32 ``tf.matmul``, measured in the same process. Each
variant: ``--warmup`` steps (tracing, XLA compilation), then the median of ``--steps`` timed steps.

Two fractions of peak: by wall-clock time (what a quiet machine shows), and by CPU time (the
process's CPU-seconds, all threads: GFLOP per CPU-second of the step over that of the matmul). On a
machine shared with other work the wall-clock peak and steps are measured at different moments of
a changing load; the CPU-time fraction compares the work done per CPU-second and stays meaningful.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def vgg_step_flops(height: int, width: int, widths: tuple[int, ...] = (64, 128, 256, 512, 512),
                   depths: tuple[int, ...] = (2, 2, 4, 4, 4)) -> float:
    """FLOPs of VGG19's 16 convolutions forward + input-gradient backward on one (height, width) image."""
    flops, channels, h, w = 0.0, 3, height, width
    for block, (depth, out) in enumerate(zip(depths, widths)):
        if block:
            h, w = h // 2, w // 2
        for _ in range(depth):
            flops += 2 * h * w * 9 * channels * out
            channels = out
    return 2 * flops  # forward + backward (input gradients)


def matmul_peak(n: int, repeats: int) -> tuple[float, float]:
    """Best GFLOP/s and best GFLOP per CPU-second of an (n, n) x (n, n) float32 matmul."""
    import tensorflow as tf

    a = tf.random.stateless_uniform((n, n), seed=(1, 2))
    b = tf.random.stateless_uniform((n, n), seed=(3, 4))
    matmul = tf.function(lambda x, y: tf.reduce_sum(tf.matmul(x, y)))
    matmul(a, b).numpy()
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        matmul(a, b).numpy()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return 2 * n**3 / best / 1e9, 2 * n**3 / best_cpu / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, nargs=2, default=(300, 400), metavar=("H", "W"))
    parser.add_argument("--steps", type=int, default=3, help="timed steps per variant (median)")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--matmul", type=int, default=2048, help="size of the square matmul of the peak")
    parser.add_argument("--variants", nargs="+", default=["eager", "tf.function", "jit_compile"])
    args = parser.parse_args()

    import keras
    import tensorflow as tf

    from tf_course.style.images import generated_content, generated_style
    from tf_course.style.transfer import StyleTransfer, initial_image
    from tf_course.style.vgg import build_vgg19

    height, width = args.size
    content, style = generated_content((height, width)), generated_style((height, width))
    transfer = StyleTransfer(build_vgg19(seed=0))
    targets = transfer.targets(content, style)

    def make_step():
        image = tf.Variable(initial_image(content))
        optimizer = keras.optimizers.Adam(learning_rate=0.01)
        optimizer.build([image])

        def step() -> tf.Tensor:
            with tf.GradientTape() as tape:
                total = transfer.costs(image, targets)["total"]
            optimizer.apply_gradients([(tape.gradient(total, image), image)])
            image.assign(tf.clip_by_value(image, 0.0, 1.0))
            return total

        return step

    compiled = {"eager": lambda f: f, "tf.function": tf.function,
                "jit_compile": lambda f: tf.function(f, jit_compile=True)}
    peak, peak_cpu = matmul_peak(args.matmul, repeats=5)
    flops = vgg_step_flops(height, width)
    print(f"VGG19 style-transfer step at {height}x{width}: {flops / 1e9:.1f} GFLOP (convolutions forward + "
          f"input-gradient backward); matmul peak {peak:.1f} GFLOP/s ({args.matmul}^2 float32; "
          f"{peak_cpu:.1f} GFLOP per CPU-second); "
          f"{os.cpu_count()} CPUs, TensorFlow {tf.__version__}")
    results = {}
    for name in args.variants:
        step = compiled[name](make_step())
        start = time.perf_counter()
        for _ in range(args.warmup):
            float(step())
        warm = time.perf_counter() - start
        times, cpu_times = [], []
        for _ in range(args.steps):
            start, cpu = time.perf_counter(), time.process_time()
            float(step())
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu)
        results[name] = statistics.median(times)
        rate = flops / results[name] / 1e9
        cpu_rate = flops / statistics.median(cpu_times) / 1e9
        print(f"  {name:12s} {results[name]:8.3f} s/step  {rate:7.1f} GFLOP/s  {rate / peak:5.2f} of peak  "
              f"| {statistics.median(cpu_times):7.2f} CPU-s/step  {cpu_rate / peak_cpu:5.2f} of peak by CPU time  "
              f"(warm-up {warm:.1f} s)", flush=True)
    if "eager" in results:
        for name in results:
            if name != "eager":
                print(f"  {name} is {results['eager'] / results[name]:.2f}x eager")


if __name__ == "__main__":
    main()
