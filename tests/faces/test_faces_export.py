"""The exported encoder and verifier, reloaded in a process without tf_course, equal the in-memory model."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tests.helpers import assert_served_export
from tf_course.faces.export import BYTES_SIGNATURE, VERIFY_SIGNATURE, ExportedEncoder, export_face_encoder
from tf_course.faces.model import compact_encoder
from tf_course.faces.synthetic import generate_faces


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    keras.utils.set_random_seed(3)
    encoder = compact_encoder(image_size=32, width=4)
    images, _ = generate_faces(3, 2, size=32, seed=5)
    out = tmp_path_factory.mktemp("exports")
    result = export_face_encoder("faces_test", encoder, out, images[:3], threshold=0.9)
    return encoder, images, result


def test_served_encoder_and_verifier_equal_in_memory(exported):
    encoder, images, result = exported
    floats = images.astype(np.float32) / 255.0
    a, b = floats[:3], floats[3:]
    emb_a, emb_b = encoder.predict_on_batch(a), encoder.predict_on_batch(b)
    distance = np.linalg.norm(emb_a - emb_b, axis=1)
    served = assert_served_export(result.path, {
        "serving_default": ({"images": floats}, {"embeddings": encoder.predict_on_batch(floats)}),
        VERIFY_SIGNATURE: ({"image_a": a, "image_b": b},
                           {"distance": distance, "same": distance < 0.9, "threshold": np.float32(0.9)}),
    }, atol=1e-4)
    assert served["serving_default"]["embeddings"].shape == (6, 128)
    np.testing.assert_allclose(np.linalg.norm(served["serving_default"]["embeddings"], axis=1), 1.0, atol=1e-5)
    manifest = result.manifest
    assert set(manifest["signatures"]) == {"serving_default", BYTES_SIGNATURE, VERIFY_SIGNATURE}
    assert manifest["faces"] == {"image_size": 32, "embedding_size": 128, "threshold": 0.9}


def test_exported_encoder_adapter(exported):
    encoder, images, result = exported
    adapter = ExportedEncoder(result.path)
    assert adapter.input_shape == (None, 32, 32, 3)
    floats = images[:2].astype(np.float32) / 255.0
    np.testing.assert_allclose(adapter(floats), encoder.predict_on_batch(floats), atol=1e-5)


def test_cli_enroll_verify_who_list_remove(exported, tmp_path, capsys):
    from PIL import Image

    from tf_course.cli import main

    encoder, images, result = exported
    paths = []
    for i, image in enumerate(images[:4]):
        paths.append(tmp_path / f"face{i}.png")
        Image.fromarray(image).save(paths[-1])
    db = str(tmp_path / "db.json")
    models = str(result.path.parent)
    assert main(["faces", "enroll", "ann", str(paths[0]), str(paths[1]), "--db", db, "--models", models]) == 0
    assert main(["faces", "enroll", "bob", str(paths[2]), "--db", db, "--weights", str(result.path)]) == 0
    capsys.readouterr()
    assert main(["faces", "list", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines() == ["ann\t2", "bob\t1", f"2 people in {db}"]
    assert main(["faces", "verify", str(paths[2]), "bob", "--db", db, "--models", models]) == 0
    assert "It's bob, welcome in!" in capsys.readouterr().out
    assert main(["faces", "verify", str(paths[2]), "bob", "--db", db, "--models", models, "--threshold", "0"]) == 1
    assert "It's not bob, please go away" in capsys.readouterr().out
    assert main(["faces", "who", str(paths[0]), "--db", db, "--models", models]) == 0
    assert "it's ann, the distance is" in capsys.readouterr().out
    keras_file = tmp_path / "encoder.keras"
    encoder.save(keras_file)
    assert main(["faces", "who", str(paths[1]), "--db", db, "--weights", str(keras_file)]) == 0
    assert "it's ann" in capsys.readouterr().out
    assert main(["faces", "remove", "ann", "--db", db]) == 0
    assert main(["faces", "remove", "ann", "--db", db]) == 2
    assert "found 'ann'" in capsys.readouterr().err
    (tmp_path / "csv").mkdir()
    assert main(["faces", "who", str(paths[0]), "--db", db, "--weights", str(tmp_path / "csv")]) == 2
    err = capsys.readouterr().err
    assert "missing 224 file(s)" in err and "conv1_w.csv" in err and "inception_5b_3x3_conv2_w.csv" in err
