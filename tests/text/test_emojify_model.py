"""Emojify Keras side: the course's toy values, V2's layer/parameter summary, the V1 twin, masking."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tests.helpers import assert_keras_round_trip
from tf_course.scratch import emojify as v1
from tf_course.text.emojify import model as em

TOY = {"a": [3, 3], "synonym_of_a": [3, 3], "a_nw": [2, 4], "a_s": [3, 2], "a_n": [3, 4], "c": [-2, 1],
       "c_n": [-2, 2], "c_ne": [-1, 2], "c_e": [-1, 1], "c_se": [-1, 0], "c_s": [-2, 0], "c_sw": [-3, 0],
       "c_w": [-3, 1], "c_nw": [-3, 2]}


@pytest.fixture(scope="module")
def toy():
    return {k: np.array(v, dtype=float) for k, v in TOY.items()}


def test_sentences_to_indices_v3a_values():
    word_to_index = {"i": 0, "like": 1, "learning": 2, "deep": 3, "machine": 4, "love": 5, "smile": 6, "´0.=": 7}
    X = np.array(["I like deep learning", "deep ´0.= love machine", "machine learning smile"])
    out = em.sentences_to_indices(X, word_to_index, 4)
    assert isinstance(out, np.ndarray) and out.shape == (3, 4)
    np.testing.assert_array_equal(out, [[0, 1, 3, 2], [3, 7, 5, 4], [4, 2, 6, 0]])
    # unknown words are skipped (v3a), long sentences truncated
    np.testing.assert_array_equal(em.sentences_to_indices(["I zzz love deep machine learning"], word_to_index, 3),
                                  [[0, 5, 3]])


def test_pretrained_embedding_layer_v3a_values(toy):
    word_to_index = {w: i for i, w in enumerate(toy)}
    layer = em.pretrained_embedding_layer(toy, word_to_index)
    assert isinstance(layer, keras.layers.Embedding) and not layer.trainable
    assert layer.input_dim == 15 and layer.output_dim == 2
    weights = layer.get_weights()[0]
    np.testing.assert_array_equal(weights, np.array(list(TOY.values()) + [[0, 0]], dtype=np.float32))
    assert layer.mask_zero  # index 0 is padding (Keras 3 masking)
    mask = layer.compute_mask(np.array([[3, 1, 0, 0]]))
    np.testing.assert_array_equal(np.asarray(mask), [[True, True, False, False]])


def test_emojify_v2_toy_summary(toy):
    word_to_index = {w: i for i, w in enumerate(toy)}
    model = em.Emojify_V2((4,), toy, word_to_index)
    assert em.layer_summary(model) == [
        ["InputLayer", (None, 4), 0], ["Embedding", (None, 4, 2), 30], ["LSTM", (None, 4, 128), 67072],
        ["Dropout", (None, 4, 128), 0], ["LSTM", (None, 128), 131584], ["Dropout", (None, 128), 0],
        ["Dense", (None, 5), 645], ["Activation", (None, 5), 0]]
    assert model.get_layer("lstm_1").return_sequences and not model.get_layer("lstm_2").return_sequences
    assert model.get_layer("dropout_1").rate == 0.5 and model.inputs[0].dtype == "int32"


def test_emojify_v2_parameter_count_with_a_glove_sized_vocabulary():
    model = em.emojify_v2(10, np.zeros((400_001, 50), dtype=np.float32))
    assert model.count_params() == 20_223_927
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 223_877
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == 20_000_050
    assert [p for _, _, p in em.layer_summary(model)] == [0, 20_000_050, 91_648, 0, 131_584, 0, 645, 0]


def test_masked_average_is_sentence_to_avg(toy, tmp_path):
    words = sorted(toy)
    word_to_index = {w: i for i, w in enumerate(words, start=1)}
    matrix = em.embedding_matrix(toy, word_to_index)
    sentences = ["a a_nw c_w a_s", "love a a_nw c_w a_s", "love", "c_se foo a a_nw c_w a_s deeplearning c_nw"]
    x = em.sentences_to_indices(sentences, word_to_index, 8).astype(np.int32)
    inputs = keras.Input((8,), dtype="int32")
    model = keras.Model(inputs, em.MaskedAverage()(em.embedding_layer_from_matrix(matrix)(inputs)))
    np.testing.assert_allclose(model(x), [v1.sentence_to_avg(s, toy) for s in sentences], rtol=1e-6)
    assert_keras_round_trip(em.emojify_v1(8, matrix), x, tmp_path)


def test_v1_keras_twin_follows_the_numpy_model(toy):
    from tf_course.text.emojify.pipeline import train_v1_twin

    words = sorted(toy)
    word_to_index = {w: i for i, w in enumerate(words, start=1)}
    matrix = em.embedding_matrix(toy, word_to_index)
    X = np.array(["a a_s a_n", "c c_nw c_n", "a_nw a", "c_e c_se", "a_s synonym_of_a", "c_sw c_w zz"])
    Y = np.array([0, 1, 0, 1, 0, 1])
    _, W, b, _ = v1.model(X, Y, toy, learning_rate=0.01, num_iterations=3, seed=1)
    np.random.seed(1)
    w0 = np.random.randn(2, 2) / np.sqrt(2)
    twin = train_v1_twin(em.sentences_to_indices(X, word_to_index, 3).astype(np.int32), Y, matrix, 3, 3, w0)
    kernel, bias = twin.get_layer("dense").get_weights()
    np.testing.assert_allclose(kernel, W.T, atol=1e-5)
    np.testing.assert_allclose(bias, b, atol=1e-5)


def test_glove_under_the_data_dir_is_used(tmp_path):
    from tf_course.text.emojify.pipeline import load_vectors, oov_rate

    (tmp_path / "glove.6B.50d.txt").write_text("i 0.1 0.2\nlove 0.3 -0.1\nyou 1 2\n")
    words, matrix, which = load_vectors(tmp_path, ["i love you"], 1, 1)
    assert which == "glove" and words == ["i", "love", "you"] and matrix.shape == (3, 2)
    sentences = np.array(["I love you", "I hate you", "I loved you!"])
    word_to_index = {"i": 1, "love": 2, "you": 3}
    assert oov_rate(sentences, word_to_index) == pytest.approx(3 / 9)
    assert oov_rate(sentences, word_to_index, backoff=True) == pytest.approx(1 / 9)  # loved -> love, you! -> you
