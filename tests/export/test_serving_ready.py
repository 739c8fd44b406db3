"""Serving readiness: TF Serving's layout and named signature inputs/outputs, checked by the fresh-process
checker on every export, and by saved_model_cli (signatures_cli); a deliberately bad export fails both."""

from __future__ import annotations

import json
import re
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_course.export import Signature, export_and_check
from tf_course.export.signatures_cli import find_exports, main, parse_show_all
from tf_course.export.verify import NotServingReady, check_serving_layout, check_serving_ready

VALUES = np.array([[1.0, 2.0]], np.float32)
SPEC = tf.TensorSpec((None, 2), tf.float32, name="x")


def tiny_model() -> keras.Model:
    inputs = keras.Input((2,), name="x")
    return keras.Model(inputs, keras.layers.Dense(1, kernel_initializer="ones", name="dense")(inputs))


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    model = tiny_model()
    signature = Signature(lambda x: {"y": model(x)}, [SPEC], {"x": VALUES})
    return export_and_check("tiny", {"serving_default": signature}, [model], tmp_path_factory.mktemp("out")).path


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    """Written by hand, the way export_and_check never writes: an unnamed input and a bare tensor output."""

    class Bare(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable([[1.0], [1.0]])

        @tf.function(input_signature=[tf.TensorSpec((None, 2), tf.float32)])
        def serve(self, *args):
            return tf.matmul(args[0], self.w)

    module = Bare()
    path = tmp_path_factory.mktemp("bad") / "bare" / "1"
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.serve})
    return path


def test_a_good_export_is_serving_ready(good):
    assert good.name == "1" and (good / "saved_model.pb").is_file()
    assert (good / "variables" / "variables.index").is_file()
    description = check_serving_ready(good)
    assert description == {"serving_default": {"inputs": {"x": {"dtype": "float32", "shape": [None, 2]}},
                                               "outputs": {"y": {"dtype": "float32", "shape": [None, 1]}}}}


def test_the_checker_refuses_a_bare_tensor_output_and_an_unnamed_input(bad):
    with pytest.raises(NotServingReady, match=r"expected named inputs and outputs in every signature, found "
                                              r"\[serving_default\] inputs \['args_0'\]; \[serving_default\] outputs "
                                              r"\['output_0'\]"):
        check_serving_ready(bad)


def test_the_checker_refuses_another_layout(good, tmp_path):
    unversioned = tmp_path / "tiny" / "latest"
    shutil.copytree(good, unversioned)
    with pytest.raises(NotServingReady, match=r"expected an integer version folder <out>/<name>/<version>, found "
                                              r"the folder name 'latest'"):
        check_serving_ready(unversioned)
    no_variables = tmp_path / "tiny" / "2"
    shutil.copytree(good, no_variables)
    shutil.rmtree(no_variables / "variables")
    with pytest.raises(NotServingReady, match="expected a variables/ folder beside saved_model.pb, found none"):
        check_serving_layout(no_variables)
    (no_variables / "saved_model.pb").unlink()
    with pytest.raises(NotServingReady, match=r"expected a SavedModel \(saved_model.pb\), found \["):
        check_serving_layout(no_variables)


def test_export_and_check_refuses_a_positional_output_name_and_publishes_nothing(tmp_path):
    model = tiny_model()
    signature = Signature(lambda x: {"output_0": model(x)}, [SPEC], {"x": VALUES})
    with pytest.raises(NotServingReady, match=r"export tiny v1: expected named inputs and outputs.*\['output_0'\]"):
        export_and_check("tiny", {"serving_default": signature}, [model], tmp_path)
    assert list((tmp_path / "tiny").iterdir()) == []


def test_a_non_chief_worker_exports_into_a_temporary_folder_only(tmp_path, monkeypatch):
    cluster = {"worker": ["localhost:1", "localhost:2"]}
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 1}}))
    model = tiny_model()
    signature = Signature(lambda x: {"y": model(x)}, [SPEC], {"x": VALUES})
    result = export_and_check("tiny", {"serving_default": signature}, [model], tmp_path / "out")
    assert "tf_course_workertemp_1_" in str(result.path) and not result.path.exists()
    assert not (tmp_path / "out").exists()  # only the chief publishes
    outputs = result.manifest["signatures"]["serving_default"]["outputs"]
    assert outputs == {"y": {"dtype": "float32", "shape": [None, 1]}}


def test_saved_model_cli_lists_the_named_inputs_and_outputs(good, bad, tmp_path, capsys):
    root = tmp_path / "out"
    shutil.copytree(good, root / "tiny" / "1")
    shutil.copytree(bad, root / "bare" / "1")
    (root / "tiny" / ".tmp-pid1-x" / "model").mkdir(parents=True)  # an export in progress: not published
    assert find_exports(root) == [root / "bare" / "1", root / "tiny" / "1"]
    assert main([str(root)]) == 1  # one saved_model_cli per export
    printed = capsys.readouterr().out
    assert "tiny/1 (" in printed and "  serving_default: x DT_FLOAT (-1, 2) -> y DT_FLOAT (-1, 1)" in printed
    assert re.search(r"NOT READY .*bare/1: .*\(saved_model_cli\): expected named inputs and outputs.*output_0", printed)


def test_the_saved_model_cli_text_is_parsed_signature_by_signature():
    text = """MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:

signature_def['__saved_model_init_op']:
  The given SavedModel SignatureDef contains the following input(s):
  The given SavedModel SignatureDef contains the following output(s):
    outputs['__saved_model_init_op'] tensor_info:
        dtype: DT_INVALID
        shape: unknown_rank
        name: NoOp
  Method name is:

signature_def['serving_default']:
  The given SavedModel SignatureDef contains the following input(s):
    inputs['dates'] tensor_info:
        dtype: DT_STRING
        shape: (-1)
        name: serving_default_dates:0
  The given SavedModel SignatureDef contains the following output(s):
    outputs['iso_dates'] tensor_info:
        dtype: DT_STRING
        shape: (-1)
        name: StatefulPartitionedCall:0
  Method name is: tensorflow/serving/predict
The MetaGraph with tag set ['serve'] contains the following ops: {'Const'}

Concrete Functions:
  Function Name: 'serving_default'
    Option #1
      Callable with:
        Argument #1
          dates: TensorSpec(shape=(None,), dtype=tf.string, name='dates')
"""
    string = {"dtype": "DT_STRING", "shape": "(-1)"}
    assert parse_show_all(text) == {"serving_default": {"inputs": {"dates": string}, "outputs": {"iso_dates": string}}}
