"""Export cost: Keras' ``ExportArchive`` vs :func:`tf_course.export.writer.write_saved_model` on ResNet50.

The course's ResNet50 (64 x 64 x 3, 6 classes, 23.6 M parameters, seeded weights) behind the
project's uint8 image-classifier serving function, written as a SavedModel by each, in turn
(``--repeats`` rounds, alternating, each into a fresh folder; the model is built once). Per writer it
prints the median write time, the SavedModel's size on disk, the number of stored values against
``model.count_params()``, how often the serving function's Python ran (traces), the median
``tf.saved_model.load`` time, and that both exports give the same probabilities on 8 images.
Ratios: Keras / writer for write time, size and load time.

Keras 3.15 stores every weight twice (``variables/`` and ``_all_variables/``, keras-team/keras#23553)
and ``tf.saved_model.save`` retraces the endpoint inside its save context: both show here.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def _stored_values(path: Path) -> int:
    import numpy as np
    import tensorflow as tf

    shapes = tf.train.load_checkpoint(str(path / "variables" / "variables")).get_variable_to_shape_map()
    shapes.pop("_CHECKPOINTABLE_OBJECT_GRAPH", None)
    return sum(int(np.prod(shape)) for shape in shapes.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import keras
    import numpy as np
    import tensorflow as tf

    from tf_course.export.serving import image_classifier_serving_fn
    from tf_course.export.writer import write_saved_model
    from tf_course.vision.resnet50.model import build_resnet50

    keras.utils.set_random_seed(0)
    model = build_resnet50((64, 64, 3), classes=6)
    images = np.random.default_rng(0).integers(0, 256, (8, 64, 64, 3), dtype=np.uint8)
    spec = [tf.TensorSpec((None, 64, 64, 3), tf.uint8, name="images")]
    serve = image_classifier_serving_fn(model)
    traces = {"keras": 0, "writer": 0}

    def counted(which):
        def fn(images):
            traces[which] += 1
            return serve(images)
        return fn

    def keras_archive(path: Path) -> None:
        archive = keras.export.ExportArchive()
        archive.track(model)
        archive.add_endpoint("serving_default", counted("keras"), input_signature=spec)
        archive.write_out(str(path), verbose=False)

    def writer(path: Path) -> None:
        write_saved_model(path, {"serving_default": (counted("writer"), spec)}, [model])

    ways = {"keras": keras_archive, "writer": writer}
    write, load, size, values, outputs = ({k: [] for k in ways} for _ in range(5))
    root = Path(tempfile.mkdtemp(prefix="export_writer_"))
    try:
        for r in range(args.repeats):
            for name, way in ways.items():
                path = root / f"{name}_{r}"
                start = time.perf_counter()
                way(path)
                write[name].append(time.perf_counter() - start)
                start = time.perf_counter()
                loaded = tf.saved_model.load(str(path))
                load[name].append(time.perf_counter() - start)
                outputs[name] = loaded.signatures["serving_default"](images=tf.constant(images))["probabilities"]
                size[name].append(_size_mb(path))
                values[name].append(_stored_values(path))
                del loaded
                shutil.rmtree(path)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print(f"ResNet50 export, {model.count_params():,} parameters, {args.repeats} rounds (medians)")
    for name in ways:
        print(f"  {name:7s} write {statistics.median(write[name]):6.2f} s"
              f"   size {statistics.median(size[name]):6.1f} MB"
              f"   stored values {values[name][0]:,} ({values[name][0] / model.count_params():.2f}x the parameters)"
              f"   traces per export {traces[name] / args.repeats:.0f}   load {statistics.median(load[name]):5.2f} s")
    difference = float(np.max(np.abs(outputs["keras"].numpy() - outputs["writer"].numpy())))
    print(f"  same probabilities: max |keras - writer| = {difference:.2e}")
    for what, table in (("write", write), ("size", size), ("load", load)):
        print(f"  keras / writer {what}: {statistics.median(table['keras']) / statistics.median(table['writer']):.2f}x")


if __name__ == "__main__":
    main()
