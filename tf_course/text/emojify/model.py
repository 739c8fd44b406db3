"""Emojify models (C5W2, seed 5.2.5): sentence indices, the frozen pretrained Embedding, V1's Keras twin, V2.

Indices follow the course: ``word_to_index`` maps words to 1..V (0 is padding), the Embedding
has V + 1 rows, row 0 all zeros. Unlike the course, the Embedding masks index 0 (Keras 3
``mask_zero``), so the LSTMs and the average skip the padding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import numpy as np
from keras import layers, ops

N_CLASSES = 5
LSTM_UNITS = 128
DROPOUT = 0.5


def sentences_to_indices(X: Sequence[str], word_to_index: Mapping[str, int], max_len: int) -> np.ndarray:
    """Word indices of each lower-cased, whitespace-split sentence, right-padded with 0.

    Words not in ``word_to_index`` are skipped (the course's v3a), words beyond ``max_len`` dropped.

    Returns:
        float array (m, max_len), as the course (cast to int for the model).
    """
    X_indices = np.zeros((len(X), max_len))
    for i, sentence in enumerate(X):
        known = [word_to_index[w] for w in str(sentence).lower().split() if w in word_to_index][:max_len]
        X_indices[i, :len(known)] = known
    return X_indices


def embedding_matrix(word_to_vec_map: Mapping[str, np.ndarray], word_to_index: Mapping[str, int]) -> np.ndarray:
    """(len(word_to_index) + 1, n): row ``word_to_index[w]`` = ``w``'s vector; unassigned rows zero."""
    vocab_len = len(word_to_index) + 1
    emb_dim = int(np.asarray(next(iter(word_to_vec_map.values()))).shape[0])
    emb_matrix = np.zeros((vocab_len, emb_dim), dtype=np.float32)
    for word, idx in word_to_index.items():
        emb_matrix[idx, :] = word_to_vec_map[word]
    return emb_matrix


def embedding_layer_from_matrix(matrix: np.ndarray, mask_zero: bool = True,
                                name: str = "embedding") -> layers.Embedding:
    """A frozen ``Embedding(V + 1, n)`` holding ``matrix`` (V + 1, n), built; index 0 masked when ``mask_zero``."""
    layer = layers.Embedding(matrix.shape[0], matrix.shape[1], trainable=False, mask_zero=mask_zero, name=name)
    layer.build((None,))
    layer.set_weights([np.asarray(matrix, dtype=np.float32)])
    return layer


def pretrained_embedding_layer(word_to_vec_map: Mapping[str, np.ndarray], word_to_index: Mapping[str, int],
                               mask_zero: bool = True) -> layers.Embedding:
    """The course's frozen Embedding: input_dim len(word_to_index) + 1, output_dim the vector size."""
    return embedding_layer_from_matrix(embedding_matrix(word_to_vec_map, word_to_index), mask_zero)


@keras.saving.register_keras_serializable(package="tf_course")
class MaskedAverage(layers.Layer):
    """Mean over the unmasked time steps (the course's ``sentence_to_avg``); zeros when all are masked.

    Call: (batch, T, n) with an optional mask (batch, T) -> (batch, n).
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs: keras.KerasTensor, mask: keras.KerasTensor | None = None) -> keras.KerasTensor:
        if mask is None:
            return ops.mean(inputs, axis=1)
        weights = ops.cast(mask, inputs.dtype)[..., None]
        total = ops.sum(inputs * weights, axis=1)
        count = ops.sum(weights, axis=1)
        return total / ops.maximum(count, 1.0)

    def compute_mask(self, inputs: keras.KerasTensor, mask: keras.KerasTensor | None = None) -> None:
        return None

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], input_shape[2])


def emojify_v1(max_len: int, matrix: np.ndarray, n_classes: int = N_CLASSES) -> keras.Model:
    """V1's Keras twin: indices (batch, max_len) -> frozen Embedding -> MaskedAverage -> Dense -> softmax."""
    indices = keras.Input(shape=(max_len,), dtype="int32", name="sentence_indices")
    x = embedding_layer_from_matrix(matrix)(indices)
    x = MaskedAverage(name="average")(x)
    x = layers.Dense(n_classes, name="dense")(x)
    out = layers.Activation("softmax", name="softmax")(x)
    return keras.Model(indices, out, name="emojify_v1")


def emojify_v2(max_len: int, matrix: np.ndarray, n_classes: int = N_CLASSES, mask_zero: bool = True,
               seed: int | None = None) -> keras.Model:
    """Emojify V2: indices (batch, max_len) int32 -> frozen Embedding -> LSTM(128, return_sequences) ->
    Dropout(0.5) -> LSTM(128) -> Dropout(0.5) -> Dense(5) -> softmax (batch, 5).

    20,223,927 parameters for the course's 400,001 x 50 GloVe matrix (20,000,050 frozen).
    """
    indices = keras.Input(shape=(max_len,), dtype="int32", name="sentence_indices")
    x = embedding_layer_from_matrix(matrix, mask_zero)(indices)
    x = layers.LSTM(LSTM_UNITS, return_sequences=True, name="lstm_1", seed=seed)(x)
    x = layers.Dropout(DROPOUT, name="dropout_1", seed=seed)(x)
    x = layers.LSTM(LSTM_UNITS, return_sequences=False, name="lstm_2", seed=seed)(x)
    x = layers.Dropout(DROPOUT, name="dropout_2", seed=seed)(x)
    x = layers.Dense(n_classes, name="dense")(x)
    out = layers.Activation("softmax", name="softmax")(x)
    return keras.Model(indices, out, name="emojify_v2")


def Emojify_V2(input_shape: tuple[int], word_to_vec_map: Mapping[str, np.ndarray],
               word_to_index: Mapping[str, int]) -> keras.Model:
    """The course's signature: ``Emojify_V2((maxLen,), word_to_vec_map, word_to_index)``."""
    return emojify_v2(int(input_shape[0]), embedding_matrix(word_to_vec_map, word_to_index))


def layer_summary(model: keras.Model) -> list[list]:
    """``[class name, output shape, params]`` per layer (the course's ``summary`` test)."""
    return [[type(layer).__name__, tuple(layer.output.shape) if not isinstance(layer, keras.layers.InputLayer)
             else tuple(layer.batch_shape), layer.count_params()] for layer in model.layers]
