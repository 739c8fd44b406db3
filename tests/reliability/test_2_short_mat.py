"""Issue 11, item 2: an empty or truncated ``datasets/data.mat`` is a one-line error naming the file."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.io

from tf_course import cli


@pytest.mark.parametrize("kind", ["empty", "short"])
def test_broken_data_mat_names_the_file(kind, tmp_path, capsys):
    data = tmp_path / "data" / "datasets" / "data.mat"
    data.parent.mkdir(parents=True)
    if kind == "empty":
        data.write_bytes(b"")
    else:
        full = tmp_path / "full.mat"
        scipy.io.savemat(full, {"X": np.zeros((211, 2)), "y": np.zeros((211, 1)),
                                "Xval": np.zeros((200, 2)), "yval": np.zeros((200, 1))})
        data.write_bytes(full.read_bytes()[:300])
    out = tmp_path / "models"
    assert cli.main(["run", "regularization", "--quiet", "--data-dir", str(tmp_path / "data"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"tf-course: regularization: {data}: expected a MATLAB .mat file, found ")
    assert ("an empty file" if kind == "empty" else "300 bytes") in err[0]
    (entry,) = json.loads((out / "report.json").read_text())["results"]
    assert entry["error_kind"] == "user" and entry["error"].startswith(str(data))
