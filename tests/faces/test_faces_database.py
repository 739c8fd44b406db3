"""FaceDatabase (add/remove/list/nearest, atomic save/load, clear errors) and the course's verify / who_is_it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from tf_course.data.validate import DataError
from tf_course.faces.database import FaceDatabase
from tf_course.faces.recognition import img_to_encoding, verify, who_is_it


def _unit(v):
    v = np.asarray(v, np.float32)
    return v / np.linalg.norm(v)


class ColourEncoder:
    """A stand-in encoder: the image's mean colour, padded and L2-normalised (4-d embeddings)."""

    input_shape = (None, 8, 8, 3)

    def __call__(self, images):
        mean = np.asarray(images).mean(axis=(1, 2))  # (b, 3)
        return np.concatenate([mean, np.full((len(mean), 1), 0.1)], axis=1)


@pytest.fixture
def images(tmp_path):
    paths = {}
    for name, colour in {"red": (250, 10, 10), "red2": (230, 30, 20), "blue": (10, 10, 250),
                         "green": (10, 250, 10)}.items():
        paths[name] = tmp_path / f"{name}.png"
        Image.new("RGB", (20, 16), colour).save(paths[name])  # resized to the encoder's 8x8
    return paths


def test_database_add_remove_list_nearest():
    db = FaceDatabase(3)
    db.add("ann", _unit([1, 0, 0]))
    db.add("bob", np.stack([_unit([0, 1, 0]), _unit([0, 1, 1])]))
    db.add("ann", _unit([1, 1, 0]))
    assert db.list() == {"ann": 2, "bob": 2} and db.names() == ["ann", "bob"] and len(db) == 2
    dist, name = db.nearest(_unit([0, 1, 0.9]))
    assert name == "bob" and dist == pytest.approx(np.linalg.norm(_unit([0, 1, 0.9]) - _unit([0, 1, 1])), abs=1e-6)
    assert db.distance(_unit([1, 0, 0]), "ann") == pytest.approx(0.0)
    db.remove("ann")
    assert db.names() == ["bob"]
    with pytest.raises(KeyError, match="expected a name in the face database \\(bob\\), found 'ann'"):
        db.remove("ann")
    with pytest.raises(DataError, match="expected embeddings of size 3"):
        db.add("cy", np.ones(4))
    assert FaceDatabase(3).nearest(_unit([1, 0, 0])) == (float("inf"), None)


def test_database_save_load_and_errors(tmp_path):
    db = FaceDatabase(3)
    db.add("ann", _unit([1, 2, 3]))
    db.add("bob", np.stack([_unit([3, 2, 1]), _unit([1, 1, 1])]))
    path = db.save(tmp_path / "faces.json")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left behind
    loaded = FaceDatabase.load(path)
    assert loaded.list() == db.list()
    np.testing.assert_array_equal(loaded["bob"], db["bob"])
    with pytest.raises(DataError, match="expected embeddings of size 128 \\(the encoder's\\), found 3"):
        FaceDatabase.load(path, embedding_size=128)
    path.write_text(path.read_text()[:40])
    with pytest.raises(DataError, match="expected a face database \\(JSON\\), found unreadable content"):
        FaceDatabase.load(path)
    path.write_text(json.dumps({"format": "tf_course.faces.database", "version": 1, "embedding_size": 3,
                                "people": {"ann": [[1.0, 0.0]]}}))
    with pytest.raises(DataError, match="person 'ann': .*expected embeddings of size 3"):
        FaceDatabase.load(path)
    path.write_text("[1, 2]")
    with pytest.raises(DataError, match="expected a face database"):
        FaceDatabase.load(path)
    with pytest.raises(FileNotFoundError, match="expected a file"):
        FaceDatabase.load(tmp_path / "none.json")


def test_img_to_encoding_verify_who_is_it(images, capsys):
    model = ColourEncoder()
    enc = img_to_encoding(images["red"], model)
    assert enc.shape == (1, 4) and np.linalg.norm(enc) == pytest.approx(1.0, abs=1e-6)
    db = FaceDatabase(4)
    for name in ("red", "blue"):
        db.add(name, img_to_encoding(images[name], model))
    dist, door = verify(images["red2"], "red", db, model)
    assert door and 0.0 < dist < 0.7
    dist, door = verify(images["green"], "blue", db, model)
    assert not door and dist > 0.7
    out = capsys.readouterr().out.splitlines()
    assert out == ["It's red, welcome in!", "It's not blue, please go away"]
    min_dist, identity = who_is_it(images["red2"], db, model)
    assert identity == "red" and min_dist < 0.7
    assert capsys.readouterr().out == "it's red, the distance is " + str(np.float32(min_dist)) + "\n"
    min_dist, identity = who_is_it(images["green"], db, model)
    assert min_dist > 0.7 and capsys.readouterr().out == "Not in the database.\n"
    # the course's plain dict works too
    plain = {name: db[name][0] for name in db}
    assert who_is_it(images["red"], plain, model) == pytest.approx((0.0, "red"), abs=1e-6)
    assert verify(images["red"], "red", plain, model)[1]
    with pytest.raises(FileNotFoundError):
        img_to_encoding(images["red"].parent / "missing.png", model)
