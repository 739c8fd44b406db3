"""GloVe text vectors (C5W2): ``glove.6B.50d.txt``, one ``word v1 ... vn`` line per word.

The course reads the file twice over: ``read_glove_vecs`` in ``w2v_utils`` returns ``(words,
word_to_vec_map)``, the one in ``emo_utils`` returns ``(word_to_index, index_to_word,
word_to_vec_map)`` with 1-based indices in sorted word order (``word_to_index['cucumber'] ==
113317`` for the 400,000-word file; index 0 stays free for padding). :func:`load_glove` streams the
file once into a :class:`GloveVectors` that gives both, and the matrix for an ``Embedding`` layer.
The file is not shipped (400,000 words x 50); it is found under ``--data-dir`` by its course name.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tf_course.data.course_files import find_course_file
from tf_course.data.validate import DataError

GLOVE_FILE = "glove.6B.50d.txt"
#: where the course keeps it, relative to a data directory (a flat copy is found too)
GLOVE_RELATIVE = f"data/{GLOVE_FILE}"


@dataclass
class GloveVectors:
    """Word vectors read from a GloVe text file.

    Attributes:
        words: the words in file order (m,).
        matrix: their vectors, float32 (m, n), row i for ``words[i]``.
        source: the file they came from (for messages and reports).
    """

    words: list[str]
    matrix: np.ndarray
    source: str = ""
    _row: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self._row:
            self._row = {w: i for i, w in enumerate(self.words)}

    @property
    def dim(self) -> int:
        """The vector size n (50 for glove.6B.50d)."""
        return int(self.matrix.shape[1])

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._row

    def vector(self, word: str) -> np.ndarray:
        """The vector of ``word`` (n,); KeyError naming the word if it is not in the vocabulary."""
        try:
            return self.matrix[self._row[word]]
        except KeyError:
            raise KeyError(f"expected a word of the vocabulary ({len(self)} words from {self.source}), "
                           f"found {word!r}") from None

    @property
    def word_to_vec_map(self) -> dict[str, np.ndarray]:
        """The course's ``{word: vector (n,)}`` (views into :attr:`matrix`, file order)."""
        return {w: self.matrix[i] for i, w in enumerate(self.words)}

    @property
    def word_to_index(self) -> dict[str, int]:
        """The course's 1-based indices in sorted word order; 0 is the padding index."""
        return {w: i for i, w in enumerate(sorted(self.words), start=1)}

    @property
    def index_to_word(self) -> dict[int, str]:
        """The inverse of :attr:`word_to_index`."""
        return {i: w for i, w in enumerate(sorted(self.words), start=1)}

    def embedding_matrix(self, word_to_index: dict[str, int] | None = None) -> np.ndarray:
        """The ``Embedding`` weights (len(word_to_index) + 1, n): row ``word_to_index[w]`` is ``w``'s
        vector, row 0 (padding) and rows of unknown words are zeros; float32."""
        word_to_index = self.word_to_index if word_to_index is None else word_to_index
        out = np.zeros((max(word_to_index.values(), default=0) + 1, self.dim), dtype=np.float32)
        for word, index in word_to_index.items():
            row = self._row.get(word)
            if row is not None:
                out[index] = self.matrix[row]
        return out


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with open(path, encoding="utf8") as f:
        yield from enumerate(f, start=1)


def load_glove(
    path: str | os.PathLike[str],
    vocabulary: Collection[str] | None = None,
    dim: int | None = None,
) -> GloveVectors:
    """Stream a GloVe text file into :class:`GloveVectors`.

    Args:
        path: the file (``glove.6B.50d.txt``).
        vocabulary: keep only these words (all words when None); every line is still checked.
        dim: the expected vector size; the first line's when None.

    Raises:
        FileNotFoundError: no such file.
        DataError: a malformed line, named by its number: ``"glove.6B.50d.txt line 7: expected a
            word and 50 numbers, found ..."``; an empty file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"GloVe vectors: expected a text file of word vectors, found nothing at {path}")
    keep = None if vocabulary is None else set(vocabulary)
    words: list[str] = []
    rows: list[np.ndarray] = []
    seen: set[str] = set()
    for line_no, line in _lines(path):
        parts = line.rstrip("\r\n").rstrip(" ").split(" ")
        if len(parts) == 1 and not parts[0]:
            continue  # a blank line (e.g. at the end)
        if dim is None:
            dim = len(parts) - 1
            if dim < 1:
                raise DataError(f"{path} line {line_no}: expected a word followed by numbers, found {line.strip()!r}")
        if len(parts) != dim + 1:
            raise DataError(f"{path} line {line_no}: expected a word and {dim} numbers, found {len(parts) - 1} "
                            f"value(s) after {parts[0]!r}")
        word = parts[0]
        if keep is not None and word not in keep:
            _check_numbers(parts, path, line_no)
            continue
        vector = _check_numbers(parts, path, line_no)
        if word in seen:
            continue  # the first line of a word wins
        seen.add(word)
        words.append(word)
        rows.append(vector)
    if dim is None:
        raise DataError(f"{path}: expected lines 'word v1 ... vn', found an empty file")
    matrix = np.stack(rows).astype(np.float32) if rows else np.zeros((0, dim), np.float32)
    return GloveVectors(words, matrix, source=str(path))


def _check_numbers(parts: list[str], path: Path, line_no: int) -> np.ndarray:
    try:
        vector = np.array(parts[1:], dtype=np.float32)
    except ValueError:
        bad = next(p for p in parts[1:] if not _is_float(p))
        raise DataError(f"{path} line {line_no}: expected numbers after {parts[0]!r}, found {bad!r}") from None
    if not np.all(np.isfinite(vector)):
        raise DataError(f"{path} line {line_no}: expected finite numbers after {parts[0]!r}, found NaN or infinity")
    return vector


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_glove_vecs(
    glove_file: str | os.PathLike[str], vocabulary: Collection[str] | None = None,
) -> tuple[set[str], dict[str, np.ndarray]]:
    """The course's ``w2v_utils.read_glove_vecs``: ``(words, word_to_vec_map)`` (a set and a dict)."""
    vectors = load_glove(glove_file, vocabulary)
    return set(vectors.words), vectors.word_to_vec_map


def read_glove_vecs_indexed(
    glove_file: str | os.PathLike[str], vocabulary: Collection[str] | None = None,
) -> tuple[dict[str, int], dict[int, str], dict[str, np.ndarray]]:
    """The course's ``emo_utils.read_glove_vecs``: ``(word_to_index, index_to_word, word_to_vec_map)``."""
    vectors = load_glove(glove_file, vocabulary)
    return vectors.word_to_index, vectors.index_to_word, vectors.word_to_vec_map


def find_glove(data_dir: str | os.PathLike[str] | None) -> Path | None:
    """``glove.6B.50d.txt`` under the data directory (``data/`` or flat), or None."""
    return find_course_file(GLOVE_RELATIVE, data_dir)
