"""rnn_step_by_step: Keras parity, the course cells as Keras RNN cells, the pipeline and its export."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from tests.helpers import assert_keras_round_trip, assert_served_export
from tf_course.pipeline import RunContext
from tf_course.sequence.rnn_step_by_step import parity
from tf_course.sequence.rnn_step_by_step.cells import CELLS, CourseLSTMCell
from tf_course.sequence.rnn_step_by_step.pipeline import run_details


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("rnn_step_by_step")
    return run_details(RunContext(data_dir=None, out_dir=out, quick=True, verbose=False))


def test_metrics(pipeline_run) -> None:
    output, _ = pipeline_run
    m = output.metrics
    assert m["max_abs_diff_vs_keras"] < 1e-5
    assert m["max_abs_diff_course_cells"] < 1e-5
    assert m["max_abs_diff_vs_keras_float64"] < 1e-12
    assert m["gradient_check_difference"] < 1e-7
    assert m["gru_reset_after_true_max_abs_diff"] > 0.1  # reset_after=True is another cell
    assert m["lstm_forward_a_4_3_6"] == pytest.approx(0.172117767533, abs=1e-11)
    assert m["lstm_forward_y_1_4_3"] == pytest.approx(0.95087346185, abs=1e-11)
    assert m["lstm_forward_c_1_2_1"] == pytest.approx(-0.855544916718, abs=1e-11)
    assert m["rnn_backward_dWax_3_1"] == pytest.approx(11.2641044965, abs=1e-10)
    assert m["rnn_backward_da0_2_3"] == pytest.approx(-0.314942375127, abs=1e-12)
    assert m["params"] == 4 * (5 * 8 + 5) + 5 * 2 + 2
    assert output.data_source == {"test_case": "generated"}


@pytest.mark.parametrize("dtype, tol", [("float32", 1e-5), ("float64", 1e-12)])
def test_every_cell_and_implementation_matches_numpy(pipeline_run, dtype: str, tol: float) -> None:
    parities = pipeline_run[1][f"parities_{dtype}"]
    assert sorted(parities) == sorted(f"{i}_{k}" for i in parity.IMPLEMENTATIONS for k in parity.KINDS)
    for name, diffs in parities.items():
        assert set(diffs) == {"a", "y", "dx", "da0", "weights"}
        assert max(diffs.values()) < tol, (name, diffs)


def test_gradient_checks_of_every_cell(pipeline_run) -> None:
    checks = pipeline_run[1]["gradient_checks"]
    assert sorted(checks) == sorted(f"{k}_{s}" for k in parity.KINDS for s in ("cell", "sequence"))
    assert max(checks.values()) < 1e-7


@pytest.mark.parametrize("kind", parity.KINDS)
def test_course_cell_agrees_with_keras_layer(kind: str) -> None:
    case = parity.course_case(kind)
    outputs = []
    for implementation, layer in (("keras", parity.keras_layer(kind, case.n_a)),
                                  ("course_cell", parity.course_cell_layer(kind, case.n_a))):
        layer.build((None, case.x.shape[2], case.x.shape[0]))
        parity.load_course_parameters(layer, kind, case.parameters, implementation)
        outputs.append(parity.run_layer(layer, case))
    (a_k, y_k, g_k, _), (a_c, y_c, g_c, _) = outputs
    assert np.max(np.abs(a_k - a_c)) < 1e-5 and np.max(np.abs(y_k - y_c)) < 1e-5
    assert np.max(np.abs(g_k["dx"] - g_c["dx"])) < 1e-5 and np.max(np.abs(g_k["da0"] - g_c["da0"])) < 1e-5


@pytest.mark.parametrize("kind", parity.KINDS)
def test_course_cells_are_serializable(kind: str, tmp_path: Path) -> None:
    layer = keras.layers.RNN(CELLS[kind](4, name=f"cell_{kind}"), return_sequences=True, name=f"rnn_{kind}")
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype("float32")
    loaded = assert_keras_round_trip(layer, x, tmp_path)
    assert type(loaded.layers[-1].cell) is CELLS[kind]
    assert loaded.layers[-1].cell.units == 4


def test_cell_errors() -> None:
    with pytest.raises(ValueError, match="expected units >= 1, found 0"):
        CourseLSTMCell(0)
    with pytest.raises(ValueError, match="expected kind"):
        parity.course_case("transformer")
    with pytest.raises(ValueError, match="expected implementation"):
        parity.parity("rnn", "pytorch")


def test_export_served_in_a_fresh_process(pipeline_run) -> None:
    output, details = pipeline_run
    x = np.random.default_rng(1).standard_normal((2, 6, 3)).astype("float32")
    expected = np.asarray(details["model"](x))
    assert expected.shape == (2, 6, 2)
    served = assert_served_export(output.exports[0], {"serving_default": ({"x": x}, {"y": expected})})
    np.testing.assert_allclose(served["serving_default"]["y"].sum(axis=-1), 1.0, atol=1e-6)
