"""The trigger_word pipeline in quick mode: metrics, and the export's three signatures (the whole-course module's
first quick run, ``tf-course run trigger_word --quick --seed 0``, made once per CI run)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import quick_run, whole_course_group
from tf_course.audio.detect import THRESHOLD_GRID
from tf_course.audio.streaming import CHUNK_80MS, CONTEXT

pytestmark = whole_course_group("trigger_word")


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The report entry of the quick run (metrics, data_source, exports, out)."""
    return quick_run("trigger_word", 1, tmp_path_factory)


def test_quick_metrics(quick: dict) -> None:
    m = quick["metrics"]
    assert quick["data_source"] == {"trigger_word": "synthetic"}
    assert m["course_model_params"] == 523_329 and 0 < m["params"] < 523_329
    for key in ("recall", "false_reject_rate", "f1"):
        assert 0.0 <= m[key] <= 1.0 or np.isnan(m[key])
    assert m["false_accepts_per_hour"] >= 0 and m["keyword_free_hours"] == pytest.approx(30 / 3600)
    assert m["threshold"] in THRESHOLD_GRID and np.isfinite(m["snr_db"])  # chosen on the validation split
    assert 0.0 <= m["val_recall"] <= m["val_best_recall"] <= 1.0 and m["val_false_accepts_per_hour"] >= 0
    # 30 s of validation keyword-free audio cannot bound false accepts/h by 2 at 95% (the 0-count bound is 360/h)
    assert m["val_keyword_free_hours"] == pytest.approx(30 / 3600) and m["val_bound_met"] is False
    assert m["val_false_accepts_per_hour_upper"] >= 2.9957 * 120 - 0.1 and "Poisson" in m["threshold_rule"]
    assert 0.0 <= m["recall_at_0.5"] <= 1.0 and m["false_accepts_per_hour_at_0.5"] >= 0
    assert m["train_cpu_seconds"] > 0 and m["epochs"] == 1 and m["model"] == "compact"


def test_export_signatures_and_streaming(quick: dict) -> None:
    export = Path(quick["exports"][0])
    manifest = json.loads((export / "manifest.json").read_text())
    signatures = manifest["signatures"]
    assert set(signatures) == {"serving_default", "spectrogram", "streaming"}
    assert signatures["serving_default"]["inputs"]["waveform"]["shape"] == [None, 441000]
    assert signatures["streaming"]["inputs"]["buffer"]["shape"] == [None, CONTEXT]
    served = tf.saved_model.load(str(export))
    waveform = (np.random.default_rng(0).standard_normal((1, 441000)) * 0.05).astype(np.float32)
    whole = served.signatures["serving_default"](waveform=tf.constant(waveform))["probabilities"].numpy()
    assert whole.shape == (1, 1375, 1)
    spec = served.signatures["spectrogram"](waveform=tf.constant(waveform[:, :44100]))["spectrogram"].numpy()
    assert spec.shape == (1, 549, 101)
    stream = served.signatures["streaming"]
    units = signatures["streaming"]["inputs"]["h1"]["shape"][1], signatures["streaming"]["inputs"]["h2"]["shape"][1]
    state = {"buffer": np.zeros((1, CONTEXT), np.float32), "filled": np.int32(0),
             "h1": np.zeros((1, units[0]), np.float32), "h2": np.zeros((1, units[1]), np.float32)}
    steps = []
    for start in range(0, 441000, CHUNK_80MS):  # 125 chunks of 80 ms
        result = stream(chunk=tf.constant(waveform[:, start:start + CHUNK_80MS]),
                        **{k: tf.constant(v) for k, v in state.items()})
        state = {k: result[k].numpy() for k in state}
        steps.append(result["probabilities"].numpy())
    np.testing.assert_allclose(np.concatenate(steps, axis=1), whole, atol=1e-4)
